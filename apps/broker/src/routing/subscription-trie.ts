import { Session, SubscriptionRecord } from '../session/session';

/** A subscriber as the trie holds it: the session and its subscription at that filter. */
export interface Subscriber {
  session: Session;
  record: SubscriptionRecord;
}

/** A shared subscription group `$share/{group}/{filter}`: each message goes to one member (§4.8.2). */
export class SharedGroup {
  /** The members in the order the round robin visits them: picking one per message allocates nothing. */
  readonly list: Subscriber[] = [];
  /** Each member's position in `list`, so that joining and leaving cost the same in a group of any size. */
  private readonly positions = new Map<string, number>();
  /** Round-robin position, kept across messages. */
  cursor = 0;

  constructor(
    readonly group: string,
    readonly filter: string,
  ) {}

  get size(): number {
    return this.list.length;
  }

  has(clientId: string): boolean {
    return this.positions.has(clientId);
  }

  /** Adds a member, or replaces its subscription in place. */
  set(clientId: string, subscriber: Subscriber): void {
    const at = this.positions.get(clientId);
    if (at !== undefined) {
      this.list[at] = subscriber;
      return;
    }
    this.positions.set(clientId, this.list.length);
    this.list.push(subscriber);
  }

  /** Removes a member: the last one takes its place. True when it was a member. */
  delete(clientId: string): boolean {
    const at = this.positions.get(clientId);
    if (at === undefined) return false;
    this.positions.delete(clientId);
    const last = this.list.pop()!;
    if (at < this.list.length) {
      this.list[at] = last;
      this.positions.set(last.session.clientId, at);
    }
    return true;
  }
}

class TrieNode {
  readonly children = new Map<string, TrieNode>();
  /** Subscribers whose filter ends at this node, by client identifier. */
  readonly subscribers = new Map<string, Subscriber>();
  readonly groups = new Map<string, SharedGroup>();

  get empty(): boolean {
    return this.children.size === 0 && this.subscribers.size === 0 && this.groups.size === 0;
  }
}

/** What a topic matches: plain subscribers (a client may appear more than once) and shared groups. */
export interface TrieMatch {
  subscribers: Subscriber[];
  groups: SharedGroup[];
}

/**
 * Topic Filters by level. Matching walks the topic once: at each level the literal child, the `+` child,
 * and the `#` child, which also matches the parent level [MQTT-4.7.1-2]; at the root, `+` and `#` do not
 * match a topic starting with `$` [MQTT-4.7.2-1].
 */
export class SubscriptionTrie {
  private readonly root = new TrieNode();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(filter: string, subscriber: Subscriber, group?: string): void {
    let node = this.root;
    for (const level of filter.split('/')) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = new TrieNode();
        node.children.set(level, child);
      }
      node = child;
    }
    const clientId = subscriber.session.clientId;
    if (group === undefined) {
      if (!node.subscribers.has(clientId)) this.count++;
      node.subscribers.set(clientId, subscriber);
    } else {
      let shared = node.groups.get(group);
      if (shared === undefined) {
        shared = new SharedGroup(group, filter);
        node.groups.set(group, shared);
      }
      if (!shared.has(clientId)) this.count++;
      shared.set(clientId, subscriber);
    }
  }

  /** Removes a client's subscription; true when there was one. Empty branches are pruned. */
  remove(filter: string, clientId: string, group?: string): boolean {
    const path: TrieNode[] = [this.root];
    const levels = filter.split('/');
    let node = this.root;
    for (const level of levels) {
      const child = node.children.get(level);
      if (child === undefined) return false;
      path.push(child);
      node = child;
    }
    let removed: boolean;
    if (group === undefined) {
      removed = node.subscribers.delete(clientId);
    } else {
      const shared = node.groups.get(group);
      removed = shared?.delete(clientId) ?? false;
      if (shared && shared.size === 0) node.groups.delete(group);
    }
    if (!removed) return false;
    this.count--;
    for (let i = levels.length; i > 0 && path[i].empty; i--) path[i - 1].children.delete(levels[i - 1]);
    return true;
  }

  /**
   * Walks the levels with an explicit stack, never recursion: a topic's depth is the client's to choose, and
   * a recursive walk over 20,000 levels overflows the call stack. Each node is visited at most once.
   */
  match(topic: string): TrieMatch {
    const out: TrieMatch = { subscribers: [], groups: [] };
    const levels = topic.split('/');
    const dollar = topic.charCodeAt(0) === 0x24;
    const nodes: TrieNode[] = [this.root];
    const depths: number[] = [0];
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      const depth = depths.pop()!;
      // At the root, `+` and `#` do not match a topic starting with `$` [MQTT-4.7.2-1].
      const wildcardsAllowed = !(dollar && depth === 0);
      if (wildcardsAllowed) {
        const hash = node.children.get('#');
        if (hash !== undefined) collect(hash, out);
      }
      if (depth === levels.length) {
        collect(node, out);
        continue;
      }
      if (wildcardsAllowed) {
        const plus = node.children.get('+');
        if (plus !== undefined) {
          nodes.push(plus);
          depths.push(depth + 1);
        }
      }
      const literal = node.children.get(levels[depth]);
      if (literal !== undefined) {
        nodes.push(literal);
        depths.push(depth + 1);
      }
    }
    return out;
  }
}

function collect(node: TrieNode, out: TrieMatch): void {
  for (const subscriber of node.subscribers.values()) out.subscribers.push(subscriber);
  for (const group of node.groups.values()) out.groups.push(group);
}
