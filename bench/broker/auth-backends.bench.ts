/**
 * CONNECTs per second per authenticator: how fast NestMQ admits clients with each backend of AUTH_CHAIN,
 * with its result cache cold (every CONNECT carries credentials the broker has not seen, so the backend is
 * asked every time) and warm (each client repeats its own credentials, so a cache answers).
 *
 *   npm run bench:auth-backends                  # build, then run
 *   BENCH_WRITE=1 npm run bench:auth-backends    # also write bench/results/auth-backends.txt
 *
 * One broker per backend, a child process on its embedded database, with the login throttle off. The servers
 * the backends ask (the HTTP hook, the JWKS document) run in a child process of their own, whose CPU is shown
 * apart. Each of BENCH_CLIENTS clients has its own loopback address (127.0.1.N) and logs in again and again:
 * connect, CONNECT, CONNACK, DISCONNECT, close. One other connected client sends PINGREQ every 20 ms: its
 * round trips show whether the event loop keeps turning while clients are checked.
 *
 * Environment (defaults in brackets): BENCH_BACKENDS [local,jwt,http,ldap,cert,scram]; BENCH_CLIENTS [50]; BENCH_SECONDS
 * measured per phase [8]; BENCH_WARMUP_SECONDS [2]; BENCH_ROUNDS [2], medians reported; BENCH_BCRYPT_COST [10].
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConnectPacket, PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { ScramClient } from '@nestmq/mqtt-protocol/scram-client';
import { SignJWT, exportJWK } from 'jose';
import { cpuModel, envNumber, formatRate, median, table } from '../codec/harness';
import { Dial, Exchange, LoginLoad, Pinger, connectPacket, login, percentile, pinger } from './connect-load';
import { BrokerProcess, benchTempDir, cpuSeconds, freePort, machineBusySeconds, nestmqRevision, sleep, startBroker } from './processes';

const REPO = path.resolve(__dirname, '../../..');
const USER_ADD = path.join(REPO, 'apps/broker/dist/src/cli/user-add.js');
const BACKEND_SERVER = path.join(__dirname, 'auth-backend-server.js');

const CLIENTS = Math.round(envNumber('BENCH_CLIENTS', 50));
const SECONDS = envNumber('BENCH_SECONDS', 8);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2);
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 2));
const COST = Math.round(envNumber('BENCH_BCRYPT_COST', 10));
if (CLIENTS > 250) throw new Error('BENCH_CLIENTS: at most 250 (one address each in 127.0.1.0/24)');

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Cold: every CONNECT brings credentials never seen before. Warm: a client repeats its own. */
type Cache = 'cold' | 'warm';

/** The servers process: its port, its CPU, how many hook calls it answered. */
interface Servers {
  port: number;
  cpu(): number;
  hookCalls(): Promise<number>;
  stop(): void;
}

/** One authenticator as the benchmark drives it. */
interface Backend {
  name: string;
  /** What the broker checks, in words for the method section. */
  what: string;
  /** True when the authenticator keeps a cache of answers: then both phases run, else one (`-`). */
  cached: boolean;
  /** `cache` is given when the backend runs a broker per phase: its cache is then switched off for `cold`. */
  env(servers: Servers, cache?: Cache): Record<string, string>;
  /** Runs once before the first broker starts (certificates, ports, the directory), and after the last. */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** A broker per phase (the cache is a setting) rather than one for every phase. */
  brokerPerPhase?: boolean;
  /** CPU seconds of the backend's own server so far (slapd), counted with the servers'. */
  serverCpu?(): number;
  /** Runs before the broker starts, on its data directory (users for `local`). */
  prepare?(dataDir: string, env: Record<string, string>): void;
  /** The CONNECT of a client's n-th login. */
  connect(client: number, n: number, cache: Cache): Promise<ConnectPacket> | ConnectPacket;
  dial?(client: number, cache: Cache): Partial<Dial>;
  /** Answers the broker's AUTH packets of the login of this client id (enhanced authentication). */
  exchange?(clientId: string): Exchange;
}

const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KID = 'bench-key';

async function token(subject: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: KID })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .setJti(randomUUID())
    .sign(signingKey.privateKey);
}

/** What the benchmark uses of the LDAP tests' directory harness (apps/broker/test/support/slapd.ts, compiled). */
interface SlapdHarness {
  READER_DN: string;
  READER_PASSWORD: string;
  PEOPLE: string;
  GROUPS: string;
  startTestDirectory(people: ReadonlyArray<{ uid: string; password: string; groups?: string[] }>, extraGroups: readonly string[], options: { tls?: boolean }): Promise<{ url: string; pid: number | undefined; close(): Promise<void> }>;
}

let directory: { harness: SlapdHarness; running: Awaited<ReturnType<SlapdHarness['startTestDirectory']>> } | undefined;

/** Cold logins so far, across phases and rounds: each one's credentials are new to the broker. */
let coldLogins = 0;

/** The SCRAM exchange of each login under way, by client id. */
const scramClients = new Map<string, ScramClient>();

/** One token per client, signed once: what a device that keeps its token presents. */
const clientTokens = new Map<number, Promise<string>>();

const BACKENDS: Record<string, Backend> = {
  local: {
    name: 'local',
    what: `a users-table user, bcrypt cost ${COST}; no cache: every CONNECT is hashed`,
    cached: false,
    env: () => ({ AUTH_CHAIN: 'local', BCRYPT_COST: String(COST) }),
    prepare: (dataDir, env) =>
      execFileSync(process.execPath, [USER_ADD, 'bench-user', 'bench-password'], {
        env: { ...process.env, ...env, DATA_DIR: dataDir },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    connect: (client, n) => connectPacket(`bench-${client}-${n}`, 'bench-user', 'bench-password'),
  },
  jwt: {
    name: 'jwt',
    what: 'an ES256 token as the password, its key from a JWKS URL (fetched once); no cache of answers: every token is verified',
    cached: true,
    env: (servers) => ({ AUTH_CHAIN: 'jwt', AUTH_JWT_JWKS_URL: `http://127.0.0.1:${servers.port}/jwks` }),
    connect: async (client, n, cache) => {
      let t: Promise<string>;
      if (cache === 'cold') t = token(`device-${client}`);
      else {
        t = clientTokens.get(client) ?? token(`device-${client}`);
        clientTokens.set(client, t);
      }
      return connectPacket(`bench-${client}-${n}`, `device-${client}`, await t);
    },
  },
  http: {
    name: 'http',
    what: 'the HTTP hook (a Node http server answering allow at once), AUTH_HTTP_CACHE_TTL 60 s',
    cached: true,
    env: (servers) => ({ AUTH_CHAIN: 'http', AUTH_HTTP_URL: `http://127.0.0.1:${servers.port}/auth` }),
    // The cache is keyed by the whole request: a password never sent before misses (whatever phase or round
    // sent others), the same client id and password hit.
    connect: (client, _n, cache) => {
      if (cache === 'warm') return connectPacket(`bench-${client}`, `device-${client}`, `pass-${client}`);
      const fresh = coldLogins++;
      return connectPacket(`bench-${client}-${fresh}`, `device-${client}`, `pass-${client}-${fresh}`);
    },
  },
  scram: {
    name: 'scram',
    what: 'SCRAM-SHA-256 enhanced authentication (CONNECT, AUTH, AUTH, CONNACK) as a users-table user, 4096 PBKDF2 iterations (the client\'s work); no cache',
    cached: false,
    env: () => ({ AUTH_CHAIN: 'local', AUTH_METHODS: 'SCRAM-SHA-256', BCRYPT_COST: String(COST) }),
    prepare: (dataDir, env) =>
      execFileSync(process.execPath, [USER_ADD, 'bench-user', 'bench-password'], {
        env: { ...process.env, ...env, DATA_DIR: dataDir },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    connect: (client, n) => {
      const scram = new ScramClient('bench-user', 'bench-password');
      scramClients.set(`bench-${client}-${n}`, scram);
      return connectPacket(`bench-${client}-${n}`, undefined, undefined, { authenticationMethod: 'SCRAM-SHA-256', authenticationData: scram.first() });
    },
    exchange: (clientId) => (packet) => {
      const scram = scramClients.get(clientId)!;
      scramClients.delete(clientId);
      const data = packet.type === PacketType.Auth ? packet.properties?.authenticationData : undefined;
      if (data === undefined) throw new Error('AUTH without Authentication Data');
      return { type: PacketType.Auth, reasonCode: ReasonCode.ContinueAuthentication, properties: { authenticationMethod: 'SCRAM-SHA-256', authenticationData: scram.final(data) } };
    },
  },
  ldap: {
    name: 'ldap',
    what: 'search then bind on OpenLDAP (Debian\'s slapd, stats logging on) with a service account, groups read for roles; cold = LDAP_CACHE_TTL=0 (every CONNECT searches and binds), warm = LDAP_CACHE_TTL 60 s',
    cached: true,
    brokerPerPhase: true,
    setup: async () => {
      // The test harness's directory: slapd on free ports with its own data, seeded with one user in a group.
      const slapd = require(path.join(REPO, 'apps/broker/dist/test/support/slapd.js')) as SlapdHarness;
      directory = { harness: slapd, running: await slapd.startTestDirectory([{ uid: 'bench-user', password: 'bench-password', groups: ['ops'] }], [], { tls: false }) };
    },
    teardown: async () => directory?.running.close(),
    serverCpu: () => (directory?.running.pid === undefined ? 0 : cpuSeconds(directory.running.pid)),
    env: (_servers, cache) => ({
      AUTH_CHAIN: 'ldap',
      LDAP_URL: directory!.running.url,
      LDAP_BIND_DN: directory!.harness.READER_DN,
      LDAP_BIND_PASSWORD: directory!.harness.READER_PASSWORD,
      LDAP_SEARCH_BASE: directory!.harness.PEOPLE,
      LDAP_GROUP_SEARCH_BASE: directory!.harness.GROUPS,
      LDAP_GROUP_ROLES: `cn=ops,${directory!.harness.GROUPS}:ops`,
      LDAP_CACHE_TTL: cache === 'cold' ? '0' : '60',
    }),
    connect: (client, n) => connectPacket(`bench-${client}-${n}`, 'bench-user', 'bench-password'),
  },
  cert: {
    name: 'cert',
    what: 'a client certificate (ECDSA P-256, CN as the user name) on MQTTS, no password; cold = a full TLS 1.3 handshake, warm = a resumed TLS session',
    cached: true,
    setup: async () => {
      makeCertificates();
      pki.mqttsPort = await freePort();
    },
    env: () => ({
      AUTH_CHAIN: 'cert',
      MQTTS_PORT: String(pki.mqttsPort),
      TLS_CERT_FILE: path.join(pki.dir, 'server.pem'),
      TLS_KEY_FILE: path.join(pki.dir, 'server.key'),
      TLS_CA_FILE: path.join(pki.dir, 'ca.pem'),
      TLS_IDENTITY: 'cn',
    }),
    connect: (client, n) => connectPacket(`bench-${client}-${n}`),
    dial: (client, cache) => ({
      port: pki.mqttsPort,
      tls: {
        ca: pem('ca.pem'),
        cert: pem('device.pem'),
        key: pem('device.key'),
        ...(cache === 'warm' && pki.sessions.has(client) && { session: pki.sessions.get(client) }),
        onSession: (session: Buffer) => pki.sessions.set(client, session),
      },
    }),
  },
};

/** A device CA, the broker's certificate and one client certificate (CN bench-device), made with openssl. */
const pki = { dir: '', mqttsPort: 0, sessions: new Map<number, Buffer>() };

function makeCertificates(): void {
  pki.dir = mkdtempSync(path.join(benchTempDir(), 'pki-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki.dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=bench-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', 'ca.key', '-out', 'ca.pem');
  for (const [name, extra] of [
    ['server', ['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']],
    ['device', []],
  ] as const) {
    openssl('req', ...ec, '-subj', `/CN=bench-${name}`, ...extra, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-days', '1', '-copy_extensions', 'copy', '-out', `${name}.pem`);
  }
}

const pem = (name: string) => readFileSync(path.join(pki.dir, name));

async function startServers(): Promise<Servers> {
  const jwk = { ...(await exportJWK(signingKey.publicKey)), kid: KID, alg: 'ES256', use: 'sig' };
  const child: ChildProcess = spawn(process.execPath, [BACKEND_SERVER], {
    env: { ...process.env, BENCH_JWKS: JSON.stringify({ keys: [jwk] }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  return {
    port,
    cpu: () => cpuSeconds(child.pid!),
    hookCalls: async () => ((await (await fetch(`http://127.0.0.1:${port}/calls`)).json()) as { hook: number }).hook,
    stop: () => void child.kill('SIGTERM'),
  };
}

interface PhaseResult {
  backend: string;
  cache: Cache | '-';
  counts: Map<number, number>;
  seconds: number;
  latencies: number[];
  pings: number[];
  brokerCpu: number;
  serversCpu: number;
  machineCpu: number;
  hookCallsPerConnect: number;
  /** Share of the logins whose TLS handshake resumed a session. */
  resumed: number;
}

async function phase(backend: Backend, broker: BrokerProcess, servers: Servers, ping: Pinger, cache: Cache): Promise<PhaseResult> {
  const load = new LoginLoad(CLIENTS, async (i, n) => {
    const connect = await backend.connect(i, n, cache);
    return login({ port: broker.port, localAddress: `127.0.1.${i + 1}`, ...backend.dial?.(i, cache) }, connect, backend.exchange?.(connect.clientId));
  });
  await sleep(WARMUP_SECONDS * 1000);
  ping.window();
  const cpu0 = broker.cpu();
  const servers0 = servers.cpu() + (backend.serverCpu?.() ?? 0);
  const calls0 = await servers.hookCalls();
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  load.measuring = true;
  await sleep(SECONDS * 1000);
  load.measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const brokerCpu = (broker.cpu() - cpu0) / seconds;
  const serversCpu = (servers.cpu() + (backend.serverCpu?.() ?? 0) - servers0) / seconds;
  const machineCpu = (machineBusySeconds() - machine0) / seconds;
  const calls = (await servers.hookCalls()) - calls0;
  const pings = ping.window();
  await load.stop();
  if (broker.exited() !== null) throw new Error(`the broker ${broker.exited()}:\n${broker.output()}`);
  if (load.failures.length > 0) log(`  ${load.failures.length} logins failed: ${load.failures.slice(0, 3).join('; ')}`);
  const answered = load.answered;
  return {
    backend: backend.name,
    cache: backend.cached ? cache : '-',
    counts: load.counts,
    seconds,
    latencies: load.latencies,
    pings,
    brokerCpu,
    serversCpu,
    machineCpu,
    hookCallsPerConnect: answered > 0 ? calls / answered : NaN,
    resumed: answered > 0 ? load.resumed / answered : NaN,
  };
}

/** A broker for a backend (with the cache setting of `cache` when it runs a broker per phase), and its pinger. */
async function openBroker(backend: Backend, servers: Servers, cache: Cache | undefined): Promise<{ broker: BrokerProcess; ping: Pinger }> {
  const dataDir = path.join(benchTempDir(), `data-${backend.name}${cache ? `-${cache}` : ''}`);
  mkdirSync(dataDir, { recursive: true });
  const env = {
    ...backend.env(servers, cache),
    LOGIN_FAILURES_PER_ADDRESS: '0',
    LOGIN_FAILURES_PER_USER: '0',
    // A fixed admin password: a generated one would be printed, and is hashed at start-up either way.
    ADMIN_PASSWORD: 'bench-admin-password',
  };
  if (!existsSync(path.join(dataDir, 'prepared'))) {
    backend.prepare?.(dataDir, env);
    writeFileSync(path.join(dataDir, 'prepared'), '');
  }
  const broker = await startBroker('nestmq', { protocolVersion: 5, env, dataDir });
  try {
    return { broker, ping: await pinger({ port: broker.port, ...backend.dial?.(CLIENTS, 'cold') }, await backend.connect(CLIENTS, 0, 'warm'), backend.exchange?.(`bench-${CLIENTS}-0`)) };
  } catch (e) {
    await broker.stop();
    throw e;
  }
}

async function closeBroker({ broker, ping }: { broker: BrokerProcess; ping: Pinger }): Promise<void> {
  ping.stop();
  await broker.stop();
}

async function runBackend(backend: Backend, servers: Servers): Promise<PhaseResult[]> {
  await backend.setup?.();
  const results: PhaseResult[] = [];
  let shared: { broker: BrokerProcess; ping: Pinger } | undefined;
  const measure = async (opened: { broker: BrokerProcess; ping: Pinger }, round: number, cache: Cache): Promise<void> => {
    const r = await phase(backend, opened.broker, servers, opened.ping, cache);
    results.push(r);
    const total = [...r.counts.values()].reduce((a, b) => a + b, 0);
    const resumed = Number.isFinite(r.resumed) && backend.dial !== undefined ? `, TLS sessions resumed: ${Math.round(r.resumed * 100)}%` : '';
    log(`${backend.name}, round ${round}, ${r.cache}: ${formatRate(total / r.seconds)} CONNACK/s (${[...r.counts].map(([c, n]) => `0x${c.toString(16).padStart(2, '0')}: ${n}`).join(', ')})${resumed}`);
  };
  const caches = backend.cached ? (['cold', 'warm'] as const) : (['warm'] as const);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      if (backend.brokerPerPhase) {
        for (const cache of caches) {
          const opened = await openBroker(backend, servers, cache);
          try {
            await measure(opened, round, cache);
          } finally {
            await closeBroker(opened);
          }
        }
        continue;
      }
      // One broker for every round: opened on the first, closed after the last.
      const opened = (shared ??= await openBroker(backend, servers, undefined));
      for (const cache of caches) await measure(opened, round, cache);
    }
  } finally {
    if (shared) await closeBroker(shared);
    await backend.teardown?.();
  }
  return results;
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');
const pct = (v: number): string => `${Math.round(v * 100)}%`;

async function main(): Promise<void> {
  const names = (process.env.BENCH_BACKENDS ?? 'local,jwt,http,ldap,cert,scram').split(',').map((s) => s.trim());
  for (const n of names) if (BACKENDS[n] === undefined) throw new Error(`BENCH_BACKENDS: unknown backend ${n} (known: ${Object.keys(BACKENDS).join(', ')})`);
  const startLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const servers = await startServers();
  const results: PhaseResult[] = [];
  try {
    for (const n of names) results.push(...(await runBackend(BACKENDS[n], servers)));
  } finally {
    servers.stop();
  }
  const endLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');

  const groups = new Map<string, PhaseResult[]>();
  for (const r of results) groups.set(`${r.backend}\u0000${r.cache}`, [...(groups.get(`${r.backend}\u0000${r.cache}`) ?? []), r]);
  const rows = [...groups.values()].map((of) => {
    const rate = (pick: (code: number) => boolean) => median(of.map((r) => [...r.counts].filter(([c]) => pick(c)).reduce((a, [, n]) => a + n, 0) / r.seconds));
    const latencies = of.flatMap((r) => r.latencies);
    const pings = of.flatMap((r) => r.pings);
    const calls = median(of.map((r) => r.hookCallsPerConnect));
    return [
      of[0].backend,
      of[0].cache,
      formatRate(rate((c) => c === 0)),
      formatRate(median(of.map((r) => (r.counts.get(0) ?? 0) / r.seconds / r.brokerCpu))),
      formatRate(rate((c) => c !== 0)),
      ms(percentile(latencies, 0.5)),
      ms(percentile(latencies, 0.99)),
      ms(percentile(pings, 0.5)),
      ms(percentile(pings, 0.99)),
      of[0].backend === 'http' ? calls.toFixed(2) : '-',
      BACKENDS[of[0].backend].dial ? pct(median(of.map((r) => r.resumed))) : '-',
      pct(median(of.map((r) => r.brokerCpu))),
      pct(median(of.map((r) => r.serversCpu))),
      pct(median(of.map((r) => r.machineCpu))),
    ];
  });
  const out = [
    'NestMQ CONNECTs per second per authenticator',
    `command: BENCH_WRITE=1 npm run bench:auth-backends${process.env.BENCH_BACKENDS ? ` (BENCH_BACKENDS=${process.env.BENCH_BACKENDS})` : ''}`,
    `date:    ${new Date().toISOString()}; revision ${nestmqRevision()}`,
    `node:    ${process.version}, ${os.platform()} ${os.arch()}; cpu: ${cpuModel()}, ${os.cpus().length} logical CPUs; load average at start ${startLoad}, at end ${endLoad}`,
    `method:  MQTT 5.0, ${CLIENTS} clients at once, each from its own 127.0.1.N address: CONNECT -> CONNACK -> DISCONNECT -> close -> again;`,
    `         ${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured per phase, ${ROUNDS} rounds, medians of the rounds; one broker per backend (ldap: one per phase,`,
    '         its cache being a setting; embedded database, login throttle off, broker defaults otherwise).',
    '         cold = every CONNECT brings credentials the broker has not seen (a new token, a new password), so a cache of',
    '         answers misses; warm = each client repeats its own; "-" = the backend keeps no cache of answers.',
    '         per broker-CPU-s = CONNACK 0x00 per second of broker CPU: the load generator (SCRAM\'s PBKDF2, TLS, token',
    '         signing) shares the machine\'s cores with the broker, so this is the figure to compare across backends;',
    '         ping = PINGREQ round trip of one other connected client, every 20 ms; broker CPU = utime + stime of the broker',
    '         and its embedded database (100% = one core); servers CPU = the process serving the hook and the JWKS, and slapd;',
    '         machine CPU = every process, the load generator included; hook calls = requests the HTTP hook got per CONNECT;',
    '         TLS resumed = share of the TLS handshakes that resumed the client\'s previous session.',
    ...names.map((n) => `         ${n.padEnd(6)} ${BACKENDS[n].what}`),
    '',
    table(
      ['backend', 'cache', 'CONNACK 0x00/s', 'per broker-CPU-s', 'refused/s', 'CONNACK p50 ms', 'p99 ms', 'ping p50 ms', 'p99 ms', 'hook calls', 'TLS resumed', 'broker CPU', 'servers CPU', 'machine CPU'],
      rows,
      [false, false, true, true, true, true, true, true, true, true, true, true, true, true],
    ),
    '',
  ].join('\n');
  process.stdout.write(`\n${out}`);
  if (process.env.BENCH_WRITE === '1') {
    const file = path.join(REPO, 'bench/results/auth-backends.txt');
    writeFileSync(file, out);
    log(`written to ${path.relative(REPO, file)}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`auth backends benchmark: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
