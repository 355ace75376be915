import type { AclRuleRowFragment } from '../../graphql/generated';

export type AclRule = AclRuleRowFragment;

/** The longest topic filter MQTT carries, in UTF-8 bytes. */
const MAX_TOPIC_BYTES = 65_535;

/** As the broker's isValidTopicFilter: `+` a whole level, `#` the whole last level, no NUL, not empty. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const n = filter.length;
  for (let i = 0; i < n; i++) {
    const c = filter[i];
    if (c === '\u0000') return false;
    if (c === '+' && ((i > 0 && filter[i - 1] !== '/') || (i + 1 < n && filter[i + 1] !== '/'))) return false;
    if (c === '#' && (i !== n - 1 || (i > 0 && filter[i - 1] !== '/'))) return false;
  }
  return true;
}

/**
 * What is wrong with a rule's topic, checked as the broker checks it (%c and %u stand for one level's
 * text), or null when the broker would take it. The broker has the last word: its message is shown too.
 */
export function topicProblem(topic: string, maxLevels = 128): string | null {
  if (topic === '') return 'Enter a topic filter, e.g. plant/%u/#';
  const filter = topic.replaceAll('%c', 'c').replaceAll('%u', 'u');
  if (new TextEncoder().encode(filter).length > MAX_TOPIC_BYTES) return `Longer than ${MAX_TOPIC_BYTES} bytes`;
  if (filter.startsWith('$share/')) return 'A rule names topics, not a shared subscription ($share/...)';
  if (!isValidTopicFilter(filter)) return 'Not a topic filter: + stands for a whole level, # only for the whole last level';
  if (filter.split('/').length > maxLevels) return `More than ${maxLevels} levels (MAX_TOPIC_LEVELS)`;
  return null;
}

/** Who a rule is for, in words. */
export function appliesTo(rule: Pick<AclRule, 'username' | 'clientId' | 'anonymous' | 'role'>): string {
  const parts: string[] = [];
  if (rule.anonymous) parts.push('anonymous clients');
  if (rule.username !== null) parts.push(`user ${rule.username}`);
  if (rule.clientId !== null) parts.push(`client ${rule.clientId}`);
  if (rule.role !== null) parts.push(`role ${rule.role}`);
  return parts.length === 0 ? 'everyone' : parts.join(', ');
}

/** The database rules in their order, and the file's after them. */
export function splitRules(rules: readonly AclRule[]): { database: AclRule[]; file: AclRule[] } {
  const database = rules.filter((r) => r.source === 'database').sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const file = rules.filter((r) => r.source === 'file').sort((a, b) => (a.fileLine ?? 0) - (b.fileLine ?? 0));
  return { database, file };
}

/** The list with one rule moved by delta places, as it will be once the broker has moved it. */
export function moved<T>(list: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return list.slice();
  const next = list.slice();
  const [item] = next.splice(index, 1);
  next.splice(to, 0, item!);
  return next;
}

/** A text field as the API takes it: blank is null (any). */
export function orNull(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  return t === '' ? null : t;
}
