import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { LiveFeed } from '../src/admin/live/live-feed';
import { graphql, signIn } from './support/admin-api';
import { connectClient, eventually, eventuallyAsync, publish, withTimeout } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';

describe('admin API: what the admin UI asks of it', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET });
  });
  afterAll(() => broker.close());

  it('searches the history with filters sent as null as if they were left out', async () => {
    const token = await signIn(broker);
    const pub = await connectClient(broker.url, { clientId: 'nulls-pub' });
    await publish(pub, 'nulls/a', 'recorded', { qos: 1 });
    await pub.endAsync();
    const api = graphql(broker);
    const query = `query ($c: String, $u: String, $p: String, $f: DateTime, $t: DateTime) {
      messages(topicFilter: "nulls/#", clientId: $c, username: $u, payloadContains: $p, from: $f, to: $t) { messages { topic payloadText publisherClientId } } }`;
    type Page = { messages: { messages: Array<{ topic: string; payloadText: string; publisherClientId: string }> } };
    let answer = await api<Page>(query, { c: null, u: null, p: null, f: null, t: null }, token);
    // The recorder writes in batches: ask until the batch holding the message is in.
    await eventuallyAsync(async () => {
      answer = await api<Page>(query, { c: null, u: null, p: null, f: null, t: null }, token);
      return answer.errors !== undefined || answer.data!.messages.messages.length > 0;
    }, 5000, 'the message to be recorded');
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.deepEqual(answer.data!.messages.messages, [{ topic: 'nulls/a', payloadText: 'recorded', publisherClientId: 'nulls-pub' }]);
  });

  it('carries the properties a publisher sent (binary ones in base64), and null without any', async () => {
    const token = await signIn(broker);
    const socket = createClient({ url: `ws://127.0.0.1:${broker.port('http')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${token}` } });
    type Live = { messagePublished: { topic: string; properties: Record<string, unknown> | null } };
    const got: Live['messagePublished'][] = [];
    const two = new Promise<void>((resolve, reject) => {
      socket.subscribe<Live>(
        { query: `subscription { messagePublished(topicFilter: "props/#") { topic properties } }` },
        {
          next: (value) => {
            if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
            got.push(value.data!.messagePublished);
            if (got.length === 2) resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    try {
      await eventually(() => broker.app.get(LiveFeed).watching === 1, 10_000, 'the subscription to start');
      const pub = await connectClient(broker.url, { clientId: 'props-pub' });
      await publish(pub, 'props/a', '{"t":21}', {
        qos: 1,
        properties: { contentType: 'application/json', responseTopic: 'props/reply', correlationData: Buffer.from([1, 2, 3]), userProperties: { site: 'north' } },
      });
      await publish(pub, 'props/b', 'plain');
      await withTimeout(two, 10_000, 'two live messages');
      await pub.endAsync();
      const [a, b] = got;
      assert.equal(a!.topic, 'props/a');
      assert.equal(a!.properties!['contentType'], 'application/json');
      assert.equal(a!.properties!['responseTopic'], 'props/reply');
      assert.equal(a!.properties!['correlationData'], Buffer.from([1, 2, 3]).toString('base64'));
      assert.deepEqual(a!.properties!['userProperties'], [['site', 'north']]);
      assert.equal(b!.topic, 'props/b');
      assert.equal(b!.properties, null);
    } finally {
      await socket.dispose();
    }
  });
});
