import { ReasonCode, SubscribePacket, Subscription, WillMessage } from '@nestmq/mqtt-protocol';
import { Connection, ConnectionState } from '../../transport/connection';
import type { AclHook, AclQuery } from './acl-hook';

/**
 * How a connection waits for the ACL hook. The broker's checks of publish and delivery are synchronous,
 * the hook is not: on a question the connection has no remembered answer to, it stops reading (the
 * packets already received wait in its parser, unread) until the answer, acts on it, then reads on. So
 * its packets are still handled in the order they came, it has at most one request to the hook under way
 * however many topics it floods, and no other client waits for it.
 *
 * Answers: allowed, 0x87 Not authorized when the hook denies, 0x80 Unspecified error when it could not
 * answer (fail closed; counted by the hook). The connection stays open either way.
 */

/** The remembered answer about publishing to `topic`, or undefined when the hook must be asked. */
export function rememberedPublish(c: Connection, hook: AclHook, topic: string, qos: number, retain: boolean): boolean | undefined {
  return c.hookPublishAnswers?.get(topic, qos, retain, hook.now());
}

/** Asks the hook about a PUBLISH, reading paused meanwhile; `then` gets Success, 0x87 or 0x80. */
export function waitForPublish(c: Connection, hook: AclHook, topic: string, qos: number, retain: boolean, then: (code: ReasonCode) => void): void {
  const query: AclQuery = { action: 'publish', clientId: c.clientId, username: c.username, topic, qos, retain, address: c.remoteAddress };
  wait(c, async (signal) => {
    try {
      const allowed = await hook.allows(query, signal);
      remember((c.hookPublishAnswers ??= hook.answers()), hook, topic, qos, retain, allowed);
      return allowed ? ReasonCode.Success : ReasonCode.NotAuthorized;
    } catch (e) {
      if (signal.aborted) throw e;
      return ReasonCode.UnspecifiedError;
    }
  }, then);
}

/**
 * Asks the hook about each filter of a SUBSCRIBE that the broker would otherwise accept (`refusedByBroker`
 * says which it refuses itself), one after the other; `then` gets a code per filter: 0 to go on, 0x87 or
 * 0x80 to refuse it in SUBACK. Once the hook has failed, the packet's later filters are refused with 0x80
 * unasked: a hook that is down would otherwise make a SUBACK wait a timeout per filter.
 */
export function waitForSubscribe(
  c: Connection,
  hook: AclHook,
  packet: SubscribePacket,
  refusedByBroker: (sub: Subscription) => boolean,
  then: (codes: number[]) => void,
): void {
  wait(c, async (signal) => {
    const codes: number[] = [];
    let failed = false;
    for (const sub of packet.subscriptions) {
      if (refusedByBroker(sub)) {
        codes.push(0);
        continue;
      }
      const remembered = c.hookSubscribeAnswers?.get(sub.topicFilter, sub.qos, false, hook.now());
      if (remembered !== undefined) {
        codes.push(remembered ? 0 : ReasonCode.NotAuthorized);
        continue;
      }
      if (failed) {
        codes.push(ReasonCode.UnspecifiedError);
        continue;
      }
      const query: AclQuery = { action: 'subscribe', clientId: c.clientId, username: c.username, topic: sub.topicFilter, qos: sub.qos, retain: false, address: c.remoteAddress };
      try {
        const allowed = await hook.allows(query, signal);
        remember((c.hookSubscribeAnswers ??= hook.answers()), hook, sub.topicFilter, sub.qos, false, allowed);
        codes.push(allowed ? 0 : ReasonCode.NotAuthorized);
      } catch (e) {
        if (signal.aborted) throw e;
        failed = true;
        codes.push(ReasonCode.UnspecifiedError);
      }
    }
    return codes;
  }, then);
}

/**
 * The will, at CONNECT (reading is already paused there): undefined when the hook allows it, 0x87 when it
 * denies, 0x88 Server unavailable when it cannot answer, as for any backend a CONNECT waits on.
 */
export async function willRefusal(c: Connection, hook: AclHook, will: WillMessage): Promise<ReasonCode | undefined> {
  const abort = (c.hookWait = new AbortController());
  const query: AclQuery = { action: 'publish', clientId: c.clientId, username: c.username, topic: will.topic, qos: will.qos, retain: will.retain, address: c.remoteAddress };
  try {
    const allowed = await hook.allows(query, abort.signal);
    remember((c.hookPublishAnswers ??= hook.answers()), hook, will.topic, will.qos, will.retain, allowed);
    return allowed ? undefined : ReasonCode.NotAuthorized;
  } catch (e) {
    if (abort.signal.aborted) throw e;
    return ReasonCode.ServerUnavailable;
  } finally {
    c.hookWait = undefined;
  }
}

function remember(answers: NonNullable<Connection['hookPublishAnswers']>, hook: AclHook, topic: string, qos: number, retain: boolean, allowed: boolean): void {
  if (hook.options.cacheTtl > 0) answers.set(topic, qos, retain, allowed, hook.validUntil());
}

/**
 * Pauses reading, runs `ask`, hands its result to `then` and reads on: the packets that arrived
 * meanwhile are handled after, in their order. A connection that closes meanwhile aborts the request.
 */
function wait<T>(c: Connection, ask: (signal: AbortSignal) => Promise<T>, then: (result: T) => void): void {
  c.pause();
  const abort = (c.hookWait = new AbortController());
  ask(abort.signal)
    .then(
      (result) => {
        c.hookWait = undefined;
        if (c.state === ConnectionState.Closed) return;
        // The broker stopped reading, not the client talking: its keep-alive counts from now.
        c.lastPacketAt = Date.now();
        then(result);
        if ((c.state as ConnectionState) !== ConnectionState.Closed) c.resume();
      },
      () => {
        // Aborted: the connection has gone.
        c.hookWait = undefined;
      },
    )
    .catch((e: unknown) => c.failed(e));
}
