import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { PendingAuthentications } from './pending-authentications';

describe('PendingAuthentications', () => {
  it('bounds the CONNECTs waiting per address and in total, and frees places as they leave', () => {
    const pending = new PendingAuthentications(3, 2);
    assert.equal(pending.enter('a'), true);
    assert.equal(pending.enter('a'), true);
    assert.equal(pending.enter('a'), false, 'third from one address');
    assert.equal(pending.enter('b'), true);
    assert.equal(pending.enter('c'), false, 'fourth in total');
    pending.leave('a');
    assert.equal(pending.enter('c'), true);
    assert.equal(pending.size, 3);
    pending.leave('a');
    pending.leave('b');
    pending.leave('c');
    pending.leave('c');
    assert.equal(pending.size, 0, 'a stray leave never goes below zero');
  });
});
