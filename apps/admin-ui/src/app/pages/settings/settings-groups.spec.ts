import { Setting, groupSettings, shown } from './settings-groups';

const s = (name: string, group: string, value: string | null, isDefault = true, secret = false): Setting => ({ name, group, value, isDefault, secret });
const ALL = [s('MQTT_PORT', 'Listeners', '1883'), s('WS_PORT', 'Listeners', 'off', false), s('ADMIN_JWT_SECRET', 'Admin API', null, false, true), s('DATABASE_URL', 'Storage', null)];

describe('settings', () => {
  it('says a secret is set without its value, and an unset value as unset', () => {
    expect(shown(ALL[2]!)).toBe('set, hidden');
    expect(shown(s('ADMIN_PASSWORD', 'Admin API', null, true, true))).toBe('not set (generated)');
    expect(shown(ALL[3]!)).toBe('unset');
  });

  it('groups in order, searched by name, value or group, and narrowed to changes', () => {
    expect(groupSettings(ALL, '', false).map((g) => [g.name, g.settings.length])).toEqual([['Listeners', 2], ['Admin API', 1], ['Storage', 1]]);
    expect(groupSettings(ALL, 'port', false).map((g) => g.settings.map((x) => x.name))).toEqual([['MQTT_PORT', 'WS_PORT']]);
    expect(groupSettings(ALL, 'storage', false).map((g) => g.name)).toEqual(['Storage']);
    expect(groupSettings(ALL, '', true).flatMap((g) => g.settings.map((x) => x.name))).toEqual(['WS_PORT', 'ADMIN_JWT_SECRET']);
  });
});
