import { compareSync, hashSync } from 'bcryptjs';
import { parentPort } from 'node:worker_threads';

/** What a password thread is asked; it answers one request before it is given the next. */
export type PasswordRequest = { op: 'hash'; password: string; cost: number } | { op: 'compare'; password: string; hash: string };

export type PasswordAnswer = { result: string | boolean } | { error: string };

// Synchronous bcrypt is the point here: this thread has nothing else to do, and the broker's thread
// is the one that must not wait. Imported for its types only, parentPort is null and nothing listens.
parentPort?.on('message', (request: PasswordRequest) => {
  let answer: PasswordAnswer;
  try {
    answer = { result: request.op === 'hash' ? hashSync(request.password, request.cost) : compareSync(request.password, request.hash) };
  } catch (e) {
    answer = { error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(answer);
});
