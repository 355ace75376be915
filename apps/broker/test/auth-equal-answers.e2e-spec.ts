import assert from 'node:assert/strict';
import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { UserRepository } from '@nestmq/persistence';
import { timePaths } from './support/login-timing';
import { TestBroker, startTestBroker } from './support/test-broker';

/**
 * A chain must not tell which names a backend knows: a wrong password for a name the HTTP hook knows is
 * denied by the hook at once, while a name it does not know is passed on to `local` and compared with
 * bcrypt. Unequalized, the first answer would come a bcrypt comparison sooner.
 */
describe('AUTH_CHAIN=http,local: an unknown name and a wrong password take the same time', () => {
  let broker: TestBroker;
  let hook: Server;
  let hookCalls = 0;

  beforeAll(async () => {
    // The hook knows one device; everything else is not its business.
    hook = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        hookCalls++;
        const { username, password } = JSON.parse(text) as { username?: string; password?: string };
        const answer = username !== 'hook-device' ? { result: 'ignore' } : password === 'hook-secret' ? { result: 'allow' } : { result: 'deny' };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    broker = await startTestBroker(
      {},
      {
        ALLOW_ANONYMOUS: 'false',
        AUTH_CHAIN: 'http,local',
        AUTH_HTTP_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/auth`,
        BCRYPT_COST: '10',
        LOGIN_FAILURES_PER_ADDRESS: '0',
        LOGIN_FAILURES_PER_USER: '0',
      },
    );
    await broker.app.get(UserRepository).create({ username: 'local-device', password: 'local-secret' });
  });
  afterAll(async () => {
    await broker?.close();
    hook?.closeAllConnections();
    await new Promise<void>((resolve) => hook?.close(() => resolve()));
  });

  it('answers 0x86 after a bcrypt comparison whether the hook denied the password or nobody knew the name', async () => {
    const result = await timePaths(
      broker.mqttPort,
      {
        'hook user, wrong password': { username: 'hook-device', password: 'guess' },
        'unknown user': { username: 'nobody-at-all', password: 'guess' },
        'local user, wrong password': { username: 'local-device', password: 'guess' },
      },
      15,
    );
    console.log(Object.entries(result).map(([n, r]) => `${n}: ${r.median.toFixed(2)} ms`).join('; '));
    for (const [name, r] of Object.entries(result)) assert.deepEqual([...r.codes], [ReasonCode.BadUserNameOrPassword], name);
    assert.ok(hookCalls >= 45, 'every attempt asked the hook');
    const slowest = Math.max(...Object.values(result).map((r) => r.median));
    for (const [name, r] of Object.entries(result)) {
      assert.ok(r.median >= 0.5 * slowest, `${name}: median ${r.median.toFixed(2)} ms against the slowest path's ${slowest.toFixed(2)} ms`);
    }
  });
});
