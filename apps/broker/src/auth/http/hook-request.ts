import { AuthBackendError } from '../chain/chain-member';

/** The bytes of an answer read at most: a hook answers in a few hundred. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * POSTs `json` to a hook and reads its answer: status and text. Bounded in time (`timeout` seconds, or
 * the client's `signal`, which rethrows as it is so the caller can tell) and in size (MAX_ANSWER_BYTES);
 * a hook that cannot be reached, is too slow or answers too much throws AuthBackendError. Redirects are
 * refused: the hook's address is the one configured.
 */
export async function postJson(url: string, json: string, timeout: number, clientSignal?: AbortSignal): Promise<{ status: number; text: string }> {
  const timer = AbortSignal.timeout(timeout * 1000);
  const signal = clientSignal === undefined ? timer : AbortSignal.any([timer, clientSignal]);
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json, signal, redirect: 'error' });
    return { status: response.status, text: await readBounded(response) };
  } catch (e) {
    if (clientSignal?.aborted) throw e;
    if (timer.aborted) throw new AuthBackendError('timeout', `no answer within ${timeout} s`);
    if (e instanceof AuthBackendError) throw e;
    throw new AuthBackendError('unreachable', 'the hook could not be reached');
  }
}

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel();
    throw new AuthBackendError('bad-answer', 'the answer is too large');
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  if (response.body !== null) {
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      if (bytes > MAX_ANSWER_BYTES) throw new AuthBackendError('bad-answer', 'the answer is too large');
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
