import type { MessageDetail } from './message-dialog';

/** A message in a live list: what the dialog shows, with what the feed skipped before it. */
export interface ListedMessage extends MessageDetail {
  /** Unique within the page, for tracking rows. */
  key: string;
  skippedBefore: number;
}

let sequence = 0;

/** A message from the feed or the history, ready for a list. */
export function listed(m: MessageDetail & { skippedBefore?: number; id?: string }): ListedMessage {
  return { ...m, skippedBefore: m.skippedBefore ?? 0, key: m.id ? `h${m.id}` : `l${++sequence}` };
}

/** The newest `n` of the messages `added` (oldest first, as they arrived) and `list` (newest first). */
export function addNewest<T>(list: readonly T[], added: readonly T[], n: number): T[] {
  const out = added.slice(-n).reverse();
  for (let i = 0; out.length < n && i < list.length; i++) out.push(list[i]!);
  return out;
}

/** The same message, whether the history or the live feed gave it. */
function sameMessage(a: MessageDetail, b: MessageDetail): boolean {
  return a.receivedAt === b.receivedAt && a.payloadBase64 === b.payloadBase64 && (a.publisherClientId ?? null) === (b.publisherClientId ?? null);
}

/**
 * A topic's last messages: those the live feed brought (newest first) and the recorded ones (newest
 * first, read once when the page opened), without the messages both have, the newest `n`.
 */
export function mergeLatest<T extends MessageDetail>(live: readonly T[], recorded: readonly T[], n: number): T[] {
  const out = live.slice(0, n);
  for (const m of recorded) {
    if (out.length >= n) break;
    if (!live.some((l) => sameMessage(l, m))) out.push(m);
  }
  return out.sort((a, b) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt));
}

/** Whether a filter matches every topic (#, +/#, +/+/#...): a warning before watching it. */
export function watchesEverything(filter: string): boolean {
  const levels = filter.trim().split('/');
  return levels[levels.length - 1] === '#' && levels.slice(0, -1).every((l) => l === '+');
}

/** What is wrong with a topic filter, as SUBSCRIBE would refuse it; null when it is fine. */
export function filterProblem(filter: string): string | null {
  if (filter === '') return 'A topic filter has at least one character.';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# stands alone as the last level (a/#).';
    if (level.includes('+') && level !== '+') return '+ stands alone for a whole level (a/+/b).';
  }
  return null;
}
