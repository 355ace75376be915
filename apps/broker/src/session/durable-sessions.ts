import { Logger } from '@nestjs/common';
import { WILL_PROPERTIES, encodePropertyBlock } from '@nestmq/mqtt-protocol';
import { StoredMessageRow, WriteBehindQueue } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import type { Outbound, OutboundJournal } from '../qos/inflight-window';
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
  writes = 0;
  /** Session message ids increase across restarts: the start-up load sets where numbering resumes. */
  lastMessageId = 0;
  /** Likewise for stored messages, one per Message however many sessions it is queued for. */
  lastStoredMessageId = 0;
  private readonly journals = new Map<string, OutboundJournal>();

  constructor(dataSource: DataSource) {
    this.queue = new WriteBehindQueue(dataSource, {
      maxDelayMs: 1,
      maxRows: 2000,
      onError: (e, attempt) => {
        if (attempt === 1 || attempt % 20 === 0) this.logger.error(`database write failed (attempt ${attempt}), retrying: ${(e as Error).message}`);
      },
    });
  }

  committed(): Promise<void> {
    return this.queue.committed();
  }

  journalFor(clientId: string): OutboundJournal {
    let journal = this.journals.get(clientId);
    if (journal === undefined) {
      journal = {
        added: (o: Outbound) => {
          const m = o.message;
          // The router hands the same Message to every session it goes to: its payload is stored once.
          if (m.storedId === 0) {
            m.storedId = ++this.lastStoredMessageId;
            this.queue.storeMessage(storedRow(m), true);
          } else if (!this.queue.storesMessage(m.storedId)) {
            // Stored by an earlier batch (a retained message given to a new subscriber, say), and perhaps
            // deleted since with its last reference.
            this.queue.storeMessage(storedRow(m), false);
          }
          o.storeId = ++this.lastMessageId;
          this.writes++;
          this.queue.insertMessage({
            id: o.storeId,
            clientId,
            messageId: m.storedId,
            qos: o.qos,
            retain: o.retain,
            subscriptionIds: o.subscriptionIds,
            packetId: o.packetId,
            state: o.packetId === 0 ? 0 : o.released ? 2 : 1,
          });
        },
        progressed: (o: Outbound) => {
          this.writes++;
          this.queue.updateMessage(o.storeId, o.packetId, o.released ? 2 : 1);
        },
        removed: (o: Outbound) => {
          this.writes++;
          this.queue.deleteMessage(o.storeId, o.message.storedId);
        },
      };
      this.journals.set(clientId, journal);
    }
    return journal;
  }

  inboundQoS2(clientId: string, packetId: number, present: boolean): void {
    this.writes++;
    this.queue.setInboundQoS2(clientId, packetId, present);
  }

  sessionSaved(session: Session): void {
    this.writes++;
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
    this.writes++;
    this.journals.delete(clientId);
    this.queue.deleteSession(clientId);
  }

  subscriptionSaved(clientId: string, r: SubscriptionRecord): void {
    this.writes++;
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
    this.writes++;
    this.queue.deleteSubscription(clientId, topicFilter);
  }

  retainedSaved(m: Message): void {
    this.writes++;
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
    this.writes++;
    this.queue.deleteRetained(topic);
  }
}

function storedRow(m: Message): StoredMessageRow {
  return {
    id: m.storedId,
    topic: m.topic,
    payload: m.payload,
    qos: m.qos,
    retain: m.retain,
    properties: m.properties,
    expiresAt: m.expiresAt === 0 ? null : new Date(m.expiresAt),
    publisherClientId: m.publisherId || null,
    receivedAt: new Date(m.receivedAt),
  };
}
