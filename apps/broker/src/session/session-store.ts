import { Session } from './session';

/**
 * Where sessions live between connections. The in-memory store keeps them for the life of the process;
 * a durable store replaces it behind this interface.
 */
export interface SessionStore {
  readonly size: number;
  get(clientId: string): Session | undefined;
  put(session: Session): void;
  delete(clientId: string): void;
  values(): IterableIterator<Session>;
}

export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session>();

  get size(): number {
    return this.sessions.size;
  }

  get(clientId: string): Session | undefined {
    return this.sessions.get(clientId);
  }

  put(session: Session): void {
    this.sessions.set(session.clientId, session);
  }

  delete(clientId: string): void {
    this.sessions.delete(clientId);
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }
}
