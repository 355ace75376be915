import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { Message } from '../../routing/message';
import { PublishWatcher } from '../../transport/broker-context';
import { LiveFeed, LiveMessage } from './live-feed';

const message = (topic: string): Message => new Message(topic, Buffer.from(topic), Buffer.from('p'), 0, false, null, 0, 'pub', Date.now());

describe('LiveFeed', () => {
  it('is installed on the hot path only while somebody watches', async () => {
    const installed: Array<PublishWatcher | null> = [];
    const feed = new LiveFeed((w) => installed.push(w), 10);
    const a = feed.watch('a/#');
    const b = feed.watch('#');
    assert.equal(feed.watching, 2);
    await a.return();
    assert.equal(installed[installed.length - 1], feed, 'one watcher is left');
    await b.return();
    assert.deepEqual([feed.watching, installed[installed.length - 1]], [0, null]);
  });

  it('gives # every topic but $SYS ones [MQTT-4.7.2-1], and other filters their matches', async () => {
    const feed = new LiveFeed(() => undefined, 100);
    const all = feed.watch('#');
    const some = feed.watch('a/+');
    for (const topic of ['a/1', '$SYS/x', 'b', 'a/2/3']) feed.published(message(topic), undefined);
    const topics = async (w: AsyncIterator<LiveMessage>, n: number): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await w.next()).value.message.topic);
      return out;
    };
    assert.deepEqual(await topics(all, 3), ['a/1', 'b', 'a/2/3']);
    assert.deepEqual(await topics(some, 1), ['a/1']);
    await all.return!();
    await some.return!();
  });

  it('shows at most its rate, counts the rest, and shows more once topped up', async () => {
    const feed = new LiveFeed(() => undefined, 10);
    const w = feed.watch('#');
    for (let i = 0; i < 25; i++) feed.published(message(`t/${i}`), 'u');
    const shown: LiveMessage[] = [];
    for (let i = 0; i < 10; i++) shown.push((await w.next()).value);
    assert.deepEqual(shown.map((m) => m.message.topic), Array.from({ length: 10 }, (_, i) => `t/${i}`), 'a second\'s worth at once');
    w.refill();
    feed.published(message('t/late'), 'u');
    const late = (await w.next()).value;
    assert.deepEqual([late.message.topic, late.skippedBefore, late.username], ['t/late', 15, 'u']);
    await w.return!();
  });
});
