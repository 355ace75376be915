import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { InflightCap } from './inflight-cap';

describe('InflightCap (MAX_INFLIGHT_MESSAGES)', () => {
  it("gives a client its Receive Maximum up to the cap, and the cap when it announces none (65,535 by default, §3.1.2.11.3)", () => {
    const cap = new InflightCap(256);
    assert.equal(cap.receiveMaximumFor(10), 10);
    assert.equal(cap.receiveMaximumFor(256), 256);
    assert.equal(cap.receiveMaximumFor(65535), 256);
    assert.equal(cap.receiveMaximumFor(undefined), 256);
    assert.equal(new InflightCap(100_000).receiveMaximumFor(undefined), 65535);
  });
});
