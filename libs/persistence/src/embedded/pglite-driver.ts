import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PgliteRequest, PgliteResponse, deserializeError } from './pglite-protocol';

type Callback = (error: unknown, result?: unknown) => void;
type Request = PgliteRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The PGlite thread seen from the caller's side: requests in flight, answered in order by id. */
class PgliteThread {
  /** Settles once the database is open (or could not be opened). */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  /** The thread has ended (closed or crashed): a new one may open the same files. */
  stopped = false;

  constructor(dataDir: string) {
    this.worker = new Worker(join(__dirname, 'pglite-worker.js'), { workerData: { dataDir } });
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { resolve: () => resolve(), reject }));
    this.ready.catch(() => undefined);
    this.worker.on('message', (response: PgliteResponse) => {
      const waiting = this.pending.get(response.id);
      if (waiting === undefined) return;
      this.pending.delete(response.id);
      this.idleUnlessWaiting();
      if ('error' in response) waiting.reject(deserializeError(response.error));
      else waiting.resolve(response.result);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      this.stopped = true;
      this.fail(new Error(`the embedded database thread stopped (exit code ${code})`));
    });
  }

  request(request: Request): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The thread keeps the process alive only while it owes an answer.
      this.worker.ref();
      this.worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    try {
      await this.ready;
      await this.request({ op: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }

  private idleUnlessWaiting(): void {
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const waiting of this.pending.values()) waiting.reject(e);
    this.pending.clear();
  }
}

/** One holder at a time: PGlite is a single connection, and a transaction must not see others' statements. */
class ConnectionTurn {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

/**
 * A `pg`-compatible pool for TypeORM's postgres driver over one PGlite instance running in a worker
 * thread. Each DataSource gets its own instance (no process-wide singleton), so tests can hold several
 * databases at once. The single connection is handed out to one query runner at a time.
 */
export function pgliteDriver(dataDir: string): { Pool: new () => EventEmitter } {
  let thread: PgliteThread | undefined;
  const turn = new ConnectionTurn();
  const open = (): PgliteThread => {
    // A thread that crashed is replaced on the next use; PGlite recovers its files like PostgreSQL does.
    if (thread === undefined || thread.stopped) thread = new PgliteThread(dataDir);
    return thread;
  };

  const run = (sql: string, values: unknown[] | undefined): Promise<unknown> =>
    values !== undefined && values.length > 0 ? open().request({ op: 'query', sql, params: values }) : open().request({ op: 'exec', sql });

  /** pg's query(sql, [params], [callback]): a promise, and the callback if one is given. */
  const answer = (params: unknown[] | Callback | undefined, callback: Callback | undefined, execute: (values: unknown[] | undefined) => Promise<unknown>): Promise<unknown> => {
    const cb = typeof params === 'function' ? params : callback;
    const result = execute(typeof params === 'function' ? undefined : params);
    result.then(
      (r) => cb?.(null, r),
      (e: unknown) => cb?.(e),
    );
    return result;
  };

  class PgliteClient extends EventEmitter {
    query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<unknown> {
      return answer(params, callback, (values) => run(sql, values));
    }

    /** COPY from a buffer (PGlite reads it as the file '/dev/blob'), on the connection this client holds. */
    async copyFrom(sql: string, data: Uint8Array): Promise<void> {
      await open().request({ op: 'copyFrom', sql, data });
    }
  }

  class PglitePool extends EventEmitter {
    connect(callback: (error: unknown, client?: unknown, done?: () => void) => void): void {
      turn.acquire().then(async () => {
        try {
          await open().ready;
        } catch (e) {
          turn.release();
          callback(e);
          return;
        }
        let released = false;
        const done = (): void => {
          if (released) return;
          released = true;
          turn.release();
        };
        callback(null, new PgliteClient(), done);
      });
    }

    query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<unknown> {
      return answer(params, callback, (values) => turn.acquire().then(() => run(sql, values).finally(() => turn.release())));
    }

    end(callback?: (error: unknown) => void): void {
      const closing = thread && !thread.stopped ? thread.close() : Promise.resolve();
      thread = undefined;
      closing.then(
        () => callback?.(null),
        (e: unknown) => callback?.(e),
      );
    }
  }
  return { Pool: PglitePool };
}
