import { isUtf8 } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PasswordAnswer, PasswordRequest } from './password-worker';

export interface PasswordHasherOptions {
  /**
   * Hashes computed at once. The default leaves the other cores to the broker and the database, so a
   * burst of CONNECTs queues here instead of starving them.
   */
  threads?: number;
  /** The threads' entry point; tests substitute one that dies. */
  script?: string;
}

/**
 * bcrypt reads at most 72 bytes of a password: two passwords sharing their first 72 bytes would have the
 * same hash. A longer password is refused when it is set, and never matches when it is checked.
 */
const MAX_PASSWORD_BYTES = 72;

/** Default thread count: two, or one on a single core. */
export function defaultPasswordThreads(): number {
  return Math.min(2, availableParallelism());
}

interface Job {
  request: PasswordRequest;
  resolve: (result: string | boolean) => void;
  reject: (e: Error) => void;
}

/**
 * bcrypt on a few worker threads. bcryptjs is pure JavaScript: on the broker's thread, every password
 * check would stall every client for the whole hash (tens of ms at cost 10-12). Requests beyond the
 * thread count wait in order. Threads start on first use and are replaced when one dies.
 */
export class PasswordHasher {
  private readonly threads: number;
  private readonly script: string;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(options: PasswordHasherOptions = {}) {
    this.threads = options.threads ?? defaultPasswordThreads();
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new RangeError(`password threads: expected a positive integer, got ${this.threads}`);
    this.script = options.script ?? join(__dirname, 'password-worker.js');
  }

  static readonly MAX_PASSWORD_BYTES = MAX_PASSWORD_BYTES;

  /**
   * A bcrypt hash of the password's bytes (a string is taken as UTF-8) with a fresh salt. Rejects with a
   * RangeError a password bcrypt could not hash whole: longer than 72 bytes, or bytes that are not UTF-8
   * (the threads' bcrypt reads text; every stored password is therefore UTF-8).
   */
  hash(password: Buffer | string, cost: number): Promise<string> {
    const bytes = toBytes(password);
    if (bytes.length > MAX_PASSWORD_BYTES) {
      return Promise.reject(new RangeError(`a password may be at most ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest); this one has ${bytes.length}`));
    }
    if (!isUtf8(bytes)) return Promise.reject(new RangeError('a password must be UTF-8 text to be stored'));
    return this.run({ op: 'hash', password: bytes.toString('utf8'), cost }) as Promise<string>;
  }

  /**
   * Whether the password's bytes are the ones the bcrypt hash was made from. A password that cannot have
   * been hashed (over 72 bytes, or not UTF-8, see hash) never matches, after the same comparison as any
   * other, so its answer takes as long. An aborted `signal` rejects at once with an AbortError and takes a
   * check still waiting out of the queue, so a caller that went away (a client that closed its socket)
   * neither holds its request nor delays those behind it.
   */
  async compare(password: Buffer | string, hash: string, signal?: AbortSignal): Promise<boolean> {
    const bytes = toBytes(password);
    const storable = bytes.length <= MAX_PASSWORD_BYTES && isUtf8(bytes);
    const text = (storable ? bytes : bytes.subarray(0, MAX_PASSWORD_BYTES)).toString('utf8');
    const matches = (await this.run({ op: 'compare', password: text, hash }, signal)) as boolean;
    return matches && storable;
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

  /** Stops the threads; what is waiting or running is rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = closedError();
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const job of this.busy.values()) job.reject(error);
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private run(request: PasswordRequest, signal?: AbortSignal): Promise<string | boolean> {
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const job: Job = { request, resolve, reject };
      if (signal !== undefined) {
        const onAbort = (): void => {
          const at = this.queue.indexOf(job);
          if (at >= 0) this.queue.splice(at, 1);
          // A check already running finishes on its thread; its answer is ignored.
          reject(abortError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const done = (): void => signal.removeEventListener('abort', onAbort);
        job.resolve = (result) => {
          done();
          resolve(result);
        };
        job.reject = (e) => {
          done();
          reject(e);
        };
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.threads ? this.spawn() : undefined);
      if (worker === undefined) return;
      this.start(worker, this.queue.shift()!);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    worker.on('message', (answer: PasswordAnswer) => this.settle(worker, answer));
    worker.on('error', (e) => this.lose(worker, e));
    worker.on('exit', (code) => this.lose(worker, new Error(`a password thread stopped (exit code ${code})`)));
    return worker;
  }

  private start(worker: Worker, job: Job): void {
    this.busy.set(worker, job);
    // A thread keeps the process alive only while it owes an answer: an idle pool must not hold a
    // CLI or a test run open.
    worker.ref();
    worker.postMessage(job.request);
  }

  private settle(worker: Worker, answer: PasswordAnswer): void {
    const job = this.busy.get(worker);
    if (job === undefined) return;
    this.busy.delete(worker);
    if ('error' in answer) job.reject(new Error(answer.error));
    else job.resolve(answer.result);
    const next = this.queue.shift();
    if (next !== undefined) return this.start(worker, next);
    worker.unref();
    this.idle.push(worker);
  }

  /** A thread died ('error' then 'exit', or 'exit' alone): its request fails, the queue moves on. */
  private lose(worker: Worker, e: Error): void {
    const job = this.busy.get(worker);
    if (job !== undefined) {
      this.busy.delete(worker);
      job.reject(e);
    } else {
      const at = this.idle.indexOf(worker);
      if (at < 0) return;
      this.idle.splice(at, 1);
    }
    this.dispatch();
  }
}

const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * A string's bytes are its UTF-8 encoding. Through Buffer, a lone surrogate becomes U+FFFD as in any
 * UTF-8 a client sends, where bcrypt's own encoder would give it bytes no client could send.
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
