import { Logger } from '@nestjs/common';
import { WILL_PROPERTIES, encodePropertyBlock } from '@nestmq/mqtt-protocol';
import { WriteBehindQueue } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import type { Message } from '../routing/message';
import type { Session, SubscriptionRecord } from './session';
import { SessionPersistence } from './session-persistence';

/**
 * Session state into the database through the write-behind queue: rows are queued here and written in
 * batches, never on the path of a message.
 */
export class DurableSessions implements SessionPersistence {
  private readonly logger = new Logger('Persistence');
  readonly queue: WriteBehindQueue;

  constructor(dataSource: DataSource) {
    this.queue = new WriteBehindQueue(dataSource, {
      maxDelayMs: 5,
      maxRows: 2000,
      onError: (e, attempt) => {
        if (attempt === 1 || attempt % 20 === 0) this.logger.error(`database write failed (attempt ${attempt}), retrying: ${(e as Error).message}`);
      },
    });
  }

  sessionSaved(session: Session): void {
    const will = session.will;
    this.queue.saveSession({
      clientId: session.clientId,
      username: session.username ?? null,
      protocolVersion: session.protocolVersion,
      expiryInterval: session.expiryInterval,
      willTopic: will?.topic ?? null,
      willPayload: will?.payload ?? null,
      willQos: will?.qos ?? null,
      willRetain: will?.retain ?? null,
      willProperties: will ? encodePropertyBlock(will.properties, WILL_PROPERTIES) : null,
      lastConnectAt: new Date(),
      lastDisconnectAt: session.disconnectedAt > 0 ? new Date(session.disconnectedAt) : null,
    });
  }

  sessionEnded(clientId: string): void {
    this.queue.deleteSession(clientId);
  }

  subscriptionSaved(clientId: string, r: SubscriptionRecord): void {
    this.queue.saveSubscription({
      clientId,
      topicFilter: r.topicFilter,
      qos: r.qos,
      noLocal: r.noLocal,
      retainAsPublished: r.retainAsPublished,
      retainHandling: r.retainHandling,
      subscriptionId: r.subscriptionId,
    });
  }

  subscriptionRemoved(clientId: string, topicFilter: string): void {
    this.queue.deleteSubscription(clientId, topicFilter);
  }

  retainedSaved(m: Message): void {
    this.queue.saveRetained({
      topic: m.topic,
      payload: m.payload,
      qos: m.qos,
      properties: m.properties,
      expiresAt: m.expiresAt === 0 ? null : new Date(m.expiresAt),
      publisherClientId: m.publisherId || null,
    });
  }

  retainedRemoved(topic: string): void {
    this.queue.deleteRetained(topic);
  }
}
