import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { createTestDatabase, defaultDatabaseKind, TestDatabase } from '@nestmq/persistence/testing';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig } from '../src/config/broker-config';
import { brokerVariables } from '../src/config/broker-variables';
import { connectClient, withTimeout } from './support/clients';
import { freePort } from './support/broker-process';
import {
  ROOT,
  Stage,
  assembleRuntime,
  composeConfig,
  composeProject,
  envLines,
  execForm,
  last,
  parseDockerfile,
  stageEnv,
} from './support/deployment';
import { RawClient } from './support/raw-client';

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = last(dockerfile, 'stage');
const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');
const VARIABLES = brokerVariables();
/** The variables `.env.example` sets for docker compose itself (not commented out): POSTGRES_PASSWORD. */
const COMPOSE_ONLY = Object.keys(envLines(envExample));
const DEFAULTS = loadBrokerConfig({});
/** Listener variable -> the port it listens on by default (the TLS one has none: off unless set). */
const LISTENERS: Record<string, number | null> = { MQTT_PORT: DEFAULTS.mqttPort, MQTTS_PORT: DEFAULTS.mqttsPort, WS_PORT: DEFAULTS.wsPort, HTTP_PORT: DEFAULTS.httpPort };

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** The compose file with its commented TLS example switched on. */
function withTls(text: string): string {
  return text.replace(/^(\s*)# ((?:MQTTS_PORT|TLS_[A-Z_]+): .*|- "8883:8883"|- \.\/certs:\/certs:ro)$/gm, '$1$2');
}

/** `.env.example` as the README says to use it: copied to .env, with POSTGRES_PASSWORD set. */
function dotEnv(password: string): string {
  return envExample.replace(/^POSTGRES_PASSWORD=.*$/m, `POSTGRES_PASSWORD=${password}`);
}

describe('the Docker image (Dockerfile)', () => {
  it('keeps dependencies, local data, build output, .env and git out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', '**/node_modules', '**/dist', 'data', '.env']) assert.ok(ignored.includes(entry), `.dockerignore: ${entry}`);
  });

  it('builds in a stage of its own and runs on a current LTS node slim image, the build stage on the same', () => {
    assert.ok(dockerfile.length >= 2, 'multi-stage');
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    for (const stage of dockerfile) {
      const major = Number(/^node:(\d+)-slim$/.exec(stage.from)?.[1]);
      // Even majors become LTS; 24 is the active LTS line (22 is in maintenance), and package.json allows it.
      assert.ok(major >= 24 && major % 2 === 0, `${stage.from}: a current LTS node:*-slim image`);
      assert.match(engines, />=22\.12\.0/, 'package.json engines admits it');
    }
    const build = dockerfile.find((s) => s.name === 'build')!;
    const runs = instructions(build, 'RUN').join(' && ');
    for (const step of ['npm ci', 'npm run build', 'npm run ui:build', 'npm prune --omit=dev']) assert.ok(runs.includes(step), `the build stage runs ${step}`);
    assert.equal(instructions(runtime, 'RUN').some((r) => /npm (ci|install)/.test(r)), false, 'the runtime stage installs nothing itself');
  });

  it('runs the built broker as a user that is not root, with production settings, JSON logs and DATA_DIR on a volume', () => {
    const env = stageEnv(runtime);
    for (const name of Object.keys(env)) assert.ok(name === 'NODE_ENV' || VARIABLES.includes(name), `ENV ${name} is a variable the broker reads`);
    assert.equal(env.NODE_ENV, 'production');
    assert.equal(env.LOG_FORMAT, 'json');
    assert.equal(loadBrokerConfig(env).logFormat, 'json');
    const user = last(instructions(runtime, 'USER'), 'USER');
    assert.ok(!/^(root|0)(:|$)/.test(user), `USER ${user}`);
    const volumes = instructions(runtime, 'VOLUME').flatMap((v) => (v.startsWith('[') ? execForm(v) : v.split(/\s+/)));
    assert.ok(env.DATA_DIR && volumes.includes(env.DATA_DIR), `DATA_DIR=${env.DATA_DIR} is a volume`);
    const before = runtime.instructions.slice(0, runtime.instructions.findIndex((i) => i.keyword === 'USER'));
    assert.ok(before.some((i) => i.keyword === 'RUN' && i.args.includes(`chown ${user}:${user} ${env.DATA_DIR}`)), 'the volume is the user\'s to write');
    const [node, main] = execForm(last(instructions(runtime, 'CMD'), 'CMD'));
    assert.equal(node, 'node');
    assert.ok(existsSync(join(ROOT, main)), `CMD ${main} exists after npm run build`);
    assert.deepEqual(instructions(runtime, 'STOPSIGNAL'), ['SIGTERM']);
  });

  it('exposes the listeners\' default ports, and the TLS port the compose example gives MQTTS_PORT', () => {
    const exposed = instructions(runtime, 'EXPOSE').flatMap((e) => e.split(/\s+/)).map(Number).sort();
    const tls = /^\s*# MQTTS_PORT: "(\d+)"$/m.exec(compose)?.[1];
    const expected = [...Object.values(LISTENERS).filter((p): p is number => p !== null), Number(tls)].sort();
    assert.deepEqual(exposed, expected);
  });

  it('checks its health with a command of the built output, on /health', () => {
    const healthcheck = last(runtime.instructions.filter((i) => i.keyword === 'HEALTHCHECK'), 'HEALTHCHECK');
    const command = execForm(healthcheck.args.replace(/^CMD\s+/, ''));
    assert.equal(command[0], 'node');
    assert.ok(existsSync(join(ROOT, command[1])), `${command[1]} exists after npm run build`);
    assert.match(readFileSync(join(ROOT, command[1]), 'utf8'), /\/health/);
    // Run against a broker in 'the image runs as its CMD' below.
  });
});

describe('docker-compose.yml (validated by docker-compose config)', () => {
  const projects: string[] = [];
  afterAll(() => projects.forEach((p) => rmSync(p, { recursive: true, force: true })));
  const project = (text: string, env: string): string => {
    const dir = composeProject(text, env);
    projects.push(dir);
    return dir;
  };

  it('needs a PostgreSQL password in .env, and says so', () => {
    const refused = composeConfig(project(compose, dotEnv('')));
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error, /set POSTGRES_PASSWORD in \.env/);
  });

  it('runs the official PostgreSQL image on a named volume with a pg_isready healthcheck, and the broker once it is healthy, on it', () => {
    const result = composeConfig(project(compose, dotEnv('s3cret')));
    assert.ok(result.ok, result.ok ? '' : result.error);
    const { services, volumes } = result.config;
    const postgres = services.postgres;
    assert.match(postgres.image ?? '', /^postgres:\d+$/);
    assert.match(postgres.healthcheck?.test.join(' ') ?? '', /pg_isready/);
    const pgVolume = postgres.volumes?.[0]?.split(':')[0];
    assert.ok(pgVolume && volumes && pgVolume in volumes, 'a named volume');

    const broker = services.broker;
    assert.match(compose, /^ {2}broker:\n {4}build: \.$/m, 'the broker is built from this repository');
    assert.equal(broker.restart, 'unless-stopped');
    assert.deepEqual(broker.depends_on, { postgres: { condition: 'service_healthy' } });
    const env = broker.environment ?? {};
    for (const name of Object.keys(env)) assert.ok(VARIABLES.includes(name) || COMPOSE_ONLY.includes(name), `${name} is a variable the broker reads`);
    // The raw file's own environment, not only what .env adds: each one the broker reads.
    const own = /^ {2}broker:\n[\s\S]*?^ {4}environment:\n((?: {6}.*\n)+)/m.exec(compose)?.[1] ?? '';
    for (const m of own.matchAll(/^ {6}([A-Z_]+):/gm)) assert.ok(VARIABLES.includes(m[1]), `${m[1]} in docker-compose.yml is a variable the broker reads`);

    // DATABASE_URL names the PostgreSQL service, its user, password and database.
    const url = new URL(env.DATABASE_URL!);
    assert.equal(url.hostname, 'postgres');
    assert.equal(url.username, postgres.environment?.POSTGRES_USER);
    assert.equal(url.password, postgres.environment?.POSTGRES_PASSWORD);
    assert.equal(url.password, 's3cret');
    assert.equal(url.pathname, `/${postgres.environment?.POSTGRES_DB}`);

    // Each published port is a listener's, at its default, inside the container.
    const listening = new Map(Object.entries(LISTENERS).map(([name]) => [Number(env[name] ?? LISTENERS[name] ?? 0), name]));
    for (const port of broker.ports ?? []) {
      const name = listening.get(port.target);
      assert.ok(name, `port ${port.target} is a listener's`);
      assert.equal(port.target, LISTENERS[name], `${name} listens on its default`);
      assert.equal(Number(port.published), port.target);
    }
    assert.deepEqual((broker.ports ?? []).map((p) => p.target).sort(), [1883, 8080, 8083]);

    // DATA_DIR is a named volume, where the image keeps it.
    const dataDir = env.DATA_DIR ?? stageEnv(runtime).DATA_DIR;
    assert.equal(dataDir, stageEnv(runtime).DATA_DIR);
    const mount = broker.volumes?.find((v) => v.split(':')[1] === dataDir);
    assert.ok(mount && volumes && mount.split(':')[0] in volumes, `${dataDir} on a named volume`);

    // The broker accepts this environment as it is (the image's ENV under it).
    const config = loadBrokerConfig({ ...stageEnv(runtime), ...(env as Record<string, string>) });
    assert.equal(config.databaseUrl, env.DATABASE_URL);
    assert.equal(config.logFormat, 'json');
  });

  it('with the TLS example uncommented: MQTTS_PORT published, with the certificate files it names mounted', () => {
    const tls = withTls(compose);
    assert.notEqual(tls, compose);
    const result = composeConfig(project(tls, dotEnv('s3cret')));
    assert.ok(result.ok, result.ok ? '' : result.error);
    const broker = result.config.services.broker;
    const env = broker.environment ?? {};
    assert.ok((broker.ports ?? []).some((p) => p.target === Number(env.MQTTS_PORT)), 'MQTTS_PORT is published');
    const mounts = (broker.volumes ?? []).map((v) => v.split(':')[1]);
    for (const file of [env.TLS_CERT_FILE, env.TLS_KEY_FILE]) assert.ok(file && mounts.some((m) => file.startsWith(`${m}/`)), `${file} is in a mounted directory`);
  });
});

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
}

function dashboard(): { panels: Panel[] } {
  return JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'nestmq-dashboard.json'), 'utf8')) as { panels: Panel[] };
}

function dashboardQueries(): string[] {
  return dashboard().panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

describe('monitoring (deploy/)', () => {
  it("the Grafana dashboard has the admin UI dashboard's tiles and charts", () => {
    const titles = dashboard().panels.map((p) => `${p.type}:${p.title}`);
    const ui = readFileSync(join(ROOT, 'apps', 'admin-ui', 'src', 'app', 'pages', 'dashboard', 'dashboard.ts'), 'utf8');
    const html = readFileSync(join(ROOT, 'apps', 'admin-ui', 'src', 'app', 'pages', 'dashboard', 'dashboard.html'), 'utf8');
    const tiles = [...ui.matchAll(/\{ label: '([^']+)', value:/g)].map((m) => m[1]);
    const charts = [...html.matchAll(/<app-line-chart title="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(tiles.length >= 6 && charts.length >= 4);
    for (const t of tiles) assert.ok(titles.includes(`stat:${t}`), `a stat panel "${t}"`);
    for (const c of charts) assert.ok(titles.includes(`timeseries:${c}`), `a time series panel "${c}"`);
  });

  it('the Prometheus example scrapes the compose broker service on its HTTP port, where /metrics is', () => {
    const yaml = spawnSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)', join(ROOT, 'deploy', 'prometheus', 'prometheus.yml')], { encoding: 'utf8' });
    assert.equal(yaml.status, 0, yaml.stderr);
    const config = JSON.parse(yaml.stdout) as { scrape_configs: Array<{ metrics_path: string; static_configs: Array<{ targets: string[] }> }> };
    const [job] = config.scrape_configs;
    assert.equal(job.metrics_path, '/metrics');
    const [host, port] = job.static_configs[0].targets[0].split(':');
    assert.match(compose, new RegExp(`^  ${host}:$`, 'm'), 'a service of docker-compose.yml');
    assert.equal(Number(port), DEFAULTS.httpPort);
  });
});

interface Logged {
  level: string;
  msg: string;
  context?: string;
  [key: string]: unknown;
}

describe('the image runs as its CMD', () => {
  let app: string;
  let data: string;
  let db: TestDatabase;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'nestmq-image-'));
    data = mkdtempSync(join(tmpdir(), 'nestmq-image-data-'));
    assembleRuntime(dockerfile, app);
    db = await createTestDatabase(defaultDatabaseKind());
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await db?.drop();
    rmSync(app, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('from the built output and production dependencies alone, with NODE_ENV=production and JSON logs: serves MQTT, the admin UI and its health check, never logs a secret or a message, and stops on SIGTERM', async () => {
    // Only what the runtime stage copies is there, and Node cannot find modules above it.
    for (const dir of [join(app, '..'), '/']) assert.equal(existsSync(join(dir, 'node_modules')), false, `${dir}node_modules would be found from the copy`);
    assert.equal(existsSync(join(app, 'node_modules', 'jest')), false, 'no development dependency');
    assert.equal(existsSync(join(app, 'apps', 'broker', 'src')), false, 'no sources');

    const secrets = {
      database: `db-${Math.random().toString(36).slice(2)}`,
      jwt: `jwt-secret-${'x'.repeat(24)}-${Math.random().toString(36).slice(2)}`,
      staticUser: `static-${Math.random().toString(36).slice(2)}`,
      newUser: `new-user-${Math.random().toString(36).slice(2)}`,
      wrong: `wrong-${Math.random().toString(36).slice(2)}`,
    };
    // The test server trusts 127.0.0.1 and ignores a password; the embedded one has its own.
    const url = new URL(db.options.url!);
    if (url.password === '') url.password = secrets.database;
    const dbPassword = decodeURIComponent(url.password);
    const [mqtt, ws, http] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: data,
      ...stageEnv(runtime),
      // The image's /data is not ours to write here: a directory of the test's, as the volume would be.
      DATA_DIR: data,
      DATABASE_URL: url.toString(),
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: String(mqtt),
      WS_PORT: String(ws),
      HTTP_PORT: String(http),
      // Everything the broker can log, logged.
      LOG_LEVEL: 'trace',
      BCRYPT_COST: '4',
      ADMIN_JWT_SECRET: secrets.jwt,
      AUTH_USERS: `static:${secrets.staticUser}`,
    };
    const [node, main] = execForm(last(instructions(runtime, 'CMD'), 'CMD'));
    assert.equal(node, 'node');
    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, [main], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const up = new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', () => /listening on http:/.test(stdout) && resolve());
      void exited.then((code) => reject(new Error(`the broker exited with ${code}:\n${stdout}\n${stderr}`)));
    });
    await withTimeout(up, 60_000, 'the broker to start');
    // The lines written so far, whole: a chunk read from the pipe may end inside one.
    const lines = (): Logged[] =>
      stdout
        .slice(0, stdout.lastIndexOf('\n') + 1)
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Logged);
    assert.ok(lines().every((l) => typeof l.level === 'string' && typeof l.msg === 'string' && typeof l.time === 'string'), 'JSON lines');
    assert.ok(lines().some((l) => l.context === 'InstanceLoader'), "Nest's own lines are JSON too");
    const admin = lines()
      .map((l) => /^created admin user "admin" with password (\S+) /.exec(l.msg)?.[1])
      .find((p) => p !== undefined);
    assert.ok(admin, stdout);

    // The image's HEALTHCHECK, as Docker runs it: in the WORKDIR, with the container's environment.
    const healthcheck = execForm(last(runtime.instructions.filter((i) => i.keyword === 'HEALTHCHECK'), 'HEALTHCHECK').args.replace(/^CMD\s+/, ''));
    const healthy = spawnSync(process.execPath, healthcheck.slice(1), { cwd: app, env, encoding: 'utf8' });
    assert.equal(healthy.status, 0, healthy.stderr);
    const base = `http://127.0.0.1:${http}`;
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    const page = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<app-root/, 'the admin UI, from the copied build');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^nestmq_/m);
    // Every metric the Grafana dashboard queries is one the broker serves.
    const exposed = new Set([...metrics.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const queried = new Set(dashboardQueries().flatMap((e) => [...e.matchAll(/\b(?:nestmq|nodejs|process)_[a-z0-9_]+/g)].map((m) => m[0])));
    assert.ok(queried.size > 10);
    for (const name of queried) assert.ok(exposed.has(name), `the dashboard queries ${name}, which /metrics does not serve`);

    // The admin API with every kind of credential: passwords, tokens, a refresh, an API key, a new user.
    const post = async (path: string, body: unknown, token?: string): Promise<Response> =>
      fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    assert.equal((await post('/auth/login', { username: 'admin', password: secrets.wrong })).status, 401);
    const tokens = (await (await post('/auth/login', { username: 'admin', password: admin })).json()) as { accessToken: string; refreshToken: string };
    assert.ok(tokens.accessToken);
    const renewed = (await (await post('/auth/refresh', { refreshToken: tokens.refreshToken })).json()) as { accessToken: string; refreshToken: string };
    assert.equal((await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${renewed.accessToken}` } })).status, 200);
    assert.equal((await post('/users', { username: 'device', password: secrets.newUser, roles: ['device'] }, renewed.accessToken)).status, 201);
    const created = (await (
      await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${renewed.accessToken}` },
        body: JSON.stringify({ query: 'mutation { createApiKey(input: { name: "ci", role: viewer }) { secret } }' }),
      })
    ).json()) as { data: { createApiKey: { secret: string } } };
    const apiKey = created.data.createApiKey.secret;
    assert.equal((await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${apiKey}` } })).status, 200);

    // MQTT with passwords right and wrong, then messages: not one line more for them, even at trace level.
    const refused = await RawClient.open(mqtt, 5);
    refused.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 30, clientId: 'wrong', username: 'device', password: Buffer.from(secrets.wrong) });
    assert.equal((await refused.expect(PacketType.Connack)).reasonCode, ReasonCode.BadUserNameOrPassword);
    const subscriber = await connectClient(`mqtt://127.0.0.1:${mqtt}`, { username: 'static', password: secrets.staticUser });
    const publisher = await connectClient(`mqtt://127.0.0.1:${mqtt}`, { username: 'device', password: secrets.newUser });
    const received = new Promise<void>((resolve) => {
      let count = 0;
      subscriber.on('message', () => ++count === 300 && resolve());
    });
    await subscriber.subscribeAsync('plant/#', { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const before = lines().length;
    for (let i = 0; i < 300; i++) void publisher.publishAsync(`plant/line-${i % 7}`, `reading ${i}`, { qos: i % 2 === 0 ? 0 : 1 });
    await withTimeout(received, 20_000, 'the messages');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(lines().slice(before).map((l) => l.msg), [], 'nothing logged per message');
    await subscriber.endAsync();
    await publisher.endAsync();

    // docker stop: SIGTERM, 0x8B to 5.0 clients, exit 0 within Docker's default grace period of 10 s.
    const v5 = await RawClient.connected(mqtt, { username: 'admin', password: Buffer.from(admin) });
    const started = Date.now();
    child.kill('SIGTERM');
    assert.equal((await v5.expect(PacketType.Disconnect)).reasonCode, ReasonCode.ServerShuttingDown);
    assert.equal(await withTimeout(exited, 10_000, 'exit after SIGTERM'), 0);
    assert.ok(Date.now() - started < 10_000);
    child = undefined;
    assert.ok(lines().some((l) => l.msg === 'SIGTERM received, shutting down'));

    // No secret in the logs: every line of the run, stdout and stderr, and the files the broker wrote.
    const everything = [stdout, stderr].join('\n');
    const logged = [tokens.accessToken, tokens.refreshToken, renewed.accessToken, renewed.refreshToken, apiKey, dbPassword, ...Object.values(secrets)];
    for (const secret of logged) assert.ok(!everything.includes(secret), `a secret in the logs: ${secret.slice(0, 6)}...`);
    assert.ok(!everything.includes(url.toString()), 'DATABASE_URL as given');
    // The generated admin password: once, by design, on the line that says it was created, and nowhere else.
    const withAdmin = lines().filter((l) => JSON.stringify(l).includes(admin));
    assert.equal(withAdmin.length, 1);
    assert.equal(withAdmin[0].level, 'warn');
    assert.match(withAdmin[0].msg, /^created admin user "admin" with password \S+ \(shown once; set ADMIN_PASSWORD to choose it\)$/);
    assert.equal(everything.split(admin).length - 1, 1);
  });
});
