import { QoS } from '@nestmq/mqtt-protocol';
import type { TopicAccess } from '../auth/topic-access';
import { Message } from '../routing/message';
import type { DeliverFn, MayReadFn } from '../routing/router';
import { TopicCache } from '../routing/topic-cache';
import { Session } from '../session/session';

/** Bytes of topics whose ACL read decision a session remembers. */
const READ_DECISION_BYTES = 64 * 1024;

/**
 * One message to one session at the granted QoS: QoS 0 goes straight to the connection (nothing is kept
 * for an offline client), QoS 1 and 2 through the session's inflight window, which queues while offline.
 */
export function deliverToSession(session: Session, message: Message, qos: QoS, retain: boolean, subscriptionIds: number[] | null): void {
  const connection = session.connection;
  if (qos === 0) {
    if (connection !== null) connection.deliverQoS0(message, retain, subscriptionIds, message.receivedAt);
    return;
  }
  session.outbound.deliver(connection, message, qos, retain, subscriptionIds, message.receivedAt);
}

/** The ACL's read decision for a session, remembered per topic in the session. */
export function mayReadWithAcl(acl: Pick<TopicAccess, 'canRead'>): MayReadFn {
  return (session, topic) => {
    const decisions = (session.readDecisions ??= new TopicCache(READ_DECISION_BYTES));
    let allowed = decisions.get(topic);
    if (allowed === undefined) {
      allowed = acl.canRead(session.username, session.clientId, topic, session.acl, session.roles);
      decisions.set(topic, allowed);
    }
    return allowed;
  };
}

/** Delivery with topic ACLs: a message the session's user may not read is not delivered. */
export function deliverWithAcl(mayRead: MayReadFn): DeliverFn {
  return (session, message, qos, retain, subscriptionIds) => {
    if (mayRead(session, message.topic)) deliverToSession(session, message, qos, retain, subscriptionIds);
  };
}
