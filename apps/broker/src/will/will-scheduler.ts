import { WILL_PROPERTIES, WillMessage, encodePropertyBlock } from '@nestmq/mqtt-protocol';
import { Message } from '../routing/message';
import { Router } from '../routing/router';
import { LongTimeout } from '../session/long-timeout';
import { Session } from '../session/session';

/**
 * Will Messages (§3.1.2.5, §3.1.3.2): published when a connection ends without DISCONNECT 0x00, after the
 * Will Delay Interval or when the session ends, whichever comes first [MQTT-3.1.3-9]; cancelled when the
 * client reconnects in time [MQTT-3.1.3-9].
 */
export class WillScheduler {
  /** Told when a will went out, so a stored session no longer carries it. */
  onPublished: (session: Session) => void = () => undefined;

  constructor(private readonly router: Router) {}

  /** Called when a connection is lost; `sessionEndsInMs` is when the session will expire (Infinity: never). */
  connectionLost(session: Session, sessionEndsInMs: number): void {
    const will = session.will;
    if (will === undefined) return;
    this.publishIn(session, Math.min((will.properties?.willDelayInterval ?? 0) * 1000, sessionEndsInMs));
  }

  /** Publishes the pending will after `ms` (now when `ms` <= 0). */
  publishIn(session: Session, ms: number): void {
    if (ms <= 0) {
      this.publish(session);
      return;
    }
    session.willTimer = new LongTimeout(() => this.publish(session), ms);
  }

  /** A reconnect within the delay: the will is not sent. */
  cancel(session: Session): void {
    session.willTimer?.cancel();
    session.willTimer = undefined;
  }

  /** Publishes the pending will now (session end, delay elapsed); a no-op when there is none. */
  publish(session: Session): void {
    session.willTimer?.cancel();
    session.willTimer = undefined;
    const will = session.will;
    session.will = undefined;
    if (will === undefined) return;
    this.router.publish(willToMessage(will, session.clientId, Date.now()));
    this.onPublished(session);
  }
}

export function willToMessage(will: WillMessage, clientId: string, now: number): Message {
  // Will Delay Interval is for the broker; everything else travels with the message.
  const { willDelayInterval: _delay, messageExpiryInterval, ...forwarded } = will.properties ?? {};
  const properties = encodePropertyBlock(forwarded, WILL_PROPERTIES);
  return new Message(
    will.topic,
    Buffer.from(will.topic),
    will.payload,
    will.qos,
    will.retain,
    properties,
    messageExpiryInterval !== undefined ? now + messageExpiryInterval * 1000 : 0,
    clientId,
    now,
  );
}
