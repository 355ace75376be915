import type { Message } from '../routing/message';
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
};
