import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ProtocolVersion, QoS, RetainHandling, WILL_PROPERTIES, decodePropertyBlock } from '@nestmq/mqtt-protocol';
import { DurableState, StoredMessageRow, StoredSession } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../database/database.module';
import { Message } from '../routing/message';
import { Router } from '../routing/router';
import { DurableSessions } from './durable-sessions';
import { SESSION_PERSISTENCE } from './session-persistence';
import { RestoredSession, SessionRegistry } from './session-registry';

/** Loads stored sessions and retained messages before the listeners open; flushes pending writes at shutdown. */
@Injectable()
export class SessionRestorer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Persistence');

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SESSION_PERSISTENCE) private readonly durable: DurableSessions,
    private readonly sessions: SessionRegistry,
    private readonly router: Router,
  ) {}

  async onModuleInit(): Promise<void> {
    const state = new DurableState(this.dataSource);
    const now = Date.now();
    const stored = await state.sessions();
    this.durable.lastMessageId = await state.lastMessageId();
    this.durable.lastStoredMessageId = await state.lastStoredMessageId();
    const messages = new RestoredMessages(now);
    this.sessions.restore(stored.map((s) => toRestored(s, messages)), now);
    const retained = (await state.retained())
      .map((r) => new Message(r.topic, Buffer.from(r.topic), r.payload, r.qos as QoS, true, r.properties, r.expiresAt?.getTime() ?? 0, r.publisherClientId ?? '', now))
      .filter((m) => !m.isExpired(now));
    this.router.retained.restore(retained);
    if (stored.length > 0 || retained.length > 0) {
      this.logger.log(`restored ${stored.length} session(s) and ${retained.length} retained message(s)`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.durable.queue.close();
  }
}

/** One Message per stored message, shared by the sessions it is queued for, as the router shared it. */
class RestoredMessages {
  private readonly byId = new Map<number, Message>();

  constructor(private readonly now: number) {}

  get(row: StoredMessageRow): Message {
    let message = this.byId.get(row.id);
    if (message === undefined) {
      // The load time rather than received_at: delivery takes a message's receipt time for the current time (qos/deliver.ts).
      message = new Message(row.topic, Buffer.from(row.topic), row.payload, row.qos as QoS, row.retain, row.properties, row.expiresAt?.getTime() ?? 0, row.publisherClientId ?? '', this.now);
      message.storedId = row.id;
      this.byId.set(row.id, message);
    }
    return message;
  }
}

function toRestored(s: StoredSession, messages: RestoredMessages): RestoredSession {
  return {
    clientId: s.clientId,
    username: s.username ?? undefined,
    protocolVersion: s.protocolVersion as ProtocolVersion,
    expiryInterval: s.expiryInterval,
    will:
      s.willTopic === null
        ? undefined
        : {
            topic: s.willTopic,
            payload: s.willPayload ?? Buffer.alloc(0),
            qos: (s.willQos ?? 0) as QoS,
            retain: s.willRetain ?? false,
            properties: s.willProperties ? decodePropertyBlock(s.willProperties, WILL_PROPERTIES) : undefined,
          },
    disconnectedAt: s.lastDisconnectAt?.getTime(),
    messages: s.messages.map((m) => ({
      message: messages.get(m.message),
      qos: m.qos as 1 | 2,
      retain: m.retain,
      subscriptionIds: m.subscriptionIds,
      packetId: m.packetId,
      released: m.state === 2,
      storeId: m.id,
    })),
    inboundQoS2: s.inboundQoS2,
    subscriptions: s.subscriptions.map((r) => ({
      topicFilter: r.topicFilter,
      qos: r.qos as QoS,
      noLocal: r.noLocal,
      retainAsPublished: r.retainAsPublished,
      retainHandling: r.retainHandling as RetainHandling,
      subscriptionId: r.subscriptionId,
    })),
  };
}
