import { LogEvent, NO_FILTER, matchesFilter, prepend, queryVariables, reason, summary } from './session-events';

const event = (over: Partial<LogEvent>): LogEvent => ({ id: '1', action: 'connect', at: '2026-03-01T10:00:00.000Z', clientId: 'c1', username: 'u1', details: null, ...over });

describe('session log', () => {
  it('asks for one client alone, as the API reads a client id', () => {
    expect(queryVariables({ ...NO_FILTER, clientId: ' c1 ', username: 'u1', actions: ['connect'] })).toEqual({ clientId: 'c1' });
    expect(queryVariables(NO_FILTER)).toEqual({});
    const v = queryVariables({ ...NO_FILTER, username: 'u1', actions: ['kicked'], from: '2026-03-01T10:00' });
    expect(Object.keys(v)).toEqual(['username', 'actions', 'from']);
    expect(v).toMatchObject({ username: 'u1', actions: ['kicked'] });
    expect(v.from).toBe(new Date('2026-03-01T10:00').toISOString());
  });

  it('lets a live event in only where the filters allow', () => {
    expect(matchesFilter(event({}), NO_FILTER)).toBe(true);
    expect(matchesFilter(event({}), { ...NO_FILTER, clientId: 'c2' })).toBe(false);
    expect(matchesFilter(event({}), { ...NO_FILTER, username: 'u2' })).toBe(false);
    expect(matchesFilter(event({}), { ...NO_FILTER, actions: ['kicked', 'connect'] })).toBe(true);
    expect(matchesFilter(event({}), { ...NO_FILTER, actions: ['kicked'] })).toBe(false);
    expect(matchesFilter(event({ at: new Date().toISOString() }), { ...NO_FILTER, to: '2020-01-01T00:00' })).toBe(false);
    expect(matchesFilter(event({ at: '2019-01-01T00:00:00Z' }), { ...NO_FILTER, from: '2020-01-01T00:00' })).toBe(false);
  });

  it('puts each kind of event in words', () => {
    expect(reason(0x87)).toBe('0x87 not authorized');
    expect(reason(0x42)).toBe('0x42');
    expect(summary('connect', { protocolVersion: 5, address: '10.0.0.2', keepAlive: 60, cleanStart: true, sessionPresent: false })).toBe('MQTT 5.0 from 10.0.0.2, keep alive 60 s, clean start');
    expect(summary('connect', { protocolVersion: 5, keepAlive: 60, authenticator: 'jwt', authReason: 'token valid', roles: ['ops', 'audit'] })).toBe('MQTT 5.0, keep alive 60 s (jwt: token valid; roles ops, audit)');
    expect(summary('connect_refused', { reasonCode: 0x86, authenticator: 'chain', authReason: 'no authenticator claimed the credentials' })).toBe('0x86 bad user name or password (chain: no authenticator claimed the credentials)');
    expect(summary('connect_refused', { reasonCode: 0x86, address: '10.0.0.2', throttled: 'address' })).toBe('0x86 bad user name or password from 10.0.0.2 (too many failed logins for this address)');
    expect(summary('disconnect', { by: 'client', reasonCode: 0, connectedMs: 65_000 })).toBe('by client, 0x00 normal after 1 min 5 s');
    expect(summary('disconnect', { by: 'socket-closed', reasonCode: null, connectedMs: 1000 })).toBe('by socket-closed, without DISCONNECT after 1 s');
    expect(summary('kicked', { reasonCode: 0x8e, byAddress: '10.0.0.3' })).toBe('0x8E session taken over by a connection from 10.0.0.3');
    expect(summary('subscribe', { topics: [{ filter: 'a/#', qos: 1, reasonCode: 1 }, { filter: 'b', qos: 0, reasonCode: 0x87 }] })).toBe('a/# (QoS 1) granted QoS 1, b (QoS 0) refused 0x87 not authorized');
    expect(summary('unsubscribe', { topics: [{ filter: 'a/#', reasonCode: 0 }] })).toBe('a/#');
    expect(summary('reauthenticate', { reasonCode: 0, address: '10.0.0.2', authenticator: 'scram' })).toBe('succeeded from 10.0.0.2 (scram)');
    expect(summary('reauthenticate', { reasonCode: 0x87, address: '10.0.0.2' })).toBe('failed: 0x87 not authorized from 10.0.0.2');
  });

  it('adds live events at the top once', () => {
    const old = [event({ id: '9', at: '2026-03-01T09:00:00Z' })];
    const fresh = [event({ id: 'live-1', at: '2026-03-01T10:00:00Z' }), event({ id: 'live-2', at: '2026-03-01T09:00:00.000Z' })];
    expect(prepend(old, fresh).map((e) => e.id)).toEqual(['live-1', '9']);
  });
});
