/** Why a change to a listener was refused; each transport of the admin API maps every code. */
export enum ListenerExceptionCode {
  /** No listener has that id. */
  NOT_FOUND = 'NOT_FOUND',
  /** The arguments do not go together (disconnecting clients while enabling, say). */
  INVALID_INPUT = 'INVALID_INPUT',
  /** The port could not be bound again (taken meanwhile, say): the listener stays disabled. */
  LISTEN_FAILED = 'LISTEN_FAILED',
  /** The broker is shutting down: its listeners are closing for good. */
  SHUTTING_DOWN = 'SHUTTING_DOWN',
}

export class ListenerException extends Error {
  constructor(
    readonly code: ListenerExceptionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ListenerException';
  }
}
