import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { NO_PERSISTENCE, SessionPersistence } from '../session/session-persistence';
import { Message } from './message';
import { RetainedStore } from './retained-store';

const retained = (topic: string, payload: string, expiresAt = 0): Message =>
  new Message(topic, Buffer.from(topic), Buffer.from(payload), 1, true, null, expiresAt, 'p', 0);

/** What the store told durable storage, in order. */
function recordingPersistence(): { persistence: SessionPersistence; calls: string[] } {
  const calls: string[] = [];
  const persistence: SessionPersistence = {
    ...NO_PERSISTENCE,
    retainedSaved: (m) => void calls.push(`saved ${m.topic}`),
    retainedRemoved: (topic) => void calls.push(`removed ${topic}`),
  };
  return { persistence, calls };
}

const topics = (messages: Message[]): string[] => messages.map((m) => m.topic).sort();

describe('RetainedStore', () => {
  it('keeps the last retained message per topic and deletes it on an empty payload [MQTT-3.3.1-6]', () => {
    const { persistence, calls } = recordingPersistence();
    const store = new RetainedStore(persistence);
    store.store(retained('a/b', 'one'));
    store.store(retained('a/b', 'two'));
    store.store(retained('a/c', 'x'));
    assert.equal(store.size, 2);
    assert.deepEqual(store.matching('a/b', 0).map((m) => m.payload.toString()), ['two']);
    store.store(retained('a/b', ''));
    store.store(retained('never/stored', ''));
    assert.equal(store.size, 1);
    assert.deepEqual(store.matching('a/b', 0), []);
    assert.deepEqual(topics(store.matching('a/#', 0)), ['a/c']);
    assert.deepEqual(calls, ['saved a/b', 'saved a/b', 'saved a/c', 'removed a/b'], 'an empty payload for an unknown topic stores nothing');
  });

  it('restores without writing back to storage', () => {
    const { persistence, calls } = recordingPersistence();
    const store = new RetainedStore(persistence);
    store.restore([retained('s/1', 'x'), retained('s/2', 'y'), retained('s/1', 'z')]);
    assert.equal(store.size, 2);
    assert.deepEqual(store.matching('s/1', 0).map((m) => m.payload.toString()), ['z']);
    assert.deepEqual(calls, []);
  });

  it('matches wildcard filters like topicMatches, $ topics apart [MQTT-4.7.2-1]', () => {
    const store = new RetainedStore();
    store.restore(['sport/tennis/player1', 'sport/tennis', 'sport', '$SYS/uptime', '/x', 'sport//y'].map((t) => retained(t, 'x')));
    assert.deepEqual(topics(store.matching('sport/#', 0)), ['sport', 'sport//y', 'sport/tennis', 'sport/tennis/player1']);
    assert.deepEqual(topics(store.matching('sport/+', 0)), ['sport/tennis']);
    assert.deepEqual(topics(store.matching('+/+', 0)), ['/x', 'sport/tennis']);
    assert.deepEqual(topics(store.matching('#', 0)), ['/x', 'sport', 'sport//y', 'sport/tennis', 'sport/tennis/player1']);
    assert.deepEqual(topics(store.matching('$SYS/+', 0)), ['$SYS/uptime']);
  });

  it('never answers an expired message and removes it on the way, from memory and storage [MQTT-3.3.2-5]', () => {
    const { persistence, calls } = recordingPersistence();
    const store = new RetainedStore(persistence);
    store.store(retained('t/short', 'x', 1_000));
    store.store(retained('t/long', 'x', 5_000));
    store.store(retained('t/never', 'x'));
    store.store(retained('u/exact', 'x', 1_000));
    calls.length = 0;
    assert.deepEqual(topics(store.matching('t/+', 999)), ['t/long', 't/never', 't/short']);
    assert.deepEqual(topics(store.matching('t/+', 1_000)), ['t/long', 't/never']);
    assert.deepEqual(calls, ['removed t/short']);
    assert.deepEqual(store.matching('u/exact', 2_000), []);
    assert.deepEqual(calls, ['removed t/short', 'removed u/exact']);
    assert.equal(store.size, 2);
    assert.deepEqual(topics(store.matching('#', 10_000)), ['t/never']);
    assert.equal(store.size, 1);
  });

  it('answers a 20,000-level wildcard filter without overflowing the stack', () => {
    const store = new RetainedStore();
    const deep = '/'.repeat(20_000);
    store.store(retained(deep, 'x'));
    assert.deepEqual(topics(store.matching('+/'.repeat(20_000) + '#', 0)), [deep]);
    assert.deepEqual(topics(store.matching('+/'.repeat(19_999) + '+', 0)), []);
    store.store(retained(deep, ''));
    assert.equal(store.size, 0);
  });

  it('keeps its byte count exact through replacements, deletions and expiry, and refuses what exceeds its bounds', () => {
    const { persistence, calls } = recordingPersistence();
    const store = new RetainedStore(persistence, 2, 30);
    assert.equal(store.store(retained('a', '0123456789')), true);
    assert.equal(store.byteSize, 11);
    assert.equal(store.store(retained('a', '01234')), true, 'a smaller replacement');
    assert.equal(store.byteSize, 6);
    assert.equal(store.store(retained('b', 'x'.repeat(30))), false, 'over 30 bytes');
    assert.equal(store.store(retained('b', 'x'.repeat(10))), true);
    assert.equal(store.store(retained('c', 'x')), false, 'a third topic');
    assert.equal(store.admits(retained('c', '')), true, 'a deletion always fits');
    assert.equal(store.store(retained('b', 'x'.repeat(23))), true, 'a replacement within the byte bound');
    assert.equal(store.byteSize, 30);
    store.store(retained('a', ''));
    assert.equal(store.byteSize, 24);
    assert.equal(store.store(retained('e', 'x', 5)), true);
    assert.deepEqual(topics(store.matching('#', 10)), ['b']);
    assert.equal(store.byteSize, 24, 'the expired message no longer counts');
    assert.equal(calls.filter((c) => c.startsWith('saved')).length, 5, 'refusals were never stored');
  });
});
