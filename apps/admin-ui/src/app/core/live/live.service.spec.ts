import { backoff } from './live-subscription';
import { MetricsTick, toPoint } from './live.service';

const tick = (at: string, historyRecorded: number): MetricsTick => ({
  at,
  publishReceivedPerSecond: 10,
  publishSentPerSecond: 20,
  publishDroppedPerSecond: 1,
  counters: {
    clientsConnected: 3,
    clientsMaximum: 4,
    sessions: 5,
    connectionsTotal: 6,
    bytesReceived: 0,
    bytesSent: 0,
    messagesReceived: 0,
    messagesSent: 0,
    publishReceived: 0,
    publishSent: 0,
    publishDropped: 0,
    historyRecorded,
    historyDropped: 0,
    historyLagSeconds: 1.5,
    queuedMessages: 7,
    inflightMessages: 2,
  },
});

describe('live feeds', () => {
  it('turns a metrics tick into a chart point, history as a rate between ticks', () => {
    const first = toPoint(tick('2026-01-01T00:00:00Z', 100), undefined);
    expect(first).toMatchObject({ connections: 3, sessions: 5, inPerSecond: 10, outPerSecond: 20, droppedPerSecond: 1, historyRecordedPerSecond: 0 });
    expect(first).toMatchObject({ queued: 7, inflight: 2, historyLagSeconds: 1.5 });
    const second = toPoint(tick('2026-01-01T00:00:02Z', 140), tick('2026-01-01T00:00:00Z', 100));
    expect(second.historyRecordedPerSecond).toBe(20);
  });

  it('waits longer after each failed attempt to bring a feed back, at most 15 s', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(backoff)).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });
});
