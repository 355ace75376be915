import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { isSysTopic, isValidTopicFilter, isValidTopicName, parseSharedSubscription, topicMatches } from './topic';

describe('isValidTopicName', () => {
  for (const name of ['a', 'a/b', '/', '//', '/a/', 'sport/tennis/player1', '$SYS/broker/uptime', 'ü/€/𝄞', ' ']) {
    it(`accepts ${JSON.stringify(name)}`, () => assert.equal(isValidTopicName(name), true));
  }
  for (const [name, why] of [
    ['', 'empty [MQTT-4.7.3-1]'],
    ['a/+', 'wildcard + [MQTT-4.7.0-1]'],
    ['a/#', 'wildcard # [MQTT-4.7.0-1]'],
    ['a\u0000b', 'U+0000 [MQTT-4.7.3-2]'],
    ['x'.repeat(65536), 'over 65,535 bytes [MQTT-4.7.3-3]'],
    ['€'.repeat(21846), 'over 65,535 bytes once encoded [MQTT-4.7.3-3]'],
  ]) {
    it(`rejects ${why}`, () => assert.equal(isValidTopicName(name), false));
  }
});

describe('isValidTopicFilter', () => {
  for (const filter of ['#', '+', 'a/#', 'a/+/b', '+/+', '/+', '+/', 'sport/+/player1', '$SYS/#', '$share/g/a/#', '$share/g/+', 'a//b']) {
    it(`accepts ${JSON.stringify(filter)}`, () => assert.equal(isValidTopicFilter(filter), true));
  }
  for (const [filter, why] of [
    ['', 'empty [MQTT-4.7.3-1]'],
    ['a/#/b', '# not last [MQTT-4.7.1-1]'],
    ['a#', '# not a whole level [MQTT-4.7.1-1]'],
    ['a/b#', '# not a whole level [MQTT-4.7.1-1]'],
    ['a+', '+ not a whole level [MQTT-4.7.1-2]'],
    ['a/+b', '+ not a whole level [MQTT-4.7.1-2]'],
    ['++', '+ not a whole level [MQTT-4.7.1-2]'],
    ['a\u0000', 'U+0000 [MQTT-4.7.3-2]'],
    ['$share/g', 'a shared subscription without a filter [MQTT-4.8.2-2]'],
    ['$share//a', 'a shared subscription without a ShareName [MQTT-4.8.2-1]'],
    ['$share/g+/a', 'a ShareName with + [MQTT-4.8.2-2]'],
    ['$share/g#/a', 'a ShareName with # [MQTT-4.8.2-2]'],
    ['$share/g/a/#/b', 'a shared subscription with an invalid filter'],
  ]) {
    it(`rejects ${JSON.stringify(filter)}: ${why}`, () => assert.equal(isValidTopicFilter(filter), false));
  }
});

describe('isSysTopic', () => {
  it('is $SYS and the topics below it, nothing else', () => {
    for (const t of ['$SYS', '$SYS/', '$SYS/broker/version', '$SYS//x']) assert.equal(isSysTopic(t), true, t);
    for (const t of ['$SYSTEM/x', '$sys/broker', 'SYS/x', '/$SYS/x', '$share/g/x', '', '$']) assert.equal(isSysTopic(t), false, t);
  });
});

describe('topicMatches', () => {
  const matches: Array<[string, string]> = [
    ['sport/tennis/player1/#', 'sport/tennis/player1'],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking'],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon'],
    ['sport/#', 'sport'],
    ['#', 'sport/tennis'],
    ['#', '/'],
    ['sport/tennis/+', 'sport/tennis/player1'],
    ['sport/+', 'sport/'],
    ['+/+', '/finance'],
    ['/+', '/finance'],
    ['+', 'a'],
    ['a/+/c', 'a//c'],
    ['a//b', 'a//b'],
    ['$SYS/#', '$SYS/broker/uptime'],
    ['$SYS/monitor/+', '$SYS/monitor/Clients'],
    ['a/#', 'a/'],
  ];
  const nonMatches: Array<[string, string]> = [
    ['sport/tennis/+', 'sport/tennis/player1/ranking'],
    ['sport/+', 'sport'],
    ['+', '/finance'],
    ['a/b', 'a/bc'],
    ['a/bc', 'a/b'],
    ['a/b', 'a/b/'],
    ['a/b/', 'a/b'],
    ['sport/tennis/#', 'sport/football'],
    ['#', '$SYS/broker'], // [MQTT-4.7.2-1]
    ['+/monitor/Clients', '$SYS/monitor/Clients'], // [MQTT-4.7.2-1]
    ['+', '$SYS'],
    ['A', 'a'],
  ];
  for (const [filter, topic] of matches) {
    it(`${filter} matches ${topic}`, () => assert.equal(topicMatches(filter, topic), true));
  }
  for (const [filter, topic] of nonMatches) {
    it(`${filter} does not match ${topic}`, () => assert.equal(topicMatches(filter, topic), false));
  }

  it('agrees with a level-by-level reference on random topics and filters', () => {
    const level = fc.constantFrom('a', 'b', '', '$x', 'ab');
    const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/')).filter((t) => t.length > 0);
    const filterLevel = fc.constantFrom('a', 'b', '', '+', '$x', 'ab');
    const filter = fc
      .tuple(fc.array(filterLevel, { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
      .filter((f) => f.length > 0);
    fc.assert(
      fc.property(filter, topic, (f, t) => {
        assert.equal(topicMatches(f, t), referenceMatch(f, t), `${f} vs ${t}`);
      }),
      { numRuns: 5000 },
    );
  });
});

/** The textbook definition, split into levels, against which the single-pass matcher is checked. */
function referenceMatch(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

describe('parseSharedSubscription', () => {
  it('splits $share/{ShareName}/{filter}', () => {
    assert.deepEqual(parseSharedSubscription('$share/consumers/sport/tennis/+'), { group: 'consumers', filter: 'sport/tennis/+' });
    assert.deepEqual(parseSharedSubscription('$share/g//a'), { group: 'g', filter: '/a' });
    assert.deepEqual(parseSharedSubscription('$share/g/#'), { group: 'g', filter: '#' });
  });
  it('is undefined for plain filters and invalid shares', () => {
    for (const f of ['a/b', '$shared/g/a', '$share/', '$share/g', '$share/g/', '$share/+/a', '$share/g/a#']) {
      assert.equal(parseSharedSubscription(f), undefined, f);
    }
  });
});
