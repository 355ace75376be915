import { Client, SearchOptions, SearchResult } from 'ldapts';
import { isIP } from 'node:net';
import { ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { AuthBackendError } from '../chain/chain-member';

export interface ConnectionSettings {
  url: string;
  /** Upgrade ldap:// with StartTLS before anything else is sent. */
  startTls: boolean;
  /** CA and verification for ldaps:// and StartTLS. */
  tls: ConnectionOptions;
  /** Milliseconds one check may take in all, its wait for a connection included. */
  timeoutMs: number;
  /** Connections open at most. */
  max: number;
  /** Checks that may wait for a connection at most; past them a check is refused at once (0x88). */
  maxWaiting?: number;
}

/**
 * The default of maxWaiting: MAX_PENDING_CONNECTS already bounds MQTT's checks, and the login throttle the
 * admin API's; this bounds what reaches the directory's queue whatever calls it.
 */
const MAX_WAITING = 1024;
/** An idle connection is closed after this long: the directory would drop it some time anyway. */
const IDLE_MS = 60_000;

/**
 * One connection to the directory, used by one check at a time (a bind changes the whole connection's
 * identity, so two checks cannot share one). `boundAs` is the DN its last successful bind proved.
 */
export class DirectoryConnection {
  boundAs: string | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  private client: Client;
  /** StartTLS succeeded on the client's connection (only then may a bind be sent on it). */
  private secured = false;
  /** The TLS socket StartTLS made has closed (ldapts watches only the socket under it, and would think it open). */
  private tlsClosed = false;

  constructor(private readonly settings: ConnectionSettings) {
    this.client = this.newClient();
  }

  private newClient(): Client {
    const secure = this.settings.url.toLowerCase().startsWith('ldaps:');
    const client: Client = new Client({
      url: this.settings.url,
      timeout: this.settings.timeoutMs,
      connectTimeout: this.settings.timeoutMs,
      // Given to the client only for ldaps://: any TLS option makes ldapts open TLS from the first byte.
      ...(secure && { tlsOptions: this.settings.tls }),
      ...(this.settings.startTls && {
        createSecureConnection: ((options: ConnectionOptions) => {
          const socket = tlsConnect(options);
          socket.once('close', () => {
            if (this.client === client) this.tlsClosed = true;
          });
          return socket;
        }) as typeof tlsConnect,
      }),
    });
    return client;
  }

  async bind(dn: string, password: string): Promise<void> {
    await this.ready();
    this.boundAs = undefined;
    await this.client.bind(dn, password);
    this.boundAs = dn;
  }

  async search(base: string, options: SearchOptions): Promise<SearchResult> {
    await this.ready();
    return this.client.search(base, options);
  }

  /** Ends the connection; what was pending on it fails. */
  destroy(): void {
    clearTimeout(this.idleTimer);
    this.client.unbind().catch(() => undefined);
  }

  /**
   * Connected, and over TLS when StartTLS is asked. A connection the directory dropped is opened again
   * here, with StartTLS, right before the operation: ldapts would otherwise reconnect on its own, in
   * clear text, and send the next bind's password in it.
   */
  private async ready(): Promise<void> {
    if (!this.settings.startTls) {
      // ldapts connects on the operation (ldaps://: TLS from the first byte).
      if (!this.client.isConnected) this.boundAs = undefined;
      return;
    }
    if (this.secured && !this.tlsClosed && this.client.isConnected) return;
    // Dropped by the directory, or StartTLS refused (a result code leaves the clear-text connection open):
    // a client of its own, which sends nothing before TLS is up.
    if (this.secured || this.tlsClosed || this.client.isConnected) {
      this.client.unbind().catch(() => undefined);
      this.client = this.newClient();
    }
    this.secured = false;
    this.tlsClosed = false;
    this.boundAs = undefined;
    const host = new URL(this.settings.url).hostname.replace(/^\[|\]$/g, '');
    await this.client.startTLS({ ...this.settings.tls, host, ...(isIP(host) === 0 && { servername: host }) });
    this.secured = true;
  }
}

interface Waiter {
  resolve: (connection: DirectoryConnection) => void;
  reject: (e: unknown) => void;
}

/**
 * At most `max` connections to the directory, reused from one check to the next. A check that finds them
 * all busy waits its turn (first come, first served) within its deadline, so a flood of CONNECTs never
 * opens more connections than that, and past MAX_WAITING waiting checks one is refused at once.
 */
export class DirectoryConnections {
  private readonly idle: DirectoryConnection[] = [];
  private readonly waiting: Waiter[] = [];
  private open = 0;
  private closed = false;
  /** The most connections ever open at once. */
  peak = 0;

  constructor(readonly settings: ConnectionSettings) {}

  /** Connections open now (idle and in use). */
  get size(): number {
    return this.open;
  }

  /**
   * Runs `work` on a connection of its own, within the deadline (timeoutMs) and until `signal` aborts:
   * past the deadline the connection is closed and the check fails with a timeout.
   */
  async run<T>(signal: AbortSignal | undefined, work: (connection: DirectoryConnection) => Promise<T>): Promise<T> {
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const stop = signal === undefined ? deadline : AbortSignal.any([deadline, signal]);
    const timedOut = (): AuthBackendError => new AuthBackendError('timeout', `no answer from the directory within ${this.settings.timeoutMs / 1000} s`);
    let connection: DirectoryConnection;
    try {
      connection = await this.acquire(stop);
    } catch (e) {
      if (signal?.aborted) throw e;
      if (deadline.aborted) throw timedOut();
      throw e;
    }
    let healthy = false;
    try {
      const working = work(connection);
      working.catch(() => undefined);
      const result = await new Promise<T>((resolve, reject) => {
        const onAbort = (): void => reject(signal?.aborted ? signal.reason : timedOut());
        if (stop.aborted) return onAbort();
        stop.addEventListener('abort', onAbort, { once: true });
        working.then(resolve, reject).finally(() => stop.removeEventListener('abort', onAbort));
      });
      healthy = true;
      return result;
    } catch (e) {
      // A directory's refusal (a result code) leaves the connection usable; anything else may not.
      healthy = !stop.aborted && isResultCode(e);
      throw e;
    } finally {
      this.release(connection, healthy);
    }
  }

  /** Closes every idle connection, and each busy one as it is released. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) this.drop(connection);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new AuthBackendError('unavailable', 'the broker is shutting down'));
  }

  private acquire(signal: AbortSignal): Promise<DirectoryConnection> {
    if (this.closed) return Promise.reject(new AuthBackendError('unavailable', 'the broker is shutting down'));
    const idle = this.idle.pop();
    if (idle !== undefined) {
      clearTimeout(idle.idleTimer);
      return Promise.resolve(idle);
    }
    if (this.open < this.settings.max) {
      this.open++;
      this.peak = Math.max(this.peak, this.open);
      return Promise.resolve(new DirectoryConnection(this.settings));
    }
    const maxWaiting = this.settings.maxWaiting ?? MAX_WAITING;
    if (this.waiting.length >= maxWaiting) {
      return Promise.reject(new AuthBackendError('unavailable', `all ${this.settings.max} directory connections are busy and ${maxWaiting} checks wait for one`));
    }
    return new Promise<DirectoryConnection>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (c) => {
          signal.removeEventListener('abort', onAbort);
          resolve(c);
        },
        reject,
      };
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(connection: DirectoryConnection, healthy: boolean): void {
    if (!healthy || this.closed) {
      this.drop(connection);
      if (this.closed || this.waiting.length === 0) return;
      this.open++;
      this.peak = Math.max(this.peak, this.open);
      connection = new DirectoryConnection(this.settings);
    }
    const waiter = this.waiting.shift();
    if (waiter !== undefined) return waiter.resolve(connection);
    connection.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(connection);
      if (at >= 0) this.idle.splice(at, 1);
      this.drop(connection);
    }, IDLE_MS);
    connection.idleTimer.unref();
    this.idle.push(connection);
  }

  private drop(connection: DirectoryConnection): void {
    this.open--;
    connection.destroy();
  }
}

/** An LDAP result code the directory answered (as opposed to a socket, TLS or timeout failure). */
export function isResultCode(e: unknown): e is Error & { code: number } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'number';
}
