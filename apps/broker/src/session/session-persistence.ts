import type { Message } from '../routing/message';
import type { OutboundJournal } from '../qos/inflight-window';
import type { Session, SubscriptionRecord } from './session';

/**
 * What the broker tells durable storage, beside the hot path: plain calls that queue rows. Only
 * persistent sessions (Session Expiry Interval > 0) are stored.
 */
export interface SessionPersistence {
  sessionSaved(session: Session): void;
  sessionEnded(clientId: string): void;
  subscriptionSaved(clientId: string, record: SubscriptionRecord): void;
  subscriptionRemoved(clientId: string, topicFilter: string): void;
  retainedSaved(message: Message): void;
  retainedRemoved(topic: string): void;
  /** Where a persistent session's outgoing QoS 1/2 messages are kept. */
  journalFor(clientId: string): OutboundJournal | null;
  /** QoS 2 receive state of a persistent session [MQTT-4.3.3-10]. */
  inboundQoS2(clientId: string, packetId: number, present: boolean): void;
  /** Grows with every change queued: compare before and after to know whether a commit must be awaited. */
  readonly writes: number;
  /** Resolves once everything queued so far is committed. */
  committed(): Promise<void>;
}

export const SESSION_PERSISTENCE = Symbol('SESSION_PERSISTENCE');

/** For a broker, or a unit under test, that keeps nothing. */
export const NO_PERSISTENCE: SessionPersistence = {
  sessionSaved: () => undefined,
  sessionEnded: () => undefined,
  subscriptionSaved: () => undefined,
  subscriptionRemoved: () => undefined,
  retainedSaved: () => undefined,
  retainedRemoved: () => undefined,
  journalFor: () => null,
  inboundQoS2: () => undefined,
  writes: 0,
  committed: () => Promise.resolve(),
};
