import { Injectable } from '@nestjs/common';
import { ListenerException, ListenerExceptionCode } from '../../transport/listener.exception';
import { ListenerState, ListenersService } from '../../transport/listeners.service';
import { AdminErrorCode, adminError } from '../admin-error';
import { AuditService } from '../audit/audit.service';

/** The admin API's code for each reason a listener change is refused. */
function codeOf(code: ListenerExceptionCode): AdminErrorCode {
  switch (code) {
    case ListenerExceptionCode.NOT_FOUND:
      return 'NOT_FOUND';
    case ListenerExceptionCode.INVALID_INPUT:
      return 'BAD_USER_INPUT';
    case ListenerExceptionCode.LISTEN_FAILED:
      return 'LISTEN_FAILED';
    case ListenerExceptionCode.SHUTTING_DOWN:
      return 'SHUTTING_DOWN';
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped listener error code ${String(unreachable)}`);
    }
  }
}

/**
 * Listener changes an admin asks for, over GraphQL or REST: done by the ListenersService, written to the
 * audit log; a refusal is an admin API error with its code.
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
    const { before, after, disconnected } = await this.listeners.setEnabled(id, enabled, disconnectClients).catch((e: unknown) => {
      throw e instanceof ListenerException ? adminError(codeOf(e.code), e.message) : e;
    });
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
