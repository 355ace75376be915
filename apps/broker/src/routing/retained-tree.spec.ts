import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { topicMatches } from '@nestmq/mqtt-protocol';
import { Message } from './message';
import { RetainedTree } from './retained-tree';

const retained = (topic: string, payload = 'x'): Message =>
  new Message(topic, Buffer.from(topic), Buffer.from(payload), 0, true, null, 0, 'p', 0);

function treeOf(...topics: string[]): RetainedTree {
  const tree = new RetainedTree();
  for (const t of topics) tree.set(retained(t));
  return tree;
}

const matched = (tree: RetainedTree, filter: string): string[] => tree.match(filter).map((m) => m.topic).sort();

/** The tree's nodes as topic-level paths, read through its private fields: what it keeps, not what it answers. */
interface NodeShape {
  children: Map<string, NodeShape> | undefined;
  message: Message | undefined;
}

function nodePaths(tree: RetainedTree): { paths: Set<string>; emptyMaps: number; leafMaps: number } {
  const root = (tree as unknown as { root: NodeShape }).root;
  const paths = new Set<string>();
  let emptyMaps = 0;
  let leafMaps = 0;
  const stack: Array<[NodeShape, string[]]> = [[root, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node.children === undefined) continue;
    if (node.children.size === 0) emptyMaps++;
    for (const [level, child] of node.children) {
      const childPath = [...path, level];
      paths.add(JSON.stringify(childPath));
      if (child.children !== undefined && child.children.size === 0) leafMaps++;
      stack.push([child, childPath]);
    }
  }
  return { paths, emptyMaps, leafMaps };
}

/** Nodes below the root: cheap enough for trees tens of thousands of levels deep. */
function nodeCount(tree: RetainedTree): number {
  const stack: NodeShape[] = [(tree as unknown as { root: NodeShape }).root];
  let count = -1;
  while (stack.length > 0) {
    const node = stack.pop()!;
    count++;
    if (node.children !== undefined) stack.push(...node.children.values());
  }
  return count;
}

/** Every level-prefix of the topics: exactly the nodes a pruned tree holding them has. */
function prefixPaths(topics: Iterable<string>): Set<string> {
  const paths = new Set<string>();
  for (const t of topics) {
    const levels = t.split('/');
    for (let i = 1; i <= levels.length; i++) paths.add(JSON.stringify(levels.slice(0, i)));
  }
  return paths;
}

// Few distinct levels, so that random filters and topics meet often; '$' levels for [MQTT-4.7.2-1], the
// empty level, and some non-ASCII text for levels that are not one UTF-16 unit per character.
const level = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', '', '$s', '$', 'é', '\u{1F600}', ' ') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => s.replace(/[/+#\u0000]/g, '_')) },
);
const topic = fc
  .array(level, { minLength: 1, maxLength: 5 })
  .map((l) => l.join('/'))
  .filter((t) => t.length > 0);
const freeFilter = fc
  .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: level }, { weight: 2, arbitrary: fc.constant('+') }), { maxLength: 5 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .filter((f) => f.length > 0);

/** A filter made from a stored topic: some levels turned to `+`, perhaps cut short by `#`, so it matches something. */
function filterFrom(t: string, plus: boolean[], cut: number | null): string {
  const levels = t.split('/').map((l, i) => (plus[i % plus.length] ? '+' : l));
  if (cut === null) return levels.join('/');
  return [...levels.slice(0, cut % (levels.length + 1)), '#'].join('/');
}

describe('RetainedTree', () => {
  it('agrees with topicMatches for random topics and filters, and keeps no node without a message below it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(topic, { minLength: 1, maxLength: 25 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        fc.array(freeFilter, { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.option(fc.nat(6))), { maxLength: 6 }),
        (topics, deleted, freeFilters, derived) => {
          const tree = treeOf(...topics);
          const live = topics.filter((_, i) => !deleted[i % deleted.length]);
          topics.forEach((t, i) => {
            if (deleted[i % deleted.length]) assert.equal(tree.delete(t), true);
          });
          assert.equal(tree.size, live.length);
          const filters = [...freeFilters, ...derived.map(([i, plus, cut]) => filterFrom(topics[i % topics.length], plus, cut))];
          for (const f of filters) {
            const expected = live.filter((t) => topicMatches(f, t)).sort();
            assert.deepEqual(matched(tree, f), expected, `filter ${JSON.stringify(f)}`);
          }
          for (const t of topics) assert.equal(tree.get(t)?.topic, live.includes(t) ? t : undefined);
          const shape = nodePaths(tree);
          assert.deepEqual([...shape.paths].sort(), [...prefixPaths(live)].sort());
          assert.equal(shape.emptyMaps, 0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('matches + and # at the root only against topics that do not start with $ [MQTT-4.7.2-1]', () => {
    const tree = treeOf('$SYS/broker/uptime', '$SYS', '$', 'plain/x', 'a/$x');
    assert.deepEqual(matched(tree, '#'), ['a/$x', 'plain/x']);
    assert.deepEqual(matched(tree, '+'), []);
    assert.deepEqual(matched(tree, '+/+'), ['a/$x', 'plain/x']);
    assert.deepEqual(matched(tree, '+/broker/uptime'), []);
    assert.deepEqual(matched(tree, '$SYS/#'), ['$SYS', '$SYS/broker/uptime']);
    assert.deepEqual(matched(tree, '$SYS/+/uptime'), ['$SYS/broker/uptime']);
    assert.deepEqual(matched(tree, '$'), ['$']);
    assert.deepEqual(matched(tree, 'a/+'), ['a/$x'], '$ only matters at the first level');
  });

  it('treats empty levels as levels', () => {
    const tree = treeOf('/', '/a', 'a/', 'a//b', 'a', '//');
    assert.deepEqual(matched(tree, '+/+'), ['/', '/a', 'a/']);
    assert.deepEqual(matched(tree, '+'), ['a']);
    assert.deepEqual(matched(tree, '/+'), ['/', '/a']);
    assert.deepEqual(matched(tree, 'a/+'), ['a/']);
    assert.deepEqual(matched(tree, 'a/+/b'), ['a//b']);
    assert.deepEqual(matched(tree, 'a//+'), ['a//b']);
    assert.deepEqual(matched(tree, '/#'), ['/', '//', '/a']);
    assert.deepEqual(matched(tree, '+/+/+'), ['//', 'a//b']);
    assert.equal(tree.get('/')?.topic, '/');
    assert.equal(tree.get('a/'), tree.match('a/')[0]);
    assert.equal(tree.get('a/b'), undefined);
  });

  it('lets # match its parent level and everything below, nothing beside', () => {
    const tree = treeOf('a', 'a/b', 'a/b/c', 'ab', 'b/a', 'a/b/c/d');
    assert.deepEqual(matched(tree, 'a/#'), ['a', 'a/b', 'a/b/c', 'a/b/c/d']);
    assert.deepEqual(matched(tree, 'a/b/#'), ['a/b', 'a/b/c', 'a/b/c/d']);
    assert.deepEqual(matched(tree, 'a/+/#'), ['a/b', 'a/b/c', 'a/b/c/d']);
    assert.deepEqual(matched(tree, '+/#'), ['a', 'a/b', 'a/b/c', 'a/b/c/d', 'ab', 'b/a']);
    assert.deepEqual(matched(tree, 'a/b/c/d/#'), ['a/b/c/d']);
    assert.deepEqual(matched(tree, 'x/#'), []);
  });

  it('answers depth first, siblings in the order their topics were first retained', () => {
    const tree = treeOf('s/3', 's/1', 's/2', 's/1/x', 't');
    tree.set(retained('s/3', 'again'));
    assert.deepEqual(tree.match('s/+').map((m) => m.topic), ['s/3', 's/1', 's/2']);
    assert.deepEqual(tree.match('#').map((m) => m.topic), ['s/3', 's/1', 's/1/x', 's/2', 't']);
    assert.deepEqual(tree.match('+/+/+').map((m) => m.topic), ['s/1/x']);
  });

  it('replaces a topic’s message, counting the topic once', () => {
    const tree = treeOf('a/b');
    const second = retained('a/b', 'second');
    tree.set(second);
    assert.equal(tree.size, 1);
    assert.equal(tree.get('a/b'), second);
    assert.deepEqual(tree.match('a/+'), [second]);
  });

  it('prunes the branch of a deleted topic up to the first level still in use', () => {
    const tree = treeOf('a/b/c', 'a/b', 'a/x/y/z');
    assert.equal(tree.delete('a/x/y/z'), true);
    assert.deepEqual([...nodePaths(tree).paths].sort(), [...prefixPaths(['a/b/c', 'a/b'])].sort());
    assert.equal(tree.get('a'), undefined);
    assert.equal(tree.delete('a'), false, 'a level with no message of its own');
    assert.equal(tree.delete('a/b/c/d'), false);
    assert.equal(tree.delete('a/b/c'), true);
    assert.equal(tree.delete('a/b/c'), false);
    assert.deepEqual([...nodePaths(tree).paths].sort(), [...prefixPaths(['a/b'])].sort());
    assert.equal(nodePaths(tree).leafMaps, 0, 'a node whose last child went has no Map left');
    assert.equal(tree.delete('a/b'), true);
    assert.equal(tree.size, 0);
    assert.equal((tree as unknown as { root: NodeShape }).root.children, undefined);
  });

  it('gives leaves no Map', () => {
    const tree = treeOf('a/b/c', 'a/b/d', 'a/e');
    const root = (tree as unknown as { root: NodeShape }).root;
    const a = root.children!.get('a')!;
    assert.equal(a.children!.get('e')!.children, undefined);
    assert.equal(a.children!.get('b')!.children!.get('c')!.children, undefined);
  });

  it('walks topics and filters of any depth without recursion', () => {
    // 65,536 levels: the deepest topic a 65,535-byte UTF-8 string can spell [MQTT-4.7.3-3].
    const deepest = '/'.repeat(0xffff);
    const deep = 'x/'.repeat(20_000) + 'y';
    const tree = treeOf(deepest, deep, '/'.repeat(20_000), 'x');
    assert.equal(tree.size, 4);
    // '/'.repeat(20_000) lies along the deepest topic's branch, 'x' along the other's.
    assert.equal(nodeCount(tree), 0x10000 + 20_001);
    const filters = [
      '+/'.repeat(20_000) + '#',
      '+/'.repeat(20_000) + '+',
      '/'.repeat(20_000) + '#',
      'x/'.repeat(20_000) + '+',
      '+/'.repeat(32_767) + '#',
      '/'.repeat(0xfffe) + '#',
      '#',
      '+/#',
      deep,
      deepest,
    ];
    const topics = [deepest, deep, '/'.repeat(20_000), 'x'];
    for (const f of filters) {
      assert.deepEqual(matched(tree, f), topics.filter((t) => topicMatches(f, t)).sort(), `filter of ${f.length} characters`);
    }
    assert.equal(matched(tree, '#').length, 4);
    assert.equal(tree.get(deepest)?.topic, deepest);
    assert.equal(tree.delete(deepest), true);
    assert.equal(tree.delete(deep), true);
    assert.equal(tree.delete('/'.repeat(20_000)), true);
    assert.equal(nodeCount(tree), 1);
    assert.equal(tree.get('x')?.topic, 'x');
  });
});
