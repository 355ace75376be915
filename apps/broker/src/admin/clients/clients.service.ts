import { Injectable } from '@nestjs/common';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionRegistry } from '../../session/session-registry';
import { Session } from '../../session/session';
import { notFound } from '../admin-error';
import { AuditService } from '../audit/audit.service';
import { pageSize } from '../page-size';
import { KeyedPage } from '../paging';
import { ClientPageType, ClientType } from './clients.types';

const notConnected = (clientId: string): Error => notFound(`no client "${clientId}" is connected`);

function toClient(session: Session): ClientType {
  const c = session.connection!;
  return {
    clientId: session.clientId,
    username: c.username ?? null,
    address: c.remoteAddress,
    protocolVersion: c.protocolVersion,
    keepAlive: Math.round(c.keepAliveMs / 1000),
    connectedAt: new Date(c.acceptedAt),
    inflight: session.outbound.inflight.size,
    queued: session.outbound.queued,
    subscriptions: session.subscriptions.size,
    persistent: session.expiryInterval > 0,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    messagesIn: c.publishIn,
    messagesOut: c.publishOut,
  };
}

/** The live connections, read from the session store; kicking one is the only change made here. */
@Injectable()
export class ClientsService {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly audit: AuditService,
  ) {}

  /** Connected clients matching `filter`, by client id, `first` (1 to MAX_PAGE_SIZE) after the client id `after`. */
  page(filter: string | null | undefined, first: number, after: string | null | undefined): ClientPageType {
    pageSize(first);
    const needle = filter?.toLowerCase() ?? '';
    const page = new KeyedPage<Session>(first, after);
    for (const session of this.sessions.all()) {
      const c = session.connection;
      if (c === null) continue;
      if (needle && !session.clientId.toLowerCase().includes(needle) && !(c.username ?? '').toLowerCase().includes(needle) && !c.remoteAddress.includes(needle)) continue;
      page.add(session.clientId, session);
    }
    const { items, nextCursor } = page.result();
    return { clients: items.map(toClient), total: page.total, nextCursor };
  }

  /** A connected client, or null. */
  get(clientId: string): ClientType | null {
    const session = this.sessions.get(clientId);
    return session?.connection ? toClient(session) : null;
  }

  /** A connected client, or NOT_FOUND. */
  one(clientId: string): ClientType {
    const client = this.get(clientId);
    if (client === null) throw notConnected(clientId);
    return client;
  }

  /** Disconnects a client: MQTT 5.0 clients are told 0x98 Administrative action. The session stays as the client left it. */
  async kick(actor: string, clientId: string): Promise<boolean> {
    const session = this.sessions.get(clientId);
    const connection = session?.connection;
    if (!connection) throw notConnected(clientId);
    const client = toClient(session!);
    connection.disconnect(ReasonCode.AdministrativeAction, 'Disconnected by an administrator');
    await this.audit.record({ actor, action: 'kickClient', target: clientId, details: { username: client.username, address: client.address } });
    return true;
  }
}
