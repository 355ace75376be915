import { Injectable } from '@nestjs/common';
import { ListenerState, ListenersService } from '../../transport/listeners.service';
import { AuditService } from '../audit/audit.service';

/**
 * Listener changes an admin asks for, whatever the transport (GraphQL now): done by the ListenersService,
 * written to the audit log. Refusals are ListenerExceptions, for each transport to map.
 */
@Injectable()
export class ListenersAdminService {
  constructor(
    private readonly listeners: ListenersService,
    private readonly audit: AuditService,
  ) {}

  list(): ListenerState[] {
    return this.listeners.list();
  }

  /** Stops or starts a listener accepting connections (see ListenersService.setEnabled); audited. */
  async setEnabled(actor: string, id: string, enabled: boolean, disconnectClients: boolean): Promise<ListenerState> {
    const { before, after, disconnected } = await this.listeners.setEnabled(id, enabled, disconnectClients);
    await this.audit.record({
      actor,
      action: 'setListenerEnabled',
      target: after.id,
      details: {
        before: { enabled: before.enabled, connections: before.connections },
        after: { enabled: after.enabled, connections: after.connections },
        disconnectClients,
        disconnected,
      },
    });
    return after;
  }
}
