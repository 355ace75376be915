import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { loadBrokerConfig } from '../../config/broker-config';
import { brokerSettings, maskDatabaseUrl } from './broker-settings';

const DEFAULTS = loadBrokerConfig({});

describe('brokerSettings', () => {
  it('lists every variable once, the defaults marked', () => {
    const settings = brokerSettings(DEFAULTS, DEFAULTS);
    assert.equal(new Set(settings.map((s) => s.name)).size, settings.length);
    assert.equal(settings.length, Object.keys(DEFAULTS).length);
    assert.ok(settings.every((s) => s.isDefault));
    const byName = new Map(settings.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('MQTT_PORT'), { name: 'MQTT_PORT', group: 'Listeners', value: '1883', isDefault: true, secret: false });
    assert.equal(byName.get('MQTTS_PORT')?.value, 'off');
    assert.equal(byName.get('DATABASE_URL')?.value, null);
    assert.equal(byName.get('HISTORY_TOPICS')?.value, '#');
  });

  it('says a secret is set without its value, keeps AUTH_USERS to names and masks the database password', () => {
    const config = loadBrokerConfig({
      ADMIN_JWT_SECRET: 'jwt-secret-jwt-secret-jwt-secret-42',
      ADMIN_PASSWORD: 'admin-pass-9',
      AUTH_USERS: 'alice:alice-pass,bob:bob:pass',
      DATABASE_URL: 'postgres://mq:db-pass-7@db.example:6543/mq?sslpassword=ssl-pass-3&sslmode=require',
      MAX_PACKET_SIZE: '1024',
    });
    const settings = brokerSettings(config, DEFAULTS);
    const text = JSON.stringify(settings);
    for (const secret of ['jwt-secret', 'admin-pass-9', 'alice-pass', 'bob:pass', 'db-pass-7', 'ssl-pass-3']) assert.ok(!text.includes(secret), secret);
    const byName = new Map(settings.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('ADMIN_JWT_SECRET'), { name: 'ADMIN_JWT_SECRET', group: 'Admin API', value: null, isDefault: false, secret: true });
    assert.deepEqual(byName.get('ADMIN_PASSWORD'), { name: 'ADMIN_PASSWORD', group: 'Admin API', value: null, isDefault: false, secret: true });
    assert.equal(byName.get('AUTH_USERS')?.value, 'alice,bob');
    assert.equal(byName.get('DATABASE_URL')?.value, 'postgres://mq:****@db.example:6543/mq?sslpassword=****&sslmode=require');
    assert.deepEqual([byName.get('MAX_PACKET_SIZE')?.value, byName.get('MAX_PACKET_SIZE')?.isDefault], ['1024', false]);
  });

  it('masks a password wherever a database URL holds one', () => {
    assert.equal(maskDatabaseUrl('postgres://mq@db/mq'), 'postgres://mq@db/mq');
    assert.equal(maskDatabaseUrl('postgresql://u:p%40ss@[::1]:5432/x?password=y'), 'postgresql://u:****@[::1]:5432/x?password=****');
    assert.equal(maskDatabaseUrl('not a url'), '****');
  });
});
