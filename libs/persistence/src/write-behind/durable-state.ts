import { DataSource } from 'typeorm';
import { RetainedRow, StoredMessageRow, StoredSession, StoredSessionMessage, SubscriptionRow } from './rows';

/** Appends `value` to the list kept under `key`. */
function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const bytes = (value: unknown): Buffer | null =>
  value === null || value === undefined ? null : Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);

/** Reads back what the write-behind queue stored: the state a broker restores at start-up. */
export class DurableState {
  constructor(private readonly dataSource: DataSource) {}

  async sessions(): Promise<StoredSession[]> {
    const rows = (await this.dataSource.query(`SELECT * FROM sessions ORDER BY client_id`)) as Array<Record<string, unknown>>;
    const subs = (await this.dataSource.query(`SELECT * FROM subscriptions ORDER BY client_id, topic_filter`)) as Array<Record<string, unknown>>;
    const byClient = new Map<string, SubscriptionRow[]>();
    for (const s of subs) {
      const row: SubscriptionRow = {
        clientId: s.client_id as string,
        topicFilter: s.topic_filter as string,
        qos: Number(s.qos),
        noLocal: s.no_local as boolean,
        retainAsPublished: s.retain_as_published as boolean,
        retainHandling: Number(s.retain_handling),
        subscriptionId: Number(s.subscription_id),
      };
      push(byClient, row.clientId, row);
    }
    const stored = new Map<number, StoredMessageRow>();
    for (const r of (await this.dataSource.query(`SELECT * FROM stored_messages`)) as Array<Record<string, unknown>>) {
      const row: StoredMessageRow = {
        id: Number(r.id),
        topic: r.topic as string,
        payload: bytes(r.payload)!,
        qos: Number(r.qos),
        retain: r.retain as boolean,
        properties: bytes(r.properties),
        expiresAt: r.expires_at === null ? null : new Date(r.expires_at as string | Date),
        publisherClientId: (r.publisher_client_id as string | null) ?? null,
        receivedAt: new Date(r.received_at as string | Date),
      };
      stored.set(row.id, row);
    }
    const messages = new Map<string, StoredSessionMessage[]>();
    for (const r of (await this.dataSource.query(`SELECT * FROM session_messages ORDER BY id`)) as Array<Record<string, unknown>>) {
      const message = stored.get(Number(r.message_id));
      // Written in the same transaction as its references and deleted only with the last of them; a
      // reference without it has nothing to deliver.
      if (message === undefined) continue;
      const row: StoredSessionMessage = {
        id: Number(r.id),
        clientId: r.client_id as string,
        messageId: message.id,
        message,
        qos: Number(r.qos),
        retain: r.retain as boolean,
        subscriptionIds: (r.subscription_ids as number[] | null)?.map(Number) ?? null,
        packetId: r.packet_id === null ? 0 : Number(r.packet_id),
        state: Number(r.state),
      };
      push(messages, row.clientId, row);
    }
    const qos2 = new Map<string, number[]>();
    for (const r of (await this.dataSource.query(`SELECT client_id, packet_id FROM inbound_qos2 ORDER BY client_id, packet_id`)) as Array<Record<string, unknown>>) {
      push(qos2, r.client_id as string, Number(r.packet_id));
    }
    return rows.map((r) => ({
      clientId: r.client_id as string,
      username: (r.username as string | null) ?? null,
      protocolVersion: Number(r.protocol_version),
      expiryInterval: Number(r.expiry_interval),
      willTopic: (r.will_topic as string | null) ?? null,
      willPayload: bytes(r.will_payload),
      willQos: r.will_qos === null ? null : Number(r.will_qos),
      willRetain: (r.will_retain as boolean | null) ?? null,
      willProperties: bytes(r.will_properties),
      lastConnectAt: new Date(r.last_connect_at as string | Date),
      lastDisconnectAt: r.last_disconnect_at === null ? null : new Date(r.last_disconnect_at as string | Date),
      subscriptions: byClient.get(r.client_id as string) ?? [],
      messages: messages.get(r.client_id as string) ?? [],
      inboundQoS2: qos2.get(r.client_id as string) ?? [],
    }));
  }

  /** The highest session message id stored, to continue numbering after a restart. */
  async lastMessageId(): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT coalesce(max(id), 0) AS id FROM session_messages`)) as Array<{ id: string | number }>;
    return Number(row.id);
  }

  /** The highest stored message id, likewise. */
  async lastStoredMessageId(): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT coalesce(max(id), 0) AS id FROM stored_messages`)) as Array<{ id: string | number }>;
    return Number(row.id);
  }

  async retained(): Promise<RetainedRow[]> {
    const rows = (await this.dataSource.query(`SELECT * FROM retained_messages ORDER BY topic`)) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      topic: r.topic as string,
      payload: bytes(r.payload)!,
      qos: Number(r.qos),
      properties: bytes(r.properties),
      expiresAt: r.expires_at === null ? null : new Date(r.expires_at as string | Date),
      publisherClientId: (r.publisher_client_id as string | null) ?? null,
    }));
  }
}
