import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareSync, hashSync } from 'bcryptjs';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  let passwords: PasswordHasher;
  before(() => {
    passwords = new PasswordHasher({ threads: 2 });
  });
  after(() => passwords.close());

  it('makes hashes bcryptjs verifies, and verifies the right password only', async () => {
    const hash = await passwords.hash('wonderland', 4);
    assert.match(hash, /^\$2[aby]\$04\$/);
    assert.ok(compareSync('wonderland', hash));
    assert.equal(await passwords.compare('wonderland', hash), true);
    assert.equal(await passwords.compare('Wonderland', hash), false);
    assert.equal(await passwords.compare('b0b', hashSync('b0b', 4)), true);
  });

  it('compares the bytes of a binary password as sent, not their UTF-8 reading', async () => {
    const hash = await passwords.hash('caf\u00e9', 4);
    assert.equal(await passwords.compare(Buffer.from('caf\u00e9'), hash), true);
    assert.equal(await passwords.compare(Buffer.from('caf\u00e9', 'latin1'), hash), false, 'the same text in Latin-1');
    // Every byte that is not UTF-8 reads as U+FFFD: compared as text, any of them would match this hash.
    const replacement = await passwords.hash('\ufffd', 4);
    assert.equal(await passwords.compare(Buffer.from('\ufffd'), replacement), true);
    assert.equal(await passwords.compare(Buffer.from([0xff]), replacement), false);
    assert.equal(await passwords.compare(Buffer.from([0xc3]), replacement), false);
  });

  it('refuses to hash a password bcrypt would cut at 72 bytes, or bytes that are not UTF-8', async () => {
    const longest = 'x'.repeat(PasswordHasher.MAX_PASSWORD_BYTES);
    assert.equal(await passwords.compare(longest, await passwords.hash(longest, 4)), true);
    await assert.rejects(passwords.hash(`${longest}y`, 4), (e: unknown) => e instanceof RangeError && /at most 72 bytes.*73/.test(e.message));
    await assert.rejects(passwords.hash('\u00e9'.repeat(37), 4), /74/, '72 characters are not 72 bytes');
    await assert.rejects(passwords.hash(Buffer.from([0x61, 0xff]), 4), RangeError);
  });

  it('never matches a password over 72 bytes, even one whose first 72 are right', async () => {
    const longest = 'k'.repeat(72);
    const hash = await passwords.hash(longest, 4);
    assert.ok(compareSync(`${longest}-and-more`, hash), 'bcrypt alone ignores the rest');
    assert.equal(await passwords.compare(`${longest}-and-more`, hash), false);
    assert.equal(await passwords.compare(Buffer.alloc(65_535, 'k'), hash), false);
  });

  it('takes as long to refuse a password it cannot match as to refuse a wrong one', async () => {
    const hash = await passwords.hash('right', 8);
    const time = async (password: Buffer | string): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < 7; i++) {
        const started = process.hrtime.bigint();
        assert.equal(await passwords.compare(password, hash), false);
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return samples.sort((a, b) => a - b)[3];
    };
    const wrong = await time('wrong');
    const tooLong = await time('r'.repeat(100));
    const notUtf8 = await time(Buffer.from([0xff, 0xfe]));
    assert.ok(tooLong >= 0.5 * wrong && notUtf8 >= 0.5 * wrong, `medians: wrong ${wrong} ms, too long ${tooLong} ms, not UTF-8 ${notUtf8} ms`);
  });

  it('reads the cost factor of a bcrypt hash', async () => {
    assert.equal(PasswordHasher.costOf(await passwords.hash('x', 5)), 5);
    assert.equal(PasswordHasher.costOf(hashSync('x', 4)), 4);
    assert.equal(PasswordHasher.costOf('!locked'), undefined);
    assert.equal(PasswordHasher.costOf(''), undefined);
  });

  it('keeps the event loop turning while a cost-12 hash runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const started = Date.now();
      const hash = await passwords.hash('slow', 12);
      // On this thread a cost-12 bcryptjs hash takes hundreds of ms with no tick at all.
      assert.ok(ticks >= 5, `${ticks} ticks of 5 ms in ${Date.now() - started} ms`);
      assert.match(hash, /^\$2[aby]\$12\$/);
    } finally {
      clearInterval(timer);
    }
  });

  it('answers every one of many concurrent requests, beyond the thread count', async () => {
    const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => passwords.hash(`pw-${i}`, 4)));
    const checks = await Promise.all(hashes.flatMap((h, i) => [passwords.compare(`pw-${i}`, h), passwords.compare(`pw-${i + 1}`, h)]));
    assert.deepEqual(checks, hashes.flatMap(() => [true, false]));
  });

  it('rejects a request bcrypt refuses, and goes on', async () => {
    await assert.rejects(passwords.compare('x', undefined as unknown as string), /illegal arguments/i);
    assert.equal(await passwords.compare('x', 'not a bcrypt hash'), false);
  });

  it('rejects once closed', async () => {
    const closing = new PasswordHasher({ threads: 1 });
    const running = assert.rejects(closing.hash('x', 12), /closed/);
    const waiting = assert.rejects(closing.hash('y', 4), /closed/);
    await closing.close();
    await Promise.all([running, waiting]);
    await assert.rejects(closing.compare('x', 'y'), /closed/);
  });

  it('refuses a thread count below one', () => {
    assert.throws(() => new PasswordHasher({ threads: 0 }), RangeError);
  });
});

describe('PasswordHasher when a thread dies', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nestmq-password-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects the request the thread held, and a new thread serves the next', async () => {
    // The real worker, except that the password "die" kills the thread mid-request.
    const script = join(dir, 'dying-worker.js');
    writeFileSync(
      script,
      `require('node:worker_threads').parentPort.on('message', (r) => { if (r.password === 'die') process.exit(7); });\n` +
        `require(${JSON.stringify(join(__dirname, 'password-worker.js'))});\n`,
    );
    const passwords = new PasswordHasher({ threads: 1, script });
    try {
      const dying = passwords.hash('die', 4);
      const queued = passwords.hash('after', 4);
      await assert.rejects(dying, /password thread stopped \(exit code 7\)/);
      assert.ok(compareSync('after', await queued));
      assert.equal(await passwords.compare('after', await passwords.hash('after', 4)), true);
    } finally {
      await passwords.close();
    }
  });

  it('rejects rather than hangs when a thread cannot start', async () => {
    const passwords = new PasswordHasher({ threads: 2, script: join(dir, 'missing.js') });
    try {
      const results = await Promise.allSettled([passwords.hash('a', 4), passwords.compare('b', 'c'), passwords.hash('d', 4)]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    } finally {
      await passwords.close();
    }
  });

  it('lets the process exit while idle', () => {
    // No close(): an idle pool must not hold the process open.
    const program = `const { PasswordHasher } = require(${JSON.stringify(join(__dirname, 'password-hasher.js'))});
      new PasswordHasher().hash('x', 4).then((h) => console.log(h.slice(0, 7)));`;
    const child = spawnSync(process.execPath, ['-e', program], { timeout: 10_000, encoding: 'utf8' });
    assert.equal(child.signal, null, 'the process had to be killed');
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout.trim(), /^\$2[aby]\$04\$$/);
  });
});
