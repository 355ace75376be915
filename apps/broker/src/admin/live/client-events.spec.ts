import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { SessionEvent } from '@nestmq/persistence';
import { PubSubEngine } from 'graphql-subscriptions';
import { SessionEventRecorder } from '../../session-events/session-event-recorder';
import { ClientEventsRelay } from './client-events';

const event = (action: SessionEvent['action']): SessionEvent => ({ clientId: 'c', username: null, action, at: new Date(), details: null });

describe('ClientEventsRelay', () => {
  it('relays how clients come and go, and neither throws nor leaves a rejection when the PubSub fails', async () => {
    const published: string[] = [];
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const recorder = { observer: null } as unknown as SessionEventRecorder;
      let mode: 'ok' | 'reject' | 'throw' = 'ok';
      const pubsub = {
        publish: (_name: string, e: SessionEvent) => {
          if (mode === 'throw') throw new Error('subscriber failed');
          if (mode === 'reject') return Promise.reject(new Error('subscriber failed'));
          published.push(e.action);
          return Promise.resolve();
        },
      } as unknown as PubSubEngine;
      const relay = new ClientEventsRelay(recorder, pubsub);
      relay.onApplicationBootstrap();
      const observe = recorder.observer!;
      for (const action of ['connect', 'subscribe', 'disconnect'] as const) observe(event(action));
      assert.deepEqual(published, ['connect', 'disconnect'], 'subscriptions are not client events');
      mode = 'throw';
      assert.doesNotThrow(() => observe(event('connect')));
      mode = 'reject';
      observe(event('kicked'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(rejections, []);
      relay.onApplicationShutdown();
      assert.equal(recorder.observer, null);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
