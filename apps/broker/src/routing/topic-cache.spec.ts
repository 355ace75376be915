import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { TopicCache } from './topic-cache';

describe('TopicCache', () => {
  it('keeps what fits its byte budget and starts over when a new topic would not fit', () => {
    const cache = new TopicCache<number>(1000);
    for (let i = 0; i < 5; i++) cache.set(`t/${i}`, i);
    assert.equal(cache.size, 5);
    assert.equal(cache.get('t/3'), 3);
    cache.set('x'.repeat(300), 9);
    assert.ok(cache.usedBytes <= 1000);
    assert.equal(cache.get('x'.repeat(300)), 9);
    cache.set('y'.repeat(300), 10);
    assert.ok(cache.usedBytes <= 1000, `used ${cache.usedBytes}`);
    assert.equal(cache.get('y'.repeat(300)), 10);
  });

  it('never holds more than its budget, whatever the topics', () => {
    const cache = new TopicCache<boolean>(64 * 1024);
    for (let i = 0; i < 10_000; i++) cache.set(`${i}/`.repeat(1 + (i % 500)), true);
    assert.ok(cache.usedBytes <= 64 * 1024);
  });

  it('does not cache a topic larger than the whole budget', () => {
    const cache = new TopicCache<boolean>(1000);
    cache.set('a', true);
    cache.set('z'.repeat(1000), true);
    assert.equal(cache.get('z'.repeat(1000)), undefined);
    assert.equal(cache.get('a'), true, 'the cache was not emptied for it');
  });

  it('adds an entry not worth an eviction only while there is room', () => {
    const cache = new TopicCache<number>(400);
    cache.set('a'.repeat(50), 1);
    cache.setIfRoom('b'.repeat(50), 2);
    assert.equal(cache.get('b'.repeat(50)), 2);
    cache.setIfRoom('c'.repeat(50), 3);
    assert.equal(cache.get('c'.repeat(50)), undefined);
    assert.equal(cache.get('a'.repeat(50)), 1, 'nothing was evicted for it');
  });
});
