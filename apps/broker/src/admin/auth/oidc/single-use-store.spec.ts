import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { SingleUseStore } from './single-use-store';

describe('SingleUseStore', () => {
  it('gives a value once', () => {
    const store = new SingleUseStore<string>(10, 1000);
    store.put('a', 'x');
    assert.equal(store.take('a'), 'x');
    assert.equal(store.take('a'), undefined);
  });

  it('gives nothing once an entry has expired', () => {
    let now = 0;
    const store = new SingleUseStore<string>(10, 1000, () => now);
    store.put('a', 'x');
    now = 1000;
    assert.equal(store.take('a'), undefined);
  });

  it('never holds more than its capacity: the oldest entries go first', () => {
    const store = new SingleUseStore<number>(100, 60_000);
    for (let i = 0; i < 10_000; i++) store.put(`k${i}`, i);
    assert.equal(store.size, 100);
    assert.equal(store.take('k9899'), undefined);
    assert.equal(store.take('k9900'), 9900);
    assert.equal(store.take('k9999'), 9999);
  });

  it('drops expired entries as new ones come', () => {
    let now = 0;
    const store = new SingleUseStore<number>(100, 1000, () => now);
    for (let i = 0; i < 50; i++) store.put(`old${i}`, i);
    now = 2000;
    store.put('new', 1);
    assert.equal(store.size, 1);
  });
});
