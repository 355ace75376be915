import { AuthPacket, PacketType, ReasonCode, isReasonCodeAllowed } from '@nestmq/mqtt-protocol';
import type { AuthExchange, ExchangeStep } from '../auth/enhanced/enhanced-auth';
import { Connection, ConnectionState } from './connection';

type Failure = Extract<ExchangeStep, { kind: 'failure' }>;
type Outcome = Exclude<ExchangeStep, { kind: 'continue' }>;

const protocolError = (reasonString: string): Failure => ({ kind: 'failure', reasonCode: ReasonCode.ProtocolError, reasonString });

/**
 * One step of an exchange, as one of the bounded number of authentications waiting on a backend at once
 * (beyond: 0x89 Server busy, as for a password). Waiting for the client's next AUTH holds no place.
 */
async function backendStep(c: Connection, exchange: AuthExchange, data: Buffer | undefined): Promise<ExchangeStep> {
  const pending = c.broker.pendingAuthentications;
  if (!pending.enter(c.remoteAddress)) {
    c.broker.stats.connectsRefusedBusy++;
    return { kind: 'failure', reasonCode: ReasonCode.ServerBusy, reasonString: 'too many logins at once' };
  }
  try {
    return await exchange.step(data);
  } finally {
    pending.leave(c.remoteAddress);
  }
}

/**
 * Enhanced authentication at CONNECT (MQTT 5.0 §4.12): the CONNECT's Authentication Data starts the
 * exchange; each `continue` goes out as AUTH 0x18 with the same Authentication Method [MQTT-4.12.0-2]
 * [MQTT-4.12.0-5], and the client's AUTH 0x18 [MQTT-4.12.0-3] carries the next step. Until CONNACK the
 * client may send only AUTH or DISCONNECT [MQTT-3.1.2-30]; anything else, another reason code or another
 * method is a Protocol Error (CONNACK 0x82). A client that goes silent is closed at CONNECT_TIMEOUT, as a
 * client that never sends CONNECT is. An Authentication Method the broker does not offer: 0x8C
 * [MQTT-4.12.0-1].
 */
export async function exchangeAtConnect(c: Connection, method: string, data: Buffer | undefined): Promise<Outcome> {
  const exchange = c.broker.enhancedAuth?.begin(method, { clientId: c.clientId, remoteAddress: c.remoteAddress });
  if (exchange === undefined) return { kind: 'failure', reasonCode: ReasonCode.BadAuthenticationMethod, reasonString: 'the Authentication Method is not supported' };
  const abort = (c.authentication = new AbortController());
  try {
    for (;;) {
      const step = await backendStep(c, exchange, data);
      if (step.kind !== 'continue') return step;
      c.writePacket({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: method, authenticationData: step.data } });
      const reply = await nextAuth(c, abort.signal);
      if (reply === undefined) return protocolError('only AUTH or DISCONNECT may come before CONNACK');
      if (reply.reasonCode !== ReasonCode.ContinueAuthentication) return protocolError('the AUTH answering the server must be Continue authentication');
      if (reply.properties?.authenticationMethod !== method) return protocolError('the Authentication Method must be the one of CONNECT');
      data = reply.properties.authenticationData;
    }
  } finally {
    c.authentication = undefined;
  }
}

/**
 * The client's next packet during the CONNECT exchange: its AUTH, or undefined for any packet but AUTH
 * and DISCONNECT. Reading resumes for that one packet and stops again. Rejects when the connection closes
 * (the client left, sent DISCONNECT, or CONNECT_TIMEOUT passed).
 */
function nextAuth(c: Connection, signal: AbortSignal): Promise<AuthPacket | undefined> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      c.authWaiter = undefined;
      reject(new DOMException('the connection closed during authentication', 'AbortError'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    c.authWaiter = (packet) => {
      signal.removeEventListener('abort', onAbort);
      c.authWaiter = undefined;
      c.pause();
      resolve(packet);
    };
    c.resume();
  });
}

/**
 * An AUTH from a connected client: the start or the continuation of a re-authentication (§4.12.1). Only a
 * client that authenticated with an Authentication Method at CONNECT may send AUTH [MQTT-4.12.0-7], with
 * that same method [MQTT-4.12.1-1]; a second Re-authenticate before the first is over, a Continue the
 * server did not ask for, or a Success from the client is a Protocol Error (DISCONNECT 0x82).
 */
export function handleAuth(c: Connection, packet: AuthPacket): void {
  if (c.authMethod === undefined) return c.disconnect(ReasonCode.ProtocolError, 'AUTH without an Authentication Method at CONNECT');
  if (packet.properties?.authenticationMethod !== c.authMethod) return c.disconnect(ReasonCode.ProtocolError, 'the Authentication Method must be the one of CONNECT');
  const running = c.reauthentication;
  const data = packet.properties.authenticationData;
  switch (packet.reasonCode) {
    case ReasonCode.ReAuthenticate: {
      if (running !== undefined) return c.disconnect(ReasonCode.ProtocolError, 'Re-authenticate while a re-authentication is in progress');
      const exchange = c.broker.enhancedAuth?.begin(c.authMethod, { clientId: c.clientId, remoteAddress: c.remoteAddress, reauthenticating: { username: c.username } });
      if (exchange === undefined) return c.disconnect(ReasonCode.BadAuthenticationMethod, 'the Authentication Method is no longer offered');
      const reauthentication = new Reauthentication(c, c.authMethod, exchange);
      c.reauthentication = reauthentication;
      return reauthentication.next(data);
    }
    case ReasonCode.ContinueAuthentication:
      if (running === undefined || !running.awaitingClient) return c.disconnect(ReasonCode.ProtocolError, 'Continue authentication the server did not ask for');
      return running.next(data);
    default:
      return c.disconnect(ReasonCode.ProtocolError, 'a client does not send AUTH Success');
  }
}

/**
 * A re-authentication of a live connection. The client's other packets flow meanwhile, under the
 * authentication it has [§4.12.1]. It ends with AUTH 0x00 Success, or with DISCONNECT (0x87 for a wrong
 * proof, which DISCONNECT has no 0x86 for) and the connection closed [MQTT-4.12.1-2]. An exchange the
 * client leaves unfinished for CONNECT_TIMEOUT ends the same way.
 */
export class Reauthentication {
  /** The server has answered and waits for the client's AUTH 0x18. */
  awaitingClient = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly c: Connection,
    private readonly method: string,
    private readonly exchange: AuthExchange,
  ) {
    this.timer = setTimeout(() => {
      if (c.reauthentication !== this) return;
      this.end();
      this.refused({ kind: 'failure', reasonCode: ReasonCode.NotAuthorized, reasonString: 're-authentication not completed in time' });
    }, c.broker.config.connectTimeout * 1000);
    this.timer.unref();
  }

  next(data: Buffer | undefined): void {
    this.awaitingClient = false;
    backendStep(this.c, this.exchange, data).then(
      (step) => this.stepped(step),
      (e: unknown) => this.c.failed(e),
    );
  }

  /** The connection closed: nothing more is sent. */
  cancel(): void {
    clearTimeout(this.timer);
  }

  private stepped(step: ExchangeStep): void {
    const c = this.c;
    if (c.state !== ConnectionState.Connected || c.reauthentication !== this) return;
    if (step.kind === 'continue') {
      c.writePacket({ type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: this.method, authenticationData: step.data } });
      this.awaitingClient = true;
      return;
    }
    this.end();
    if (step.kind === 'failure') return this.refused(step);
    c.writePacket({ type: PacketType.Auth, reasonCode: ReasonCode.Success, properties: { authenticationMethod: this.method, ...(step.data && { authenticationData: step.data }) } });
    c.broker.sessionEvents?.reauthenticated(c.clientId, c.username, ReasonCode.Success, c.remoteAddress, step.decision);
  }

  private refused(step: Failure): void {
    const c = this.c;
    if (step.throttled !== undefined) c.broker.stats.connectsRefusedThrottled++;
    if (step.backendFailed) c.broker.stats.connectsRefusedAuthBackend++;
    const code = disconnectCode(step.reasonCode);
    c.broker.sessionEvents?.reauthenticated(c.clientId, c.username, code, c.remoteAddress, step.decision, step.throttled);
    c.disconnect(code, `re-authentication failed: ${step.reasonString}`);
  }

  private end(): void {
    clearTimeout(this.timer);
    this.c.reauthentication = undefined;
  }
}

/** The DISCONNECT for a refusal that CONNACK would carry: DISCONNECT has no 0x86 or 0x88 (§3.14.2.1). */
function disconnectCode(code: ReasonCode): ReasonCode {
  if (isReasonCodeAllowed(PacketType.Disconnect, code)) return code;
  if (code === ReasonCode.BadUserNameOrPassword) return ReasonCode.NotAuthorized;
  if (code === ReasonCode.ServerUnavailable) return ReasonCode.ServerBusy;
  return ReasonCode.UnspecifiedError;
}
