import type { ClientRowFragment } from '../../graphql/generated';

export type ClientRow = ClientRowFragment;
export type SortKey = 'clientId' | 'username' | 'address' | 'connectedAt' | 'protocolVersion' | 'subscriptions' | 'inflight' | 'queued';
export interface Sort {
  key: SortKey;
  direction: 'asc' | 'desc';
}

/** The API's own filter, for clients that arrive live: part of the client id, user name (any case) or address. */
export function matchesFilter(client: ClientRow, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  return client.clientId.toLowerCase().includes(needle) || (client.username ?? '').toLowerCase().includes(needle) || client.address.includes(needle);
}

export function sortClients(clients: readonly ClientRow[], sort: Sort): ClientRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const key = sort.key;
  return [...clients].sort((a, b) => {
    const x = a[key] ?? '';
    const y = b[key] ?? '';
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
    return c !== 0 ? sign * c : a.clientId < b.clientId ? -1 : 1;
  });
}

/** Puts a client in the list, replacing the one with its client id. */
export function upsert(clients: readonly ClientRow[], client: ClientRow): ClientRow[] {
  const i = clients.findIndex((c) => c.clientId === client.clientId);
  if (i < 0) return [...clients, client];
  const next = clients.slice();
  next[i] = client;
  return next;
}
