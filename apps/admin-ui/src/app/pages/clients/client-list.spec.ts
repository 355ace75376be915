import { ClientRow, matchesFilter, sortClients, upsert } from './client-list';

const row = (clientId: string, extra: Partial<ClientRow> = {}): ClientRow => ({
  clientId,
  username: null,
  address: '127.0.0.1',
  connectedAt: '2026-01-01T00:00:00Z',
  protocolVersion: 5,
  keepAlive: 60,
  persistent: false,
  subscriptions: 0,
  inflight: 0,
  queued: 0,
  ...extra,
});

describe('client list', () => {
  it('matches a filter as the API does: client id or user name in any case, or address', () => {
    const c = row('Sensor-1', { username: 'Plant', address: '10.0.0.7' });
    expect(matchesFilter(c, '')).toBe(true);
    expect(matchesFilter(c, 'sensor')).toBe(true);
    expect(matchesFilter(c, 'PLANT')).toBe(true);
    expect(matchesFilter(c, '0.0.7')).toBe(true);
    expect(matchesFilter(c, 'other')).toBe(false);
  });

  it('sorts by any column both ways, by client id within equals', () => {
    const list = [row('b', { queued: 2 }), row('a', { queued: 2 }), row('c', { queued: 9 })];
    expect(sortClients(list, { key: 'queued', direction: 'desc' }).map((c) => c.clientId)).toEqual(['c', 'a', 'b']);
    expect(sortClients(list, { key: 'clientId', direction: 'asc' }).map((c) => c.clientId)).toEqual(['a', 'b', 'c']);
    expect(sortClients(list, { key: 'clientId', direction: 'desc' }).map((c) => c.clientId)).toEqual(['c', 'b', 'a']);
  });

  it('replaces a client that reconnects rather than listing it twice', () => {
    const list = upsert([row('a'), row('b')], row('a', { address: '10.0.0.1' }));
    expect(list.map((c) => [c.clientId, c.address])).toEqual([['a', '10.0.0.1'], ['b', '127.0.0.1']]);
    expect(upsert(list, row('c')).length).toBe(3);
  });

  it('sorts 10,000 clients quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => row(`client-${(i * 7919) % 10_000}`, { queued: i % 13 }));
    const started = performance.now();
    const sorted = sortClients(many, { key: 'queued', direction: 'asc' });
    expect(sorted.length).toBe(10_000);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
