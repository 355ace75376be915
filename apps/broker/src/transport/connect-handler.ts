import {
  ConnackPacket,
  ConnectPacket,
  PacketType,
  Properties,
  ReasonCode,
  hasMoreLevelsThan,
  isSysTopic,
  isWellFormedUtf8,
  toConnectReturnCode,
} from '@nestmq/mqtt-protocol';
import { createHash, randomBytes } from 'node:crypto';
import type { AuthDecision } from '../auth/authenticator';
import { willRefusal } from '../auth/http-acl/hook-checks';
import { mayReadWithAcl } from '../qos/deliver';
import { exchangeAtConnect } from './enhanced-auth-handler';
import { Connection, ConnectionState } from './connection';

/** What the CONNECT steps work out and CONNACK reports. */
interface ConnectContext {
  connect: ConnectPacket;
  assignedClientId?: string;
  serverKeepAlive?: number;
  sessionPresent: boolean;
  /** The user name claimed inside an enhanced authentication exchange (SCRAM's n=), for the login audit trail. */
  claimedUsername?: string;
  /** Refused by the login throttle: which count refused it, for the login audit trail. */
  throttled?: 'address' | 'username';
  /** Which authenticator decided and why, for the session log. */
  decision?: AuthDecision;
  /** When the credentials stop being valid (epoch ms): the connection is closed then. */
  expiresAt?: number;
  /** Enhanced authentication: the method's final data for the successful CONNACK. */
  authData?: Buffer;
  /** Properties of a refusing CONNACK (5.0): an enhanced authentication's method, error data and reason. */
  refusalProperties?: Properties;
}

/** A step returns a reason code to refuse the connection, or nothing to go on. */
type ConnectStep = (c: Connection, ctx: ConnectContext) => ReasonCode | undefined | Promise<ReasonCode | undefined>;

/** CONNECT, as an ordered list of named steps (§3.1.4). */
const CONNECT_STEPS: ReadonlyArray<[string, ConnectStep]> = [
  ['adopt protocol level and client limits', adoptProtocol],
  ['validate client identifier', validateClientId],
  ['authenticate', (c, ctx) => (ctx.connect.properties?.authenticationMethod === undefined ? authenticate(c, ctx) : authenticateEnhanced(c, ctx))],
  ['check will', checkWill],
  ['ask the ACL hook about the will', askHookAboutWill],
  ['take over or create session', attachSession],
  ['arm keep alive', armKeepAlive],
];

export async function handleConnect(c: Connection, connect: ConnectPacket): Promise<void> {
  c.state = ConnectionState.Authenticating;
  c.pause();
  const ctx: ConnectContext = { connect, sessionPresent: false };
  // Started for this connection, so its failures stay with it: nothing it throws reaches the process.
  for (const [, step] of CONNECT_STEPS) {
    let refusal: ReasonCode | undefined;
    try {
      refusal = await step(c, ctx);
    } catch {
      refusal = ReasonCode.UnspecifiedError;
    }
    // The socket may have gone while a step waited (an authenticator call, say).
    if ((c.state as ConnectionState) === ConnectionState.Closed) return;
    if (refusal !== undefined) return refuse(c, refusal, ctx);
  }
  // Recorded first: CONNACK resumes reading, and packets already received (a SUBSCRIBE) follow at once.
  recordConnect(c, ctx);
  acknowledge(c, ctx);
}

function adoptProtocol(c: Connection, { connect }: ConnectContext): undefined {
  c.protocolVersion = connect.protocolVersion;
  c.v5 = connect.protocolVersion === 5;
  const p = connect.properties;
  // The rest waits in the session's bounded queue.
  c.peerReceiveMaximum = c.broker.inflightCap.receiveMaximumFor(p?.receiveMaximum);
  if (p) {
    if (p.maximumPacketSize !== undefined) c.peerMaxPacketSize = p.maximumPacketSize;
    if (p.topicAliasMaximum !== undefined) c.peerTopicAliasMaximum = p.topicAliasMaximum;
    if (p.requestProblemInformation === false) c.problemInformation = false;
  }
  return undefined;
}

/** An empty identifier gets one assigned (5.0, or 3.1.1 with Clean Session) [MQTT-3.1.3-6, MQTT-3.1.3-8]. */
function validateClientId(c: Connection, ctx: ConnectContext): ReasonCode | undefined {
  const { connect } = ctx;
  // Every stored row of a persistent session (subscriptions, queued messages) repeats its identifier:
  // MAX_CLIENT_ID_BYTES keeps 64 KiB identifiers from multiplying into gigabytes [MQTT-3.1.3-5 lets a server limit it].
  if (connect.clientId.length > c.broker.config.maxClientIdBytes && Buffer.byteLength(connect.clientId) > c.broker.config.maxClientIdBytes) {
    return ReasonCode.ClientIdentifierNotValid;
  }
  if (connect.clientId.length > 0) {
    c.clientId = connect.clientId;
    return undefined;
  }
  if (connect.protocolVersion === 3 || (connect.protocolVersion === 4 && !connect.clean)) {
    return ReasonCode.ClientIdentifierNotValid;
  }
  c.clientId = ctx.assignedClientId = `nestmq-${randomBytes(9).toString('base64url')}`;
  return undefined;
}

function checkWill(c: Connection, { connect }: ConnectContext): ReasonCode | undefined {
  const will = connect.will;
  if (will === undefined) return undefined;
  const config = c.broker.config;
  if (hasMoreLevelsThan(will.topic, config.maxTopicLevels)) return ReasonCode.TopicNameInvalid;
  if (will.qos > config.maximumQoS) return ReasonCode.QoSNotSupported;
  if (will.retain && !config.retainAvailable) return ReasonCode.RetainNotSupported;
  if (isSysTopic(will.topic)) return ReasonCode.NotAuthorized;
  const access = c.broker.access;
  if (access.active && !access.canPublish(c.username, c.clientId, will.topic, c.identityAcl, c.roles)) return ReasonCode.NotAuthorized;
  // As a PUBLISH with the same is refused: the will is checked when it is accepted, not when it goes out.
  if (will.properties?.payloadFormatIndicator === true && !isWellFormedUtf8(will.payload)) return ReasonCode.PayloadFormatInvalid;
  return undefined;
}

/**
 * With AUTH_HTTP_ACL_URL, the will is a publish the hook is asked about now, when it is accepted: 0x87
 * when denied, 0x88 (counted, like any backend a CONNECT waits on) when the hook cannot answer.
 */
async function askHookAboutWill(c: Connection, ctx: ConnectContext): Promise<ReasonCode | undefined> {
  const hook = c.broker.aclHook;
  const will = ctx.connect.will;
  if (hook === null || will === undefined) return undefined;
  const refusal = await willRefusal(c, hook, will);
  if (refusal === ReasonCode.ServerUnavailable) c.broker.stats.connectsRefusedAuthBackend++;
  if (refusal !== undefined) {
    const reason = refusal === ReasonCode.NotAuthorized ? 'the ACL hook denied the will topic' : 'the ACL hook could not answer about the will topic';
    ctx.decision = { by: 'acl-hook', reason };
  }
  return refusal;
}

/**
 * A CONNECT with an Authentication Method: the exchange of that method (see exchangeAtConnect), instead of
 * AUTH_CHAIN. The identity is the one the method proved; the CONNECT's User Name and Password play no part.
 */
async function authenticateEnhanced(c: Connection, ctx: ConnectContext): Promise<ReasonCode | undefined> {
  const { authenticationMethod: method, authenticationData } = ctx.connect.properties!;
  const outcome = await exchangeAtConnect(c, method!, authenticationData);
  ctx.decision = outcome.decision;
  if (outcome.kind === 'success') {
    c.username = outcome.username;
    c.authMethod = method;
    ctx.authData = outcome.data;
    return undefined;
  }
  ctx.claimedUsername = outcome.username;
  if (outcome.throttled !== undefined) {
    c.broker.stats.connectsRefusedThrottled++;
    ctx.throttled = outcome.throttled;
  }
  if (outcome.backendFailed) c.broker.stats.connectsRefusedAuthBackend++;
  ctx.refusalProperties = {
    authenticationMethod: method,
    ...(outcome.data && { authenticationData: outcome.data }),
    ...(c.problemInformation && { reasonString: outcome.reasonString }),
  };
  return outcome.reasonCode;
}

/**
 * Asks the authenticator, as one of a bounded number of CONNECTs waiting at once (beyond: CONNACK 0x89
 * Server busy, 3 Server unavailable in 3.1.1). A client that closes its socket meanwhile aborts its check.
 * An address or user name with too many failed logins is refused unchecked with 0x9F (see LoginThrottle).
 */
async function authenticate(c: Connection, ctx: ConnectContext): Promise<ReasonCode | undefined> {
  const { connect } = ctx;
  const pending = c.broker.pendingAuthentications;
  if (!pending.enter(c.remoteAddress)) {
    c.broker.stats.connectsRefusedBusy++;
    return ReasonCode.ServerBusy;
  }
  const abort = (c.authentication = new AbortController());
  let result;
  try {
    result = await c.broker.authenticator.authenticate({
      clientId: c.clientId,
      username: connect.username,
      password: connect.password,
      remoteAddress: c.remoteAddress,
      certificateIdentity: c.certificateIdentity,
      protocolVersion: connect.protocolVersion,
      signal: abort.signal,
    });
  } catch (e) {
    if (abort.signal.aborted) return ReasonCode.UnspecifiedError;
    throw e;
  } finally {
    c.authentication = undefined;
    pending.leave(c.remoteAddress);
  }
  ctx.decision = result.decision;
  if (result.reasonCode !== ReasonCode.Success) {
    if (result.throttled !== undefined) {
      c.broker.stats.connectsRefusedThrottled++;
      ctx.throttled = result.throttled;
    }
    if (result.backendFailed) c.broker.stats.connectsRefusedAuthBackend++;
    return result.reasonCode;
  }
  c.username = result.username;
  c.roles = result.roles;
  c.identityAcl = result.acl;
  ctx.expiresAt = result.expiresAt;
  return undefined;
}

/**
 * A new session beyond MAX_SESSIONS is refused with 0x97 Quota exceeded (3 Server unavailable in 3.1.1).
 * A session belongs to the user that created it: another user's CONNECT with its identifier neither
 * resumes it nor takes over its connection (0x87, 5 in 3.1.1), unless SESSION_USER_MISMATCH=clean, which
 * ends it and starts a new one.
 */
function attachSession(c: Connection, ctx: ConnectContext): ReasonCode | undefined {
  const sessions = c.broker.sessions;
  const existing = sessions.get(c.clientId);
  if (existing === undefined && sessions.size >= c.broker.config.maxSessions) return ReasonCode.QuotaExceeded;
  const foreign = existing !== undefined && existing.username !== c.username;
  if (foreign && c.broker.config.sessionUserMismatch === 'refuse') return ReasonCode.NotAuthorized;
  ctx.sessionPresent = sessions.attach(c, ctx.connect, foreign).sessionPresent;
  return undefined;
}

/** Keep Alive above the maximum, or none when one is required, is answered with Server Keep Alive (5.0). */
function armKeepAlive(c: Connection, ctx: ConnectContext): undefined {
  const max = c.broker.config.maxKeepAlive;
  let keepAlive = ctx.connect.keepAlive;
  if (c.v5 && max < 65535 && (keepAlive === 0 || keepAlive > max)) {
    keepAlive = max;
    ctx.serverKeepAlive = max;
  }
  c.keepAliveMs = keepAlive * 1000;
  return undefined;
}

function acknowledge(c: Connection, ctx: ConnectContext): void {
  const config = c.broker.config;
  const session = c.session!;
  const connack: ConnackPacket = { type: PacketType.Connack, sessionPresent: ctx.sessionPresent, reasonCode: 0 };
  if (c.v5) {
    const p: Properties = {
      receiveMaximum: config.receiveMaximum,
      maximumPacketSize: config.maxPacketSize,
      topicAliasMaximum: config.topicAliasMaximum,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifierAvailable: true,
      sharedSubscriptionAvailable: true,
    };
    if (config.maximumQoS < 2) p.maximumQoS = config.maximumQoS as 0 | 1;
    if (!config.retainAvailable) p.retainAvailable = false;
    if (ctx.assignedClientId !== undefined) p.assignedClientIdentifier = ctx.assignedClientId;
    if (ctx.serverKeepAlive !== undefined) p.serverKeepAlive = ctx.serverKeepAlive;
    const requested = ctx.connect.properties?.sessionExpiryInterval ?? 0;
    if (session.expiryInterval !== requested) p.sessionExpiryInterval = session.expiryInterval;
    if (ctx.connect.properties?.requestResponseInformation) p.responseInformation = responseInformation(c.clientId);
    // The method of CONNECT, in the successful CONNACK [MQTT-4.12.0-5], with its final data (SCRAM's server signature).
    if (c.authMethod !== undefined) p.authenticationMethod = c.authMethod;
    if (ctx.authData !== undefined) p.authenticationData = ctx.authData;
    connack.properties = p;
  }
  c.writePacket(connack);
  c.state = ConnectionState.Connected;
  c.lastPacketAt = Date.now();
  if (ctx.expiresAt !== undefined) c.expireAt(ctx.expiresAt);
  if (ctx.sessionPresent) {
    // What was queued or sent under the rules of the time is read under today's: rules changed while
    // the client was away, or an ACL file changed across a restart, apply to what the session still holds.
    const access = c.broker.access;
    if (access.active) {
      const mayRead = mayReadWithAcl(access);
      session.outbound.discard((o) => !mayRead(session, o.message.topic));
    }
    session.outbound.resume(c, c.lastPacketAt);
  }
  c.resume();
}

/**
 * The basis of the client's response topics. A client identifier may be 65,535 bytes, too long to fit
 * after a prefix: such a one is replaced by its digest, still unique to the client.
 */
function responseInformation(clientId: string): string {
  const plain = `response/${clientId}`;
  if (plain.length <= 4096 || Buffer.byteLength(plain) <= 65_535) return plain;
  return `response/${createHash('sha256').update(clientId).digest('base64url')}`;
}

/** CONNACK with the refusal, then close [MQTT-3.2.2-7]; 3.1/3.1.1 clients get the nearest return code. */
function refuse(c: Connection, code: ReasonCode, { connect, throttled, decision, refusalProperties, claimedUsername }: ConnectContext): void {
  const connack: ConnackPacket = { type: PacketType.Connack, sessionPresent: false, reasonCode: c.v5 ? code : toConnectReturnCode(code) };
  if (c.v5 && refusalProperties !== undefined) connack.properties = refusalProperties;
  c.writePacket(connack);
  c.close();
  // The login audit trail: the user name the client claimed, never its password; the 5.0 reason code
  // whatever the protocol level, so 3.1.1 refusals read the same.
  c.broker.sessionEvents?.refused(c.clientId || connect.clientId, claimedUsername ?? connect.username, code, connect.protocolVersion, c.remoteAddress, throttled, decision);
}

/** The `connect` event: what was agreed in CONNACK, and where the client connects from. */
function recordConnect(c: Connection, ctx: ConnectContext): void {
  c.acceptedAt = Date.now();
  c.broker.sessionEvents?.connected(c.clientId, c.username, {
    protocolVersion: c.protocolVersion,
    cleanStart: ctx.connect.clean,
    sessionPresent: ctx.sessionPresent,
    keepAlive: c.keepAliveMs / 1000,
    sessionExpiryInterval: c.session!.expiryInterval,
    address: c.remoteAddress,
    ...(ctx.decision && { authenticator: ctx.decision.by, authReason: ctx.decision.reason }),
    ...(c.roles && { roles: c.roles }),
    ...(c.identityAcl && { acl: c.identityAcl.toJSON() }),
    ...(ctx.expiresAt !== undefined && { credentialsExpireAt: new Date(ctx.expiresAt).toISOString() }),
  });
}

