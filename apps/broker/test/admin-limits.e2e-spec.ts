import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import WebSocket from 'ws';
import { MAX_GRAPHQL_REQUEST_BYTES } from '../src/admin/subscription-frames';
import { withTimeout } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('admin API: what one request may carry', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: 'a-test-secret-of-enough-length-for-hs256-signing' });
  });
  afterAll(() => broker.close());

  const oversized = (): string => JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(MAX_GRAPHQL_REQUEST_BYTES) } });

  it('refuses an HTTP GraphQL request larger than the limit with 413', async () => {
    const response = await fetch(`http://127.0.0.1:${broker.port('http')}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: oversized() });
    assert.equal(response.status, 413);
  });

  it('closes a subscription socket (1009 Message too big) on a larger frame, before any authorization', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${broker.port('http')}/graphql`, 'graphql-transport-ws');
    await withTimeout(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)), 5000, 'the socket to open');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(oversized());
    assert.equal(await withTimeout(closed, 5000, 'the socket to close'), 1009);
  });

  it('takes a frame within the limit', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${broker.port('http')}/graphql`, 'graphql-transport-ws');
    await withTimeout(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)), 5000, 'the socket to open');
    const closed = new Promise<[number, string]>((resolve) => socket.once('close', (code, reason) => resolve([code, reason.toString()])));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(MAX_GRAPHQL_REQUEST_BYTES - 1024) } }));
    // Read, then refused for want of a token: 4403, not 1009.
    assert.deepEqual((await withTimeout(closed, 5000, 'the socket to close'))[0], 4403);
  });
});
