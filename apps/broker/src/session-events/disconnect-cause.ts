import { ReasonCode } from '@nestmq/mqtt-protocol';

/**
 * Who ended a connection, as its `disconnect` event tells it: the client (DISCONNECT), the broker (keep
 * alive, a protocol error, shutdown) or the network (the socket failed or closed without DISCONNECT).
 * `takeover` never reaches the log as a disconnect: the registry records it as `kicked`.
 */
export type DisconnectCause =
  | 'client'
  | 'keep-alive'
  | 'protocol-error'
  | 'internal-error'
  | 'server-shutdown'
  | 'takeover'
  | 'socket-error'
  | 'socket-closed';

/** The cause behind a DISCONNECT the broker sends (or, to a 3.1.1 client, the close it does instead). */
export function serverDisconnectCause(reasonCode: ReasonCode): DisconnectCause {
  switch (reasonCode) {
    case ReasonCode.KeepAliveTimeout:
      return 'keep-alive';
    case ReasonCode.ServerShuttingDown:
      return 'server-shutdown';
    case ReasonCode.SessionTakenOver:
      return 'takeover';
    default:
      // Every other DISCONNECT the broker sends answers something the client did wrong (§4.13).
      return 'protocol-error';
  }
}
