/**
 * Topic Names and Topic Filters (§4.7). The checks here are on JavaScript strings; the parser has already
 * rejected ill-formed UTF-8 and U+0000 on the wire.
 */

/** Topics are UTF-8 Encoded Strings: at most 65,535 bytes [MQTT-4.7.3-3]. */
const MAX_TOPIC_BYTES = 0xffff;

function hasValidLength(topic: string): boolean {
  // Most topics are short: only long ones need the exact byte count.
  return topic.length > 0 && (topic.length <= MAX_TOPIC_BYTES / 3 || Buffer.byteLength(topic) <= MAX_TOPIC_BYTES);
}

/** A Topic Name: at least one character [MQTT-4.7.3-1], no wildcard [MQTT-4.7.0-1], no U+0000 [MQTT-4.7.3-2]. */
export function isValidTopicName(topic: string): boolean {
  if (!hasValidLength(topic)) return false;
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2b || c === 0x23 || c === 0) return false;
  }
  return true;
}

/**
 * A Topic Filter: `#` only as the whole last level [MQTT-4.7.1-1], `+` only as a whole level
 * [MQTT-4.7.1-2], at least one character [MQTT-4.7.3-1], no U+0000 [MQTT-4.7.3-2]. A shared
 * subscription `$share/{group}/{filter}` is valid when its group and its filter are.
 */
export function isValidTopicFilter(filter: string): boolean {
  if (!hasValidLength(filter)) return false;
  if (filter.startsWith(SHARE_PREFIX)) return parseSharedSubscription(filter) !== undefined;
  return isValidPlainFilter(filter);
}

function isValidPlainFilter(filter: string): boolean {
  const n = filter.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = filter.charCodeAt(i);
    if (c === 0) return false;
    if (c === 0x2b) {
      // '+' must occupy an entire level.
      if ((i > 0 && filter.charCodeAt(i - 1) !== 0x2f) || (i + 1 < n && filter.charCodeAt(i + 1) !== 0x2f)) return false;
    } else if (c === 0x23) {
      // '#' must be last and occupy an entire level.
      if (i !== n - 1 || (i > 0 && filter.charCodeAt(i - 1) !== 0x2f)) return false;
    }
  }
  return true;
}

/** `$SYS` or below it: the server's own topics, which clients read and never write. */
export function isSysTopic(topic: string): boolean {
  return topic.charCodeAt(0) === 0x24 && topic.startsWith('$SYS') && (topic.length === 4 || topic.charCodeAt(4) === 0x2f);
}

/** True when the filter contains `+` or `#`. */
export function isWildcardFilter(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/**
 * Does `topic` match `filter`? `+` matches one level, `#` the parent level and any number of child
 * levels [MQTT-4.7.1-2]; a filter starting with a wildcard does not match a topic starting with `$`
 * [MQTT-4.7.2-1]. Both arguments are assumed valid (a plain filter, not `$share/...`).
 */
export function topicMatches(filter: string, topic: string): boolean {
  const fn = filter.length;
  const tn = topic.length;
  if (tn > 0 && topic.charCodeAt(0) === 0x24 /* $ */ && fn > 0) {
    const f0 = filter.charCodeAt(0);
    if (f0 === 0x2b || f0 === 0x23) return false;
  }
  let fi = 0;
  let ti = 0;
  while (fi < fn) {
    const fc = filter.charCodeAt(fi);
    if (fc === 0x23) return true; // '#' matches the rest, including the parent level itself
    if (fc === 0x2b) {
      // '+' consumes one level of the topic (possibly empty)
      while (ti < tn && topic.charCodeAt(ti) !== 0x2f) ti++;
      fi++;
    } else {
      // literal level: compare up to the next '/'
      while (fi < fn) {
        const c = filter.charCodeAt(fi);
        if (c === 0x2f) break;
        if (ti >= tn || topic.charCodeAt(ti) !== c) return false;
        fi++;
        ti++;
      }
      if (ti < tn && topic.charCodeAt(ti) !== 0x2f) return false;
    }
    // both at a level separator or at an end
    if (fi === fn) return ti === tn;
    // filter has '/': topic must have one too, unless the filter continues with '/#'
    if (ti === tn) {
      return fi + 2 === fn && filter.charCodeAt(fi + 1) === 0x23;
    }
    fi++;
    ti++;
  }
  return ti === tn;
}

export const SHARE_PREFIX = '$share/';

export interface SharedSubscription {
  /** The ShareName: at least one character, no `/`, `+` or `#` [MQTT-4.8.2-1, MQTT-4.8.2-2]. */
  group: string;
  /** The Topic Filter the group shares. */
  filter: string;
}

/**
 * Parses `$share/{ShareName}/{filter}`; returns undefined when `filter` is not a valid shared subscription
 * (no group, a wildcard or `/` in the group, no or an invalid filter). A filter that does not start with
 * `$share/` is not a shared subscription either.
 */
export function parseSharedSubscription(topicFilter: string): SharedSubscription | undefined {
  if (!topicFilter.startsWith(SHARE_PREFIX)) return undefined;
  const slash = topicFilter.indexOf('/', SHARE_PREFIX.length);
  if (slash < 0) return undefined;
  const group = topicFilter.slice(SHARE_PREFIX.length, slash);
  const filter = topicFilter.slice(slash + 1);
  if (group.length === 0 || group.includes('+') || group.includes('#')) return undefined;
  if (!isValidPlainFilter(filter)) return undefined;
  return { group, filter };
}

/** True when a Topic Name or Filter has more than `max` levels (counting stops there). */
export function hasMoreLevelsThan(topic: string, max: number): boolean {
  let levels = 1;
  for (let i = topic.indexOf('/'); i !== -1; i = topic.indexOf('/', i + 1)) {
    if (++levels > max) return true;
  }
  return false;
}
