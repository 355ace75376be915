import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient, eventually, withTimeout } from './support/clients';
import { spawnSync } from 'node:child_process';
import { MAIN, freePort, spawnBroker } from './support/broker-process';
import { RawClient } from './support/raw-client';
import { isPostgresProcess, readPostmasterPid, removeDataDir } from '@nestmq/persistence/testing';

describe('the broker process', () => {
  it('prints where it listens, and on SIGTERM tells 5.0 clients 0x8B, closes 3.1.1 clients and exits 0', async () => {
    const port = await freePort();
    const broker = await spawnBroker({ MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' });
    assert.match(broker.output(), new RegExp(`listening on mqtt://127\\.0\\.0\\.1:${port}`));
    const v5 = await RawClient.connected(port);
    const v4 = await RawClient.connected(port, {}, 4);
    const started = Date.now();
    broker.child.kill('SIGTERM');
    const disconnect = await v5.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.ServerShuttingDown);
    await v4.closed;
    const code = await withTimeout(broker.exited, 5000, 'exit after SIGTERM');
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 5000);
  });

  it('reads .env from its working directory, where variables already in the environment win', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestmq-env-'));
    try {
      const port = await freePort();
      writeFileSync(join(dir, '.env'), `# settings\nMQTT_PORT=${port}\nMQTT_HOST=127.0.0.1\nALLOW_ANONYMOUS=true\nMAX_KEEPALIVE=nonsense\n`);
      const broker = await spawnBroker({ MAX_KEEPALIVE: '30' }, /listening on mqtt:/, dir);
      assert.match(broker.output(), new RegExp(`listening on mqtt://127\\.0\\.0\\.1:${port}`));
      const client = await RawClient.open(port, 5);
      client.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 60, clientId: 'dot-env' });
      const connack = await client.expect(PacketType.Connack);
      assert.equal(connack.properties?.serverKeepAlive, 30, 'MAX_KEEPALIVE from the environment, not the file');
      broker.child.kill('SIGTERM');
      assert.equal(await withTimeout(broker.exited, 5000, 'exit after SIGTERM'), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with one clear line for a bad configuration value', async () => {
    const broker = await spawnBroker({ MQTT_PORT: 'eighteen' }, null);
    assert.equal(await broker.exited, 1);
    assert.match(broker.output(), /configuration error: MQTT_PORT=eighteen: expected an integer from 0 to 65535/);
  });

  it('exits 1 with one line naming the database when it cannot connect', async () => {
    const broker = await spawnBroker({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nestmq' }, null);
    assert.equal(await broker.exited, 1);
    assert.match(broker.output(), /\[nestmq\] cannot connect to the PostgreSQL at 127\.0\.0\.1:1\/nestmq: .*ECONNREFUSED/);
  });

  it('runs on the embedded database by default, creating the admin user with a password printed once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nestmq-data-'));
    try {
      const port = await freePort();
      const httpPort = await freePort();
      const env = { MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', DATA_DIR: dataDir, BCRYPT_COST: '4', HTTP_PORT: String(httpPort) };
      const broker = await spawnBroker(env, /listening on http:/);
      assert.match(broker.output(), /using the embedded PostgreSQL database in /);
      assert.match(broker.output(), new RegExp(`listening on http://127\\.0\\.0\\.1:${httpPort} \\(admin API`));
      assert.equal((await fetch(`http://127.0.0.1:${httpPort}/ready`)).status, 200, 'the admin API is up, and ready');
      // npm start's promise: the UI's address and how to sign in, and the UI served there.
      await eventually(() => /admin UI: http:\/\/127\.0\.0\.1:\d+\/ \(sign in as "admin"/.test(broker.output()), 5000, 'the admin UI line');
      assert.match(broker.output(), new RegExp(`admin UI: http://127\\.0\\.0\\.1:${httpPort}/ \\(sign in as "admin" with the password printed`));
      const page = await fetch(`http://127.0.0.1:${httpPort}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<app-root/);
      const server = readPostmasterPid(join(dataDir, 'postgres'));
      assert.ok(server && isPostgresProcess(server.pid), 'the broker started its PostgreSQL server');
      const password = /created admin user "admin" with password (\S+)/.exec(broker.output())?.[1];
      assert.ok(password, broker.output());
      const client = await connectClient(`mqtt://127.0.0.1:${port}`, { username: 'admin', password });
      await client.endAsync();
      broker.child.kill('SIGTERM');
      assert.equal(await broker.exited, 0);
      assert.equal(isPostgresProcess(server.pid), false, 'the server stopped with the broker');
      // The data survives a restart, and the password is not printed again.
      const again = await spawnBroker(env, /listening on http:/);
      assert.doesNotMatch(again.output(), /created admin user/);
      // The admin password is in the broker's output once, the embedded server's own password never, nor either in the server's log.
      const serverPassword = readFileSync(join(dataDir, 'postgres.password'), 'utf8').trim();
      const serverLog = readFileSync(join(dataDir, 'postgres.log'), 'utf8');
      assert.ok(serverPassword.length >= 16);
      for (const text of [broker.output(), again.output(), serverLog]) assert.ok(!text.includes(serverPassword), 'the embedded server password is never logged');
      assert.equal(broker.output().split(password).length - 1, 1);
      assert.ok(!serverLog.includes(password) && !again.output().includes(password));
      const back = await connectClient(`mqtt://127.0.0.1:${port}`, { username: 'admin', password });
      await back.endAsync();
      again.child.kill('SIGTERM');
      assert.equal(await again.exited, 0);
    } finally {
      await removeDataDir(dataDir);
    }
  });

  it('adds users from the command line, also while the broker runs on the embedded database, which no second broker may share', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nestmq-data-'));
    const env = { DATA_DIR: dataDir, BCRYPT_COST: '4', PATH: process.env.PATH ?? '' };
    const userAdd = (...args: string[]) => spawnSync(process.execPath, [join(MAIN, '..', 'cli', 'user-add.js'), ...args], { env, encoding: 'utf8' });
    try {
      const added = userAdd('dev-1', 'pa55', '--role', 'device');
      assert.equal(added.status, 0, added.stderr);
      assert.match(added.stdout, /added user "dev-1"/);
      assert.equal(userAdd('dev-1', 'again').status, 1, 'a second user of that name is refused');
      const port = await freePort();
      const broker = await spawnBroker({ ...env, MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1' });
      const server = readPostmasterPid(join(dataDir, 'postgres'));
      const whileRunning = userAdd('dev-2', 'pa66');
      assert.equal(whileRunning.status, 0, whileRunning.stderr);
      assert.equal(readPostmasterPid(join(dataDir, 'postgres'))?.pid, server?.pid, "added through the broker's own server, which kept running");
      for (const [username, password] of [['dev-1', 'pa55'], ['dev-2', 'pa66']]) {
        const client = await connectClient(`mqtt://127.0.0.1:${port}`, { username, password });
        await client.endAsync();
      }
      const second = await spawnBroker({ ...env, MQTT_PORT: '0', MQTT_HOST: '127.0.0.1' }, null);
      assert.equal(await second.exited, 1);
      assert.match(second.output(), new RegExp(`the embedded database in .* is in use by process ${broker.child.pid}; stop it first`));
      broker.child.kill('SIGTERM');
      assert.equal(await broker.exited, 0);
      assert.equal(userAdd('dev-3', 'x').status, 0, 'and with the broker stopped, through a server of its own');
    } finally {
      await removeDataDir(dataDir);
    }
  });

  it('after a SIGKILL, the next start stops the server the killed broker left behind and comes back on the same data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nestmq-data-'));
    try {
      const port = await freePort();
      const env = { MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', DATA_DIR: dataDir, ALLOW_ANONYMOUS: 'true' };
      const first = await spawnBroker(env);
      const retained = await connectClient(`mqtt://127.0.0.1:${port}`);
      await retained.publishAsync('kept/1', 'still here', { qos: 1, retain: true });
      await retained.endAsync();
      first.child.kill('SIGKILL');
      await first.exited;
      const left = readPostmasterPid(join(dataDir, 'postgres'));
      assert.ok(left && isPostgresProcess(left.pid), 'a killed broker cannot stop its server');

      const second = await spawnBroker(env);
      assert.equal(isPostgresProcess(left.pid), false, 'the server left behind was stopped');
      const now = readPostmasterPid(join(dataDir, 'postgres'));
      assert.ok(now && now.pid !== left.pid && isPostgresProcess(now.pid));
      const reader = await connectClient(`mqtt://127.0.0.1:${port}`);
      const message = new Promise<string>((resolve) => reader.once('message', (_t, payload) => resolve(payload.toString())));
      await reader.subscribeAsync('kept/#');
      assert.equal(await withTimeout(message, 10_000, 'the retained message'), 'still here');
      await reader.endAsync();
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
      assert.equal(isPostgresProcess(now.pid), false);
    } finally {
      await removeDataDir(dataDir);
    }
  });

  it('exits 1 naming the port when it is taken', async () => {
    const port = await freePort();
    const first = await spawnBroker({ MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' });
    const second = await spawnBroker({ MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1', ALLOW_ANONYMOUS: 'true' }, null);
    assert.equal(await second.exited, 1);
    assert.match(second.output(), new RegExp(`failed to start: .*${port}`));
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
  });
});
