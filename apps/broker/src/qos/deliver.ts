import { QoS } from '@nestmq/mqtt-protocol';
import { Message } from '../routing/message';
import { Session } from '../session/session';

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
