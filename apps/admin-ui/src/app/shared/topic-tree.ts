/** A level of the topic tree: a topic itself when `topic` is set, a prefix of others when it has children. */
export interface TopicNode<T> {
  /** This level's name ("" for an empty level, as in a//b). */
  name: string;
  /** The levels down to here, joined with "/": the topic name when `topic` is set. */
  path: string;
  topic: T | null;
  children: TopicNode<T>[];
  /** Topics at and below this level. */
  count: number;
}

/** Builds the tree of topic levels from topic names; levels sorted by name, every count filled in. */
export function buildTopicTree<T extends { topic: string }>(topics: readonly T[]): TopicNode<T>[] {
  const root: TopicNode<T> = { name: '', path: '', topic: null, children: [], count: 0 };
  const index = new Map<string, TopicNode<T>>();
  for (const t of topics) {
    const levels = t.topic.split('/');
    let parent = root;
    let path = '';
    for (let i = 0; i < levels.length; i++) {
      path = i === 0 ? levels[0]! : `${path}/${levels[i]}`;
      let node = index.get(path);
      if (node === undefined) {
        node = { name: levels[i]!, path, topic: null, children: [], count: 0 };
        index.set(path, node);
        parent.children.push(node);
      }
      parent = node;
    }
    parent.topic = t;
  }
  const finish = (node: TopicNode<T>): number => {
    node.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    node.count = (node.topic ? 1 : 0) + node.children.reduce((n, c) => n + finish(c), 0);
    return node.count;
  };
  finish(root);
  return root.children;
}

/** A node as a row of the tree's list, with its depth. */
export interface TopicRow<T> {
  node: TopicNode<T>;
  depth: number;
  expanded: boolean;
}

/** The rows shown: every node whose ancestors are all expanded, depth first. */
export function visibleRows<T>(nodes: readonly TopicNode<T>[], expanded: (path: string) => boolean, depth = 0, out: TopicRow<T>[] = []): TopicRow<T>[] {
  for (const node of nodes) {
    const open = node.children.length > 0 && expanded(node.path);
    out.push({ node, depth, expanded: open });
    if (open) visibleRows(node.children, expanded, depth + 1, out);
  }
  return out;
}

/** The paths of every node with children, to start with all open (small trees) or to expand all. */
export function branchPaths<T>(nodes: readonly TopicNode<T>[], out: string[] = []): string[] {
  for (const node of nodes) {
    if (node.children.length === 0) continue;
    out.push(node.path);
    branchPaths(node.children, out);
  }
  return out;
}
