import { Message } from './message';

/**
 * One topic level. Most nodes of a large store are leaves, so a node gets its Map only when its first child
 * arrives and loses it with its last: `children` is either undefined or non-empty.
 */
class RetainedNode {
  children: Map<string, RetainedNode> | undefined = undefined;
  /** The retained message of the topic that ends at this level. */
  message: Message | undefined = undefined;
}

const DOLLAR = 0x24;

/**
 * Retained messages by topic level, so that a wildcard filter costs the branches it can match instead of
 * every retained topic. Empty levels are levels ("a//b", "/a", "a/"). No walk here recurses: the depth of a
 * topic is the client's to choose, and a recursive walk over 20,000 levels overflows the call stack. A
 * branch holding no retained message is pruned when its last message goes, so the tree never outgrows the
 * topics it stores.
 */
export class RetainedTree {
  private readonly root = new RetainedNode();
  /**
   * The node of every topic holding a message. A retained PUBLISH mostly replaces its topic's message and a
   * filter without wildcards names one topic: both cost one lookup here instead of a Map lookup per level,
   * each a likely cache miss in a large tree.
   */
  private readonly byTopic = new Map<string, RetainedNode>();

  get size(): number {
    return this.byTopic.size;
  }

  get(topic: string): Message | undefined {
    return this.byTopic.get(topic)?.message;
  }

  /** Stores the message as its topic's retained message, replacing any before it. */
  set(message: Message): void {
    const topic = message.topic;
    const existing = this.byTopic.get(topic);
    if (existing !== undefined) {
      existing.message = message;
      return;
    }
    let node = this.root;
    let start = 0;
    for (;;) {
      const slash = topic.indexOf('/', start);
      const level = slash < 0 ? topic.slice(start) : topic.slice(start, slash);
      let children = node.children;
      if (children === undefined) {
        children = new Map();
        node.children = children;
      }
      let child = children.get(level);
      if (child === undefined) {
        child = new RetainedNode();
        children.set(level, child);
      }
      node = child;
      if (slash < 0) break;
      start = slash + 1;
    }
    node.message = message;
    this.byTopic.set(topic, node);
  }

  /** Removes the topic's retained message; true when there was one. */
  delete(topic: string): boolean {
    const node = this.byTopic.get(topic);
    if (node === undefined) return false;
    this.byTopic.delete(topic);
    node.message = undefined;
    if (node.children !== undefined) return true;
    const levels = topic.split('/');
    const path: RetainedNode[] = [this.root];
    for (let i = 0; i < levels.length - 1; i++) path.push(path[i].children!.get(levels[i])!);
    for (let i = levels.length - 1; i >= 0; i--) {
      const parent = path[i];
      parent.children!.delete(levels[i]);
      if (parent.children!.size > 0) break;
      parent.children = undefined;
      if (parent.message !== undefined) break;
    }
    return true;
  }

  /**
   * The retained messages whose topics match a plain (non-shared) filter, as `topicMatches` decides:
   * `+` one level, possibly empty; `#` every level below and the parent level itself [MQTT-4.7.1-2]; at the
   * root, neither matches a topic starting with `$` [MQTT-4.7.2-1]. Depth first, siblings in the order
   * their first retained message arrived, a topic before the topics below it.
   */
  match(filter: string): Message[] {
    const out: Message[] = [];
    const levels = filter.split('/');
    const last = levels.length;
    const nodes: RetainedNode[] = [this.root];
    const depths: number[] = [0];
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      const depth = depths.pop()!;
      if (depth === last) {
        if (node.message !== undefined) out.push(node.message);
        continue;
      }
      const level = levels[depth];
      if (level === '#') {
        collectBranch(node, depth === 0, out);
        continue;
      }
      const children = node.children;
      if (children === undefined) continue;
      if (level !== '+') {
        const child = children.get(level);
        if (child !== undefined) {
          nodes.push(child);
          depths.push(depth + 1);
        }
        continue;
      }
      const skipDollar = depth === 0;
      if (depth + 1 === last) {
        // A trailing `+`: the children's own messages are the answer, nothing below them can match.
        for (const [key, child] of children) {
          if (child.message !== undefined && !(skipDollar && key.charCodeAt(0) === DOLLAR)) out.push(child.message);
        }
        continue;
      }
      const from = nodes.length;
      pushChildren(children, skipDollar, nodes);
      for (let i = from; i < nodes.length; i++) depths.push(depth + 1);
    }
    return out;
  }
}

/** What `#` matches at `node`: its own message (the parent level) and every message below it. */
function collectBranch(node: RetainedNode, atRoot: boolean, out: Message[]): void {
  if (node.message !== undefined) out.push(node.message);
  if (node.children === undefined) return;
  const stack: RetainedNode[] = [];
  pushChildren(node.children, atRoot, stack);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.message !== undefined) out.push(n.message);
    if (n.children !== undefined) pushChildren(n.children, false, stack);
  }
}

/** Pushed in reverse, so that popping them visits siblings in insertion order. */
function pushChildren(children: Map<string, RetainedNode>, skipDollar: boolean, stack: RetainedNode[]): void {
  const from = stack.length;
  for (const [key, child] of children) {
    if (!(skipDollar && key.charCodeAt(0) === DOLLAR)) stack.push(child);
  }
  for (let i = from, j = stack.length - 1; i < j; i++, j--) {
    const t = stack[i];
    stack[i] = stack[j];
    stack[j] = t;
  }
}
