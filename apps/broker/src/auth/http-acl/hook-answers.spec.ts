import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { HookAnswers } from './hook-answers';

describe('HookAnswers', () => {
  it('remembers allows and denials per topic, QoS and retain flag, until they expire', () => {
    const answers = new HookAnswers(10, 64 * 1024);
    answers.set('a', 1, false, true, 1000);
    answers.set('a', 1, true, false, 1000);
    assert.equal(answers.get('a', 1, false, 999), true);
    assert.equal(answers.get('a', 1, true, 999), false);
    assert.equal(answers.get('a', 0, false, 999), undefined, 'another QoS is another question');
    assert.equal(answers.get('a', 1, false, 1000), undefined, 'expired');
    assert.equal(answers.get('b', 1, false, 0), undefined);
  });

  it('forgets the topics asked about first past its count of topics or its bytes', () => {
    const answers = new HookAnswers(2, 64 * 1024);
    for (const t of ['a', 'b', 'c']) answers.set(t, 0, false, true, 1000);
    assert.deepEqual([answers.get('a', 0, false, 0), answers.get('b', 0, false, 0), answers.get('c', 0, false, 0)], [undefined, true, true]);
    const small = new HookAnswers(100, 1000);
    small.set('x'.repeat(200), 0, false, true, 1000);
    small.set('y'.repeat(200), 0, false, true, 1000);
    assert.equal(small.size, 1, 'two 200-character topics do not fit in 1000 bytes');
    assert.equal(small.get('y'.repeat(200), 0, false, 0), true);
    small.set('z'.repeat(1000), 0, false, true, 1000);
    assert.equal(small.get('z'.repeat(1000), 0, false, 0), undefined, 'a topic larger than the budget is not remembered');
  });
});
