import { appliesTo, isValidTopicFilter, moved, orNull, splitRules, topicProblem, AclRule } from './acl-rules';

const rule = (over: Partial<AclRule>): AclRule => ({
  id: '1', source: 'database', position: 1, permission: 'allow', action: 'all', topic: '#', username: null, clientId: null,
  anonymous: false, role: null, comment: null, fileLine: null, updatedAt: null, ...over,
});

describe('ACL rules', () => {
  it('checks topic filters as the broker does', () => {
    for (const ok of ['#', '+', 'a/+/b', 'a/#', '/', 'a//b', '$SYS/#', 'plant/%u/#', 'c/%c']) expect(isValidTopicFilter(ok.replaceAll('%c', 'c').replaceAll('%u', 'u'))).toBe(true);
    for (const bad of ['', 'a/#/b', 'a#', 'a+/b', 'a/b+', 'x\u0000']) expect(isValidTopicFilter(bad)).toBe(false);
  });

  it('says what is wrong with a topic, %c and %u standing for a level', () => {
    expect(topicProblem('plant/%u/#')).toBeNull();
    expect(topicProblem('')).toMatch(/Enter a topic/);
    expect(topicProblem('a/#/b')).toMatch(/Not a topic filter/);
    expect(topicProblem('$share/g/a')).toMatch(/shared subscription/);
    expect(topicProblem('a/b/c', 2)).toBe('More than 2 levels (MAX_TOPIC_LEVELS)');
    expect(topicProblem('x'.repeat(65_536))).toMatch(/65535 bytes/);
  });

  it('says whom a rule is for', () => {
    expect(appliesTo(rule({}))).toBe('everyone');
    expect(appliesTo(rule({ username: 'dev1', clientId: 'c1' }))).toBe('user dev1, client c1');
    expect(appliesTo(rule({ anonymous: true }))).toBe('anonymous clients');
    expect(appliesTo(rule({ role: 'operators' }))).toBe('role operators');
    expect(appliesTo(rule({ username: 'olga', role: 'operators' }))).toBe('user olga, role operators');
  });

  it('orders database rules by position and file rules by line', () => {
    const { database, file } = splitRules([
      rule({ id: 'file:3', source: 'file', position: null, fileLine: 3 }),
      rule({ id: '2', position: 2 }),
      rule({ id: 'file:1', source: 'file', position: null, fileLine: 1 }),
      rule({ id: '1', position: 1 }),
    ]);
    expect(database.map((r) => r.id)).toEqual(['1', '2']);
    expect(file.map((r) => r.id)).toEqual(['file:1', 'file:3']);
  });

  it('moves a rule up or down, never past the ends', () => {
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moved(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
  });

  it('takes a blank field as any', () => {
    expect(orNull('  ')).toBeNull();
    expect(orNull(' dev1 ')).toBe('dev1');
  });
});
