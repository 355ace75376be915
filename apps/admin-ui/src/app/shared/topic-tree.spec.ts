import { branchPaths, buildTopicTree, visibleRows } from './topic-tree';

const t = (topic: string) => ({ topic });

describe('topic tree', () => {
  it('nests topics by level, sorted, a topic that is also a prefix holding both', () => {
    const tree = buildTopicTree([t('plant/7/temp'), t('plant/7'), t('plant/12/temp'), t('alarm')]);
    expect(tree.map((n) => n.name)).toEqual(['alarm', 'plant']);
    const plant = tree[1]!;
    expect(plant.topic).toBeNull();
    expect(plant.count).toBe(3);
    expect(plant.children.map((n) => n.path)).toEqual(['plant/12', 'plant/7']);
    const seven = plant.children[1]!;
    expect(seven.topic).toEqual(t('plant/7'));
    expect(seven.children.map((n) => [n.name, n.path, n.topic?.topic])).toEqual([['temp', 'plant/7/temp', 'plant/7/temp']]);
    expect(seven.count).toBe(2);
  });

  it('keeps empty levels and leading slashes as levels of their own', () => {
    const tree = buildTopicTree([t('/a'), t('a//b')]);
    expect(tree.map((n) => n.path)).toEqual(['', 'a']);
    expect(tree[0]!.children[0]!.topic).toEqual(t('/a'));
    expect(tree[1]!.children[0]!.path).toBe('a/');
    expect(tree[1]!.children[0]!.children[0]!.topic).toEqual(t('a//b'));
  });

  it('lists the rows under expanded levels only, with their depth', () => {
    const tree = buildTopicTree([t('a/b/c'), t('a/d'), t('e')]);
    const rows = (open: string[]) => visibleRows(tree, (p) => open.includes(p)).map((r) => `${'-'.repeat(r.depth)}${r.node.name}${r.expanded ? '+' : ''}`);
    expect(rows([])).toEqual(['a', 'e']);
    expect(rows(['a'])).toEqual(['a+', '-b', '-d', 'e']);
    expect(rows(['a', 'a/b'])).toEqual(['a+', '-b+', '--c', '-d', 'e']);
    expect(rows(['a/b'])).toEqual(['a', 'e']);
    expect(branchPaths(tree)).toEqual(['a', 'a/b']);
  });

  it('builds a tree of 10,000 topics quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => t(`site/${i % 50}/device/${i}/value`));
    const started = performance.now();
    const tree = buildTopicTree(many);
    expect(tree[0]!.count).toBe(10_000);
    expect(visibleRows(tree, () => true).length).toBe(1 + 50 + 50 + 10_000 * 2);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
