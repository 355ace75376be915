import { addNewest, filterProblem, mergeLatest, watchesEverything } from './live-messages';
import type { MessageDetail } from './message-dialog';

const msg = (at: number, payload = `p${at}`): MessageDetail => ({
  topic: 't',
  qos: 0,
  receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
  payloadText: payload,
  payloadBase64: btoa(payload),
  publisherClientId: 'c',
});

describe('live message lists', () => {
  it('keeps the newest n, newest first', () => {
    expect(addNewest([3, 2, 1], [4, 5], 4)).toEqual([5, 4, 3, 2]);
    expect(addNewest([2, 1], [3, 4, 5, 6], 3)).toEqual([6, 5, 4]);
    expect(addNewest([], [1], 10)).toEqual([1]);
  });

  it('merges live and recorded messages without showing one twice', () => {
    const recorded = [msg(3), msg(2), msg(1)];
    const live = [msg(5), msg(4), msg(3)];
    expect(mergeLatest(live, recorded, 10).map((m) => m.payloadText)).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
    expect(mergeLatest(live, recorded, 4).map((m) => m.payloadText)).toEqual(['p5', 'p4', 'p3', 'p2']);
    expect(mergeLatest([], recorded, 2).map((m) => m.payloadText)).toEqual(['p3', 'p2']);
  });

  it('warns before a filter that matches every topic', () => {
    expect(['#', '+/#', '+/+/#', ' # '].map(watchesEverything)).toEqual([true, true, true, true]);
    expect(['a/#', '+/a/#', '+', 'a'].map(watchesEverything)).toEqual([false, false, false, false]);
  });

  it('says what is wrong with a topic filter before subscribing to it', () => {
    expect(['a/b', 'a/+/b', '+', '#', 'a/#', '/', '$SYS/#'].map(filterProblem)).toEqual([null, null, null, null, null, null, null]);
    expect(filterProblem('a/#/b')).toMatch(/# stands alone/);
    expect(filterProblem('a#')).toMatch(/# stands alone/);
    expect(filterProblem('a/b+')).toMatch(/\+ stands alone/);
    expect(filterProblem('')).toMatch(/at least one/);
  });
});
