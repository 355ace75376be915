import * as bcrypt from 'bcrypt';
import { isUtf8 } from 'node:buffer';
import { availableParallelism } from 'node:os';

export interface PasswordHasherOptions {
  /**
   * Hashes computed at once, each on a thread of libuv's pool. The default leaves the other cores to the
   * broker and the database, so a burst of CONNECTs queues here instead of starving them.
   */
  threads?: number;
}

/**
 * bcrypt reads at most 72 bytes of a password: two passwords sharing their first 72 bytes would have the
 * same hash. A longer password is refused when it is set, and never matches when it is checked.
 */
const MAX_PASSWORD_BYTES = 72;

/**
 * Threads of libuv's pool that password hashing never takes. The pool also serves asynchronous file
 * system calls, DNS lookups (a PostgreSQL, LDAP or HTTP hook host name), zlib and some crypto: with every
 * thread busy on bcrypt, a burst of logins would stall all of them for as long as the burst lasts.
 */
const RESERVED_POOL_THREADS = 2;

/**
 * Why password threads are refused: a message naming the setting to change, or undefined when `threads`
 * leaves RESERVED_POOL_THREADS of libuv's pool (sized by `uvThreadpoolSize`, as UV_THREADPOOL_SIZE says) free.
 */
export function passwordThreadsProblem(threads: number, uvThreadpoolSize = process.env.UV_THREADPOOL_SIZE): string | undefined {
  const pool = threadPoolSize(uvThreadpoolSize);
  if (threads <= pool - RESERVED_POOL_THREADS) return undefined;
  return (
    `${threads} would leave fewer than ${RESERVED_POOL_THREADS} of the ${pool} threads of libuv's pool ` +
    `to file system and DNS work; set UV_THREADPOOL_SIZE to at least ${threads + RESERVED_POOL_THREADS}, or use fewer password threads`
  );
}

/** Default thread count: two, or one on a single core. */
export function defaultPasswordThreads(): number {
  return Math.min(2, availableParallelism());
}

/**
 * The size of libuv's thread pool, read as libuv reads it: UV_THREADPOOL_SIZE when set (a value that is
 * no number counts as 1), 4 otherwise, at most 1024.
 *
 * The hasher does not set UV_THREADPOOL_SIZE itself: libuv reads it once, when the pool first runs work,
 * and in the broker that happens while the database opens, before any hasher exists, so a value set here
 * would be ignored or not depending on start-up order. Nor would a larger pool help by default: bcrypt is
 * all CPU, and more hashes at once than cores only share the cores (on two cores, the default two hashes
 * at once already take both). Whoever wants more threads sets UV_THREADPOOL_SIZE where the process starts.
 */
function threadPoolSize(raw = process.env.UV_THREADPOOL_SIZE): number {
  if (raw === undefined) return 4;
  return Math.min(1024, Math.max(1, Number.parseInt(raw, 10) || 0));
}

type Answer = string | boolean;

interface Job {
  /** Hands the request to bcrypt, which calls back once from libuv's pool. */
  start: (done: (error: Error | undefined, result: Answer) => void) => void;
  /** Answers the caller; later calls are ignored (an aborted or closed job is still finished by bcrypt). */
  finish: (error: Error | undefined, result?: Answer) => void;
}

/**
 * bcrypt (the native library) on libuv's thread pool, never on the event loop, with at most `threads`
 * hashes at once. Requests beyond that wait in order in this hasher's own queue rather than in libuv's:
 * work handed to libuv cannot be taken back, while a request still waiting here is dropped when its
 * caller goes away, and libuv keeps threads free for the file system and DNS.
 */
export class PasswordHasher {
  private readonly threads: number;
  private readonly queue: Job[] = [];
  /** Requests handed to bcrypt and not yet called back: each holds a pool thread. */
  private readonly running = new Set<Job>();
  private readonly idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(options: PasswordHasherOptions = {}) {
    this.threads = options.threads ?? defaultPasswordThreads();
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new RangeError(`password threads: expected a positive integer, got ${this.threads}`);
    const problem = passwordThreadsProblem(this.threads);
    if (problem !== undefined) throw new RangeError(`password threads: ${problem}`);
  }

  static readonly MAX_PASSWORD_BYTES = MAX_PASSWORD_BYTES;

  /**
   * A bcrypt hash of the password's bytes (a string is taken as UTF-8) with a fresh salt. Rejects with a
   * RangeError a password bcrypt could not hash whole (longer than 72 bytes), and bytes that are not
   * UTF-8: every way to set a password (the CLI, the admin API, AUTH_USERS) hands over text, so such bytes
   * are text decoded wrongly somewhere, stored as a password no one could type.
   */
  async hash(password: Buffer | string, cost: number): Promise<string> {
    const bytes = toBytes(password);
    if (bytes.length > MAX_PASSWORD_BYTES) {
      throw new RangeError(`a password may be at most ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest); this one has ${bytes.length}`);
    }
    if (!isUtf8(bytes)) throw new RangeError('a password must be UTF-8 text to be stored');
    // bcrypt would read the value as 10 when it is 0, and clamp it when it is out of range.
    if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new RangeError(`bcrypt cost: expected an integer from 4 to 31, got ${cost}`);
    // The salt's 16 random bytes are read here: bcrypt's own salt would first take a turn on the pool.
    const salt = bcrypt.genSaltSync(cost);
    return (await this.schedule((done) => bcrypt.hash(bytes, salt, done))) as string;
  }

  /**
   * Whether the password's bytes, as they are (MQTT passwords are binary data), are the ones the bcrypt
   * hash was made from. A password over 72 bytes never matches, after the same comparison as any other
   * (of its first 72 bytes), so its answer takes as long.
   *
   * An aborted `signal` rejects at once with an AbortError. A check still waiting in the queue is taken
   * out and never reaches bcrypt, so a caller that went away (a client that closed its socket) neither
   * holds its place nor delays those behind it. One already handed to bcrypt cannot be stopped: it keeps
   * its thread until it ends, and its answer is dropped.
   */
  async compare(password: Buffer | string, hash: string, signal?: AbortSignal): Promise<boolean> {
    if (typeof hash !== 'string') throw new TypeError(`illegal arguments: the hash must be a string, got ${typeof hash}`);
    const bytes = toBytes(password);
    const fits = bytes.length <= MAX_PASSWORD_BYTES;
    const key = fits ? bytes : bytes.subarray(0, MAX_PASSWORD_BYTES);
    // $2y$ (PHP's name, and bcryptjs accepted it) is the same algorithm as $2b$, which alone bcrypt reads.
    const readable = hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
    const matches = (await this.schedule((done) => bcrypt.compare(key, readable, done), signal)) as boolean;
    return matches && fits;
  }

  /** The cost factor a bcrypt hash was made with; undefined when it is not a bcrypt hash. */
  static costOf(hash: string): number | undefined {
    const match = BCRYPT_HASH.exec(hash);
    return match ? Number(match[1]) : undefined;
  }

  /** Checks waiting for a thread. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Rejects what is waiting or running, and refuses what comes after. Resolves once bcrypt has returned
   * from every hash it was given, which cannot be stopped halfway: nothing of this hasher runs after it.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      const error = closedError();
      for (const job of this.queue.splice(0)) job.finish(error);
      for (const job of this.running) job.finish(error);
    }
    while (this.running.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(start: Job['start'], signal?: AbortSignal): Promise<Answer> {
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<Answer>((resolve, reject) => {
      let finished = false;
      const onAbort = (): void => {
        const at = this.queue.indexOf(job);
        if (at >= 0) this.queue.splice(at, 1);
        job.finish(abortError());
      };
      const job: Job = {
        start,
        finish: (error, result) => {
          if (finished) return;
          finished = true;
          signal?.removeEventListener('abort', onAbort);
          if (error !== undefined) reject(error);
          else resolve(result!);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running.size < this.threads && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running.add(job);
      let called = false;
      const done = (error: Error | undefined, result: Answer): void => {
        if (called) return;
        called = true;
        // The thread is free only now, whether or not the caller is still waiting for the answer.
        this.running.delete(job);
        job.finish(error ?? undefined, result);
        if (this.running.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        this.dispatch();
      };
      try {
        job.start(done);
      } catch (e) {
        // Refused before it reached the pool: answered on a later turn, as bcrypt answers.
        queueMicrotask(() => done(e instanceof Error ? e : new Error(String(e)), false));
      }
    }
  }
}

const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * A string's bytes are its UTF-8 encoding. Through Buffer, a lone surrogate becomes U+FFFD as in any
 * UTF-8 a client sends, where another encoder could give it bytes no client could send.
 */
function toBytes(password: Buffer | string): Buffer {
  return typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
}

function abortError(): Error {
  return new DOMException('the password check was cancelled', 'AbortError');
}

function closedError(): Error {
  return new Error('the password hasher is closed');
}
