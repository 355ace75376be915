import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { topicMatches } from '@nestmq/mqtt-protocol';
import { InflightWindow } from '../qos/inflight-window';
import { Session, SubscriptionRecord } from '../session/session';
import { SharedGroup, Subscriber, SubscriptionTrie } from './subscription-trie';

const record = (topicFilter: string): SubscriptionRecord => ({
  topicFilter, qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: 0,
});

function subscribe(trie: SubscriptionTrie, clientId: string, filter: string, group?: string): Session {
  const session = new Session(clientId, new InflightWindow(10));
  trie.add(filter, { session, record: record(filter) }, group);
  return session;
}

const matchedIds = (trie: SubscriptionTrie, topic: string): string[] =>
  trie.match(topic).subscribers.map((s) => `${s.session.clientId}:${s.record.topicFilter}`).sort();

describe('SubscriptionTrie', () => {
  it('matches literal, + and # filters, # including its parent level', () => {
    const trie = new SubscriptionTrie();
    subscribe(trie, 'a', 'sport/tennis/player1');
    subscribe(trie, 'b', 'sport/+/player1');
    subscribe(trie, 'c', 'sport/#');
    subscribe(trie, 'd', '#');
    subscribe(trie, 'e', '+/+');
    assert.deepEqual(matchedIds(trie, 'sport/tennis/player1'), ['a:sport/tennis/player1', 'b:sport/+/player1', 'c:sport/#', 'd:#']);
    assert.deepEqual(matchedIds(trie, 'sport'), ['c:sport/#', 'd:#']);
    assert.deepEqual(matchedIds(trie, 'sport/x'), ['c:sport/#', 'd:#', 'e:+/+']);
  });

  it('keeps $ topics away from filters starting with + or # [MQTT-4.7.2-1]', () => {
    const trie = new SubscriptionTrie();
    subscribe(trie, 'all', '#');
    subscribe(trie, 'plus', '+/broker');
    subscribe(trie, 'sys', '$SYS/#');
    assert.deepEqual(matchedIds(trie, '$SYS/broker'), ['sys:$SYS/#']);
  });

  it('removes subscriptions and prunes empty branches', () => {
    const trie = new SubscriptionTrie();
    subscribe(trie, 'a', 'x/y/z');
    subscribe(trie, 'b', 'x/y/z');
    assert.equal(trie.size, 2);
    assert.equal(trie.remove('x/y/z', 'a'), true);
    assert.equal(trie.remove('x/y/z', 'a'), false);
    assert.deepEqual(matchedIds(trie, 'x/y/z'), ['b:x/y/z']);
    assert.equal(trie.remove('x/y/z', 'b'), true);
    assert.equal(trie.size, 0);
    assert.equal((trie as unknown as { root: { children: Map<string, unknown> } }).root.children.size, 0);
  });

  it('keeps shared groups apart from plain subscribers', () => {
    const trie = new SubscriptionTrie();
    subscribe(trie, 'a', 'jobs/+', 'workers');
    subscribe(trie, 'b', 'jobs/+', 'workers');
    subscribe(trie, 'c', 'jobs/#');
    const match = trie.match('jobs/1');
    assert.deepEqual(match.subscribers.map((s) => s.session.clientId), ['c']);
    assert.equal(match.groups.length, 1);
    assert.deepEqual(match.groups[0].list.map((s) => s.session.clientId), ['a', 'b']);
    trie.remove('jobs/+', 'a', 'workers');
    trie.remove('jobs/+', 'b', 'workers');
    assert.equal(trie.match('jobs/1').groups.length, 0);
  });

  it("keeps a shared group's members exact through joins, re-subscriptions and leaves in any order", () => {
    const sessions = Array.from({ length: 8 }, (_, i) => new Session(`c${i}`, new InflightWindow(10)));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(7), fc.nat(2))), (ops) => {
        const group = new SharedGroup('g', 'jobs/+');
        const model = new Map<string, Subscriber>();
        for (const [join, n, qos] of ops) {
          const session = sessions[n];
          if (join) {
            const subscriber = { session, record: { ...record('jobs/+'), qos: qos as 0 | 1 | 2 } };
            group.set(session.clientId, subscriber);
            model.set(session.clientId, subscriber);
          } else {
            assert.equal(group.delete(session.clientId), model.delete(session.clientId));
          }
        }
        assert.equal(group.size, model.size);
        assert.deepEqual(new Set(group.list), new Set(model.values()), 'each member once, with its latest subscription');
        for (const session of sessions) assert.equal(group.has(session.clientId), model.has(session.clientId));
      }),
    );
  });

  it('agrees with topicMatches for random filters and topics', () => {
    const level = fc.constantFrom('a', 'b', '', '$s');
    const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/')).filter((t) => t.length > 0);
    const filter = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', '', '+', '$s'), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
      .filter((f) => f.length > 0);
    fc.assert(
      fc.property(fc.uniqueArray(filter, { maxLength: 8 }), topic, (filters, t) => {
        const trie = new SubscriptionTrie();
        filters.forEach((f, i) => subscribe(trie, `c${i}`, f));
        const expected = filters.map((f, i) => (topicMatches(f, t) ? `c${i}:${f}` : null)).filter((x) => x !== null).sort();
        assert.deepEqual(matchedIds(trie, t), expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches, adds and removes topics of 20,000 levels without running out of stack', () => {
    const trie = new SubscriptionTrie();
    const deep = '/'.repeat(20_000);
    const plusses = '+/'.repeat(20_000) + '#';
    subscribe(trie, 'deep', deep);
    subscribe(trie, 'plus', plusses);
    subscribe(trie, 'all', '#');
    assert.deepEqual(matchedIds(trie, deep), [`all:#`, `deep:${deep}`, `plus:${plusses}`]);
    assert.deepEqual(matchedIds(trie, 'a/'.repeat(20_000)), ['all:#', `plus:${plusses}`]);
    assert.equal(trie.remove(deep, 'deep'), true);
    assert.equal(trie.remove(plusses, 'plus'), true);
    assert.deepEqual(matchedIds(trie, deep), ['all:#']);
  });
});
