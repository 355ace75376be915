import { Injectable } from '@nestjs/common';
import { PacketType, decodePropertyBlock } from '@nestmq/mqtt-protocol';
import { propertiesToJson } from '../../history/history-recorder';
import { Session } from '../../session/session';
import { SessionRegistry } from '../../session/session-registry';
import { badInput, notFound } from '../admin-error';
import { AuditService } from '../audit/audit.service';
import { pageSize } from '../page-size';
import { KeyedPage, byString } from '../paging';
import { payloadText } from '../payload-text';
import { SessionDetailType, SessionPageType, SessionType, StoredMessageType, SubscriptionInfoType, WillInfoType } from './sessions.types';

const noSession = (clientId: string): Error => notFound(`no session "${clientId}"`);

function toSession(s: Session): SessionType {
  const offlineSince = s.connection === null ? s.disconnectedAt : undefined;
  return {
    clientId: s.clientId,
    username: s.username ?? null,
    online: s.connection !== null,
    protocolVersion: s.protocolVersion,
    expiryInterval: s.expiryInterval,
    expiresAt: offlineSince === undefined || s.expiryInterval >= 0xffffffff ? null : new Date(offlineSince + s.expiryInterval * 1000),
    subscriptions: s.subscriptions.size,
    queued: s.outbound.queued,
    inflight: s.outbound.inflight.size,
    willPending: s.will !== undefined,
  };
}

/** Persistent sessions, connected or not, read from the registry; an offline one may be ended. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly audit: AuditService,
  ) {}

  /** Persistent sessions matching `filter` (and `online`), by client id, `first` (1 to MAX_PAGE_SIZE) after the client id `after`. */
  page(filter: string | null | undefined, online: boolean | null | undefined, first: number, after: string | null | undefined): SessionPageType {
    pageSize(first);
    const needle = filter?.toLowerCase() ?? '';
    const page = new KeyedPage<Session>(first, after);
    for (const s of this.registry.all()) {
      if (s.expiryInterval <= 0) continue;
      if (online != null && (s.connection !== null) !== online) continue;
      if (needle && !s.clientId.toLowerCase().includes(needle) && !(s.username ?? '').toLowerCase().includes(needle)) continue;
      page.add(s.clientId, s);
    }
    const { items, nextCursor } = page.result();
    return { sessions: items.map(toSession), total: page.total, nextCursor };
  }

  /** Any session, persistent or not, connected or not. */
  get(clientId: string): SessionType | null {
    const session = this.registry.get(clientId);
    return session === undefined ? null : toSession(session);
  }

  /** Any session with its subscriptions and will, or NOT_FOUND. */
  detail(clientId: string): SessionDetailType {
    const session = this.registry.get(clientId);
    if (session === undefined) throw noSession(clientId);
    return { ...toSession(session), subscriptionList: this.subscriptions(clientId), will: this.will(clientId) };
  }

  subscriptions(clientId: string): SubscriptionInfoType[] {
    const session = this.registry.get(clientId);
    if (session === undefined) return [];
    return [...session.subscriptions.values()]
      .map((r) => ({ topicFilter: r.topicFilter, qos: r.qos, noLocal: r.noLocal, retainAsPublished: r.retainAsPublished, retainHandling: r.retainHandling, subscriptionId: r.subscriptionId || null }))
      .sort((a, b) => byString(a.topicFilter, b.topicFilter));
  }

  will(clientId: string): WillInfoType | null {
    const will = this.registry.get(clientId)?.will;
    if (will === undefined) return null;
    return { topic: will.topic, qos: will.qos, retain: will.retain, payloadText: payloadText(will.payload), payloadBase64: will.payload.toString('base64'), delayInterval: will.properties?.willDelayInterval ?? 0 };
  }

  /** The QoS 1/2 messages a session is still owed, in flight first, then queued, `first` (1 to MAX_PAGE_SIZE) at most. */
  storedMessages(clientId: string, first: number): StoredMessageType[] {
    pageSize(first);
    const session = this.registry.get(clientId);
    if (session === undefined) throw noSession(clientId);
    return session.outbound.owed(first).map((o) => ({
      state: o.packetId === 0 ? 'queued' : o.released ? 'released' : 'inflight',
      packetId: o.packetId === 0 ? null : o.packetId,
      topic: o.message.topic,
      qos: o.qos,
      retain: o.retain,
      payloadText: payloadText(o.message.payload),
      payloadBase64: o.message.payload.toString('base64'),
      properties: o.message.properties === null ? null : propertiesToJson(decodePropertyBlock(o.message.properties, PacketType.Publish)),
      receivedAt: new Date(o.message.receivedAt),
    }));
  }

  /** Ends an offline session now: its subscriptions, queued messages and pending will are gone. */
  async delete(actor: string, clientId: string): Promise<boolean> {
    const session = this.registry.get(clientId);
    if (session === undefined) throw noSession(clientId);
    if (session.connection !== null) throw badInput(`"${clientId}" is connected: kick the client first (kickClient), then delete its session`);
    const before = toSession(session);
    this.registry.end(session, false);
    await this.audit.record({ actor, action: 'deleteSession', target: clientId, details: { before: { subscriptions: before.subscriptions, queued: before.queued, username: before.username } } });
    return true;
  }
}
