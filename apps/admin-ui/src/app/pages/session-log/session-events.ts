import { duration } from '../../shared/format';

/** Every action a session event may record, with how the screen names it. */
export const ACTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'connect', label: 'connect' },
  { value: 'connect_refused', label: 'refused' },
  { value: 'disconnect', label: 'disconnect' },
  { value: 'kicked', label: 'kicked (taken over)' },
  { value: 'subscribe', label: 'subscribe' },
  { value: 'unsubscribe', label: 'unsubscribe' },
  { value: 'expired', label: 'expired' },
  { value: 'reauthenticate', label: 're-authentication' },
];

/** The actions clientEvents carries live; the others appear when the log is read again. */
export const LIVE_ACTIONS: ReadonlySet<string> = new Set(['connect', 'connect_refused', 'disconnect', 'kicked']);

export interface EventFilter {
  clientId: string;
  username: string;
  actions: readonly string[];
  /** datetime-local values ("2026-03-01T10:00"), blank for open */
  from: string;
  to: string;
}

export const NO_FILTER: EventFilter = { clientId: '', username: '', actions: [], from: '', to: '' };

export interface LogEvent {
  id: string;
  action: string;
  at: string;
  clientId: string;
  username: string | null;
  details: Record<string, unknown> | null;
}

/** A datetime-local value as an ISO instant, null when blank or not a time. */
export function localToIso(value: string): string | null {
  if (!value.trim()) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export interface EventQuery {
  clientId?: string;
  username?: string;
  actions?: string[];
  from?: string;
  to?: string;
}

/**
 * The variables of sessionEvents for a filter: a client id alone, as the API reads it. What is not
 * filtered on is left out rather than sent as null (the API takes a null client id as a client id).
 */
export function queryVariables(filter: EventFilter): EventQuery {
  const clientId = filter.clientId.trim();
  if (clientId) return { clientId };
  const out: EventQuery = {};
  const username = filter.username.trim();
  if (username) out.username = username;
  if (filter.actions.length > 0) out.actions = [...filter.actions];
  const from = localToIso(filter.from);
  if (from !== null) out.from = from;
  const to = localToIso(filter.to);
  if (to !== null) out.to = to;
  return out;
}

/** Whether a live event belongs at the top of the log the filter shows. */
export function matchesFilter(event: Pick<LogEvent, 'action' | 'at' | 'clientId' | 'username'>, filter: EventFilter): boolean {
  const v = queryVariables(filter);
  if (v.clientId !== undefined) return event.clientId === v.clientId;
  if (v.username !== undefined && event.username !== v.username) return false;
  if (v.actions !== undefined && !v.actions.includes(event.action)) return false;
  const at = Date.parse(event.at);
  if (v.from !== undefined && at < Date.parse(v.from)) return false;
  if (v.to !== undefined && at >= Date.parse(v.to)) return false;
  return true;
}

const REASONS: Record<number, string> = {
  0x00: 'normal',
  0x04: 'with will',
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x84: 'unsupported protocol version',
  0x85: 'client id not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8d: 'keep alive timeout',
  0x8e: 'session taken over',
  0x8f: 'topic filter invalid',
  0x90: 'topic name invalid',
  0x95: 'packet too large',
  0x97: 'quota exceeded',
  0x98: 'administrative action',
  0x9f: 'connection rate exceeded',
};

/** 0x87 -> "0x87 not authorized". */
export function reason(code: unknown): string {
  if (typeof code !== 'number') return 'no reason code';
  const hex = `0x${code.toString(16).padStart(2, '0').toUpperCase()}`;
  return REASONS[code] ? `${hex} ${REASONS[code]}` : hex;
}

type Topic = { filter?: unknown; qos?: unknown; reasonCode?: unknown };

/** Which authenticator decided a CONNECT, why, and the roles it gave: empty when the event does not say. */
function decidedBy(d: Record<string, unknown>): string {
  if (typeof d['authenticator'] !== 'string') return '';
  const why = typeof d['authReason'] === 'string' ? `: ${d['authReason']}` : '';
  const roles = Array.isArray(d['roles']) && d['roles'].length > 0 ? `; roles ${d['roles'].join(', ')}` : '';
  return ` (${d['authenticator']}${why}${roles})`;
}

/** An event's details in a line: what a person looks for in each kind. */
export function summary(action: string, details: Record<string, unknown> | null): string {
  const d = details ?? {};
  const from = typeof d['address'] === 'string' ? ` from ${d['address']}` : '';
  switch (action) {
    case 'connect':
      return `MQTT ${d['protocolVersion'] === 5 ? '5.0' : '3.1.1'}${from}, keep alive ${d['keepAlive'] ?? '?'} s${d['cleanStart'] ? ', clean start' : ''}${d['sessionPresent'] ? ', session resumed' : ''}${decidedBy(d)}`;
    case 'connect_refused':
      return `${reason(d['reasonCode'])}${from}${d['throttled'] ? ` (too many failed logins for this ${d['throttled']})` : ''}${decidedBy(d)}`;
    case 'disconnect': {
      const after = typeof d['connectedMs'] === 'number' ? ` after ${duration(d['connectedMs'] / 1000)}` : '';
      const code = d['reasonCode'] === null || d['reasonCode'] === undefined ? 'without DISCONNECT' : reason(d['reasonCode']);
      return `by ${d['by'] ?? '?'}, ${code}${after}${d['error'] ? `: ${d['error']}` : ''}`;
    }
    case 'kicked':
      return `${reason(d['reasonCode'] ?? 0x8e)}${typeof d['byAddress'] === 'string' ? ` by a connection from ${d['byAddress']}` : ''}`;
    case 'subscribe':
    case 'unsubscribe': {
      const topics = Array.isArray(d['topics']) ? (d['topics'] as Topic[]) : [];
      return topics
        .map((t) => {
          const code = typeof t.reasonCode === 'number' ? t.reasonCode : undefined;
          const outcome = code === undefined ? '' : code < 0x80 ? (action === 'subscribe' ? ` granted QoS ${code}` : '') : ` refused ${reason(code)}`;
          return `${String(t.filter)}${action === 'subscribe' && typeof t.qos === 'number' ? ` (QoS ${t.qos})` : ''}${outcome}`;
        })
        .join(', ');
    }
    case 'expired':
      return 'the session expired';
    case 'reauthenticate': {
      const by = typeof d['authenticator'] === 'string' ? ` (${d['authenticator']})` : '';
      return `${d['reasonCode'] === 0 ? 'succeeded' : `failed: ${reason(d['reasonCode'])}`}${from}${by}`;
    }
    default:
      return details ? JSON.stringify(details) : '';
  }
}

/** Puts live events at the top, once each (a reload may already hold one). */
export function prepend(events: readonly LogEvent[], fresh: readonly LogEvent[]): LogEvent[] {
  const key = (e: LogEvent) => `${e.action}|${e.clientId}|${Date.parse(e.at)}`;
  const seen = new Set(events.map(key));
  const added = fresh.filter((e) => !seen.has(key(e))).sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return [...added, ...events];
}
