import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import selfsigned from 'selfsigned';

const SLAPD = '/usr/sbin/slapd';
export const BASE_DN = 'dc=example,dc=org';
export const PEOPLE = `ou=people,${BASE_DN}`;
export const GROUPS = `ou=groups,${BASE_DN}`;
/** The service account: reads people and groups, nothing else. */
export const READER_DN = `cn=reader,${BASE_DN}`;
export const READER_PASSWORD = 'reader-service-password-7f3a';
const ROOT_DN = `cn=admin,${BASE_DN}`;
const ROOT_PASSWORD = 'root-password-of-the-test-directory';

/** A person of the seeded directory: uid, password and the groups (cn under ou=groups) it is a member of. */
export interface Person {
  uid: string;
  password: string;
  groups?: string[];
  /** An entry without a uid attribute of its own (its RDN is cn=<uid>). */
  noUid?: boolean;
}

export interface TestDirectory {
  /** ldap:// (plain, and StartTLS) and ldaps:// on 127.0.0.1. */
  url: string;
  ldapsUrl: string;
  /** The certificate slapd serves (self-signed, for 127.0.0.1 and localhost): the CA a client must trust. */
  caFile: string;
  /** Another self-signed certificate: a CA that did not sign slapd's. */
  otherCaFile: string;
  /** The DN of a seeded person. */
  dnOf(uid: string): string;
  /** Binds slapd has logged so far for this DN (case-insensitive; every bind without one), once every earlier operation's log line is in. */
  bindsOf(dn?: string): Promise<number>;
  /** Lines slapd has logged so far that match, once every earlier operation's log line is in. */
  linesMatching(pattern: RegExp): Promise<number>;
  /** Every line slapd has logged (its stats level). */
  readonly log: string;
  /** Takes a seeded person out of a group (as the directory's administrator would). */
  removeFromGroup(uid: string, group: string): Promise<void>;
  /**
   * SIGSTOP, and wait until every thread of slapd has stopped (the signal is asynchronous: on a busy
   * machine a running worker thread would otherwise still answer for a while). slapd keeps its sockets but
   * answers nothing until resume() (SIGCONT).
   */
  pause(): Promise<void>;
  resume(): void;
  /** Stops slapd; start() starts it again on the same ports and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops slapd for good and removes its files. */
  close(): Promise<void>;
  /** The running slapd's process id (for CPU readings). */
  readonly pid: number | undefined;
}

/** Whether every thread of the process is stopped (state T in /proc/<pid>/task/<tid>/stat). */
function allThreadsStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    try {
      return /^\d+ \(.*\) [Tt] /.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    } catch {
      return true; // the thread ended
    }
  });
}

/** Resolves once a TCP connection to the port is accepted (each try waits for its own answer). */
async function accepting(port: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`slapd does not accept connections on ${port}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function slapdConf(dir: string, tls: boolean): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
${tls ? `TLSCertificateFile ${dir}/cert.pem\nTLSCertificateKeyFile ${dir}/key.pem` : ''}
database mdb
suffix "${BASE_DN}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/data
maxsize 16777216
overlay memberof
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="${READER_DN}" read
  by users read
  by * none
`;
}

/**
 * Debian's slapd on free ports of 127.0.0.1 (ldap:// with StartTLS, and ldaps://; without `tls`, plain
 * ldap:// only, refusing StartTLS), with a data directory,
 * configuration and certificate of its own made here, seeded with `people` and their groups (groupOfNames,
 * and memberOf on each person through the memberof overlay). Its stats log (one line per operation) is
 * kept, so a test can count binds.
 */
export async function startTestDirectory(people: readonly Person[], extraGroups: readonly string[] = [], options: { tls?: boolean } = {}): Promise<TestDirectory> {
  const tls = options.tls ?? true;
  if (!existsSync(SLAPD)) {
    throw new Error(`${SLAPD} is missing: the LDAP tests need Debian's slapd (apt-get install slapd ldap-utils; .ci/run does it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-slapd-'));
  mkdirSync(join(dir, 'data'));
  const altNames = [{ type: 2 as const, value: 'localhost' }, { type: 7 as const, ip: '127.0.0.1' }];
  const cert = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { notAfterDate: new Date(Date.now() + 86_400_000), keySize: 2048, algorithm: 'sha256', extensions: [{ name: 'subjectAltName', altNames }] });
  const other = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { notAfterDate: new Date(Date.now() + 86_400_000), keySize: 2048, algorithm: 'sha256', extensions: [{ name: 'subjectAltName', altNames }] });
  writeFileSync(join(dir, 'cert.pem'), cert.cert);
  writeFileSync(join(dir, 'key.pem'), cert.private, { mode: 0o600 });
  writeFileSync(join(dir, 'other-ca.pem'), other.cert);
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir, tls));

  let log = '';
  let process: ChildProcess | undefined;
  let ports: [number, number] | undefined;
  const logWaiters: Array<{ marker: string; resolve: () => void }> = [];

  const launch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      ports ??= [await freePort(), await freePort()];
      const child = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', tls ? `ldap://127.0.0.1:${ports[0]}/ ldaps://127.0.0.1:${ports[1]}/` : `ldap://127.0.0.1:${ports[0]}/`, '-d', 'stats'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let output = '';
      let up = false;
      const started = await new Promise<boolean>((resolve) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          const text = chunk.toString();
          log += text;
          // Only until it has started: searching a log that grows with every operation would cost this
          // process more per line the longer slapd runs.
          if (!up) {
            output += text;
            up = output.includes('slapd starting');
            if (up) resolve(true);
          }
          for (const w of [...logWaiters]) {
            if (log.includes(w.marker)) {
              logWaiters.splice(logWaiters.indexOf(w), 1);
              w.resolve();
            }
          }
        });
        child.once('exit', () => resolve(false));
      });
      if (started) {
        process = child;
        // slapd says it is starting a moment before its listeners accept.
        await accepting(ports[0]);
        return;
      }
      // The ports were free a moment ago; another process may have taken one since.
      if (attempt >= 2) throw new Error(`slapd did not start:\n${output.slice(-2000)}`);
      ports = undefined;
    }
  };

  const stop = async (): Promise<void> => {
    const child = process;
    process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await exited;
  };

  /** A search of its own, waited for in the log: every line logged before it is in by then. */
  const synced = async (): Promise<void> => {
    const marker = `marker${Math.random().toString(36).slice(2)}`;
    const seen = new Promise<void>((resolve) => logWaiters.push({ marker, resolve }));
    const c = new Client({ url, timeout: 10_000 });
    await c.search(BASE_DN, { filter: `(cn=${marker})`, scope: 'base' }).catch(() => undefined);
    await c.unbind();
    await seen;
  };

  await launch();
  const url = `ldap://127.0.0.1:${ports![0]}`;
  const root = new Client({ url, timeout: 10_000, connectTimeout: 10_000 });
  try {
    await root.bind(ROOT_DN, ROOT_PASSWORD);
    await root.add(BASE_DN, { objectClass: ['dcObject', 'organization'], dc: 'example', o: 'Example' });
    await root.add(PEOPLE, { objectClass: 'organizationalUnit', ou: 'people' });
    await root.add(GROUPS, { objectClass: 'organizationalUnit', ou: 'groups' });
    await root.add(READER_DN, { objectClass: ['person'], cn: 'reader', sn: 'reader', userPassword: READER_PASSWORD });
    for (const p of people) {
      await root.add(dnOfPerson(p), p.noUid
        ? { objectClass: ['person'], cn: p.uid, sn: 'test', userPassword: p.password }
        : { objectClass: ['inetOrgPerson'], uid: p.uid, cn: p.uid, sn: 'test', userPassword: p.password });
    }
    const groups = new Set([...extraGroups, ...people.flatMap((p) => p.groups ?? [])]);
    for (const g of groups) {
      const members = people.filter((p) => p.groups?.includes(g)).map(dnOfPerson);
      // groupOfNames needs a member: the reader stands in for an empty group.
      await root.add(`cn=${g},${GROUPS}`, { objectClass: 'groupOfNames', cn: g, member: members.length > 0 ? members : [READER_DN] });
    }
  } catch (e) {
    await root.unbind().catch(() => undefined);
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  await root.unbind();

  return {
    url,
    ldapsUrl: `ldaps://127.0.0.1:${ports![1]}`,
    caFile: join(dir, 'cert.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    dnOf: (uid) => {
      const p = people.find((x) => x.uid === uid);
      if (p === undefined) throw new Error(`no seeded person ${uid}`);
      return dnOfPerson(p);
    },
    async bindsOf(dn) {
      const wanted = dn === undefined ? ' bind dn="' : ` bind dn="${dn.toLowerCase()}"`;
      await synced();
      return log.toLowerCase().split('\n').filter((l) => l.includes(wanted)).length;
    },
    async linesMatching(pattern) {
      await synced();
      return log.split('\n').filter((l) => pattern.test(l)).length;
    },
    get log() {
      return log;
    },
    async removeFromGroup(uid, group) {
      const p = people.find((x) => x.uid === uid)!;
      const c = new Client({ url, timeout: 10_000 });
      try {
        await c.bind(ROOT_DN, ROOT_PASSWORD);
        await c.modify(`cn=${group},${GROUPS}`, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dnOfPerson(p)] }) }));
      } finally {
        await c.unbind();
      }
    },
    async pause() {
      const child = process!;
      child.kill('SIGSTOP');
      const until = Date.now() + 10_000;
      while (!allThreadsStopped(child.pid!)) {
        if (Date.now() > until) throw new Error('slapd did not stop');
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    resume: () => process?.kill('SIGCONT'),
    get pid() {
      return process?.pid;
    },
    stop,
    start: launch,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** RFC 4514 escaping of a test uid, for the seeded DNs. */
function dnOfPerson(p: Person): string {
  const value = p.uid.replace(/["+,;<>\\=]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`);
  return `${p.noUid ? 'cn' : 'uid'}=${value},${PEOPLE}`;
}
