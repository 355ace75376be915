import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { BrokerStats } from '../metrics/broker-stats';
import { InternalErrorLog } from './internal-error-log';

describe('InternalErrorLog', () => {
  it('counts every error and logs each message with its stack at most once per second', () => {
    const stats = new BrokerStats();
    const lines: Array<[string, string | undefined]> = [];
    const log = new InternalErrorLog(stats, { error: (message: unknown, stack?: unknown) => lines.push([String(message), stack as string | undefined]) });
    for (let i = 0; i < 1000; i++) log.report(new TypeError('boom'), 'client-a');
    log.report(new RangeError('other'), 'client-b');
    assert.equal(stats.internalErrors, 1001);
    assert.equal(lines.length, 2);
    assert.match(lines[0][0], /client-a.*TypeError: boom/);
    assert.match(lines[0][1] ?? '', /internal-error-log\.spec/);
    assert.match(lines[1][0], /RangeError: other/);
  });

  it('quotes at most 128 characters of a client identifier', () => {
    const lines: string[] = [];
    const log = new InternalErrorLog(new BrokerStats(), { error: (message: unknown) => lines.push(String(message)) });
    log.report(new Error('x'), 'c'.repeat(65_000));
    assert.ok(lines[0].length < 300);
  });
});
