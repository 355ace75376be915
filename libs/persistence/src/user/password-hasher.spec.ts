import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, it, jest } from '@jest/globals';
import { PasswordHasher } from './password-hasher';

// The module object itself, which the hasher calls through: a method replaced here is the one it calls.
import bcrypt = require('bcrypt');

/** Hashes stored by the hasher's earlier implementation (bcryptjs 3), which must go on verifying. */
const BCRYPTJS = {
  wonderland: '$2b$04$In4A5oWcuj22nqZAmxYNQ.hKhbL8LZn72NK7x0wRwhvuTYTxRDRLS',
  b0b: '$2b$04$CgV89faq.vlXGh8lbIJToO.v0BFgOawTlEAOhb36ZaKUFiUPNirvq',
  'gr\u00fc\u00df\u20ac': '$2b$04$jw9K//wfULdx1iUo.FMnAuBGxK2C5sbk6ofzkGYQdDf.TPspvL6xC',
  'a\u0000b': '$2b$04$cEEdKfPqtboZ4rjytShgGeICRQvAaNs4a..BZ3QedfHPQYEJOv0/W',
  /** "wonderland" with a $2a$ salt, as bcryptjs 2 made them. */
  wonderland2a: '$2a$04$abcdefghijklmnopqrstuujZkTwHUiJ9XdZPwKfcfDo7dMp5DjlTu',
  /** "pw" with a $2y$ salt, as PHP makes them; bcryptjs accepted it. */
  pw2y: '$2y$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW',
};

describe('PasswordHasher', () => {
  let passwords: PasswordHasher;
  beforeAll(() => {
    passwords = new PasswordHasher({ threads: 2 });
  });
  afterAll(() => passwords.close());

  it('makes standard bcrypt hashes, and verifies the right password only', async () => {
    const hash = await passwords.hash('wonderland', 4);
    assert.match(hash, /^\$2[aby]\$04\$/);
    assert.ok(bcrypt.compareSync('wonderland', hash));
    assert.equal(await passwords.compare('wonderland', hash), true);
    assert.equal(await passwords.compare('Wonderland', hash), false);
    assert.equal(await passwords.compare('b0b', bcrypt.hashSync('b0b', 4)), true);
  });

  it('verifies the hashes bcryptjs stored, $2a$ and $2y$ ones included', async () => {
    for (const password of ['wonderland', 'b0b', 'gr\u00fc\u00df\u20ac', 'a\u0000b'] as const) {
      assert.equal(await passwords.compare(Buffer.from(password), BCRYPTJS[password]), true, JSON.stringify(password));
      assert.equal(await passwords.compare(`${password}!`, BCRYPTJS[password]), false, JSON.stringify(password));
    }
    assert.equal(await passwords.compare('a', BCRYPTJS['a\u0000b']), false, 'the bytes after a NUL count');
    assert.equal(await passwords.compare('wonderland', BCRYPTJS.wonderland2a), true);
    assert.equal(await passwords.compare('pw', BCRYPTJS.pw2y), true);
    assert.equal(await passwords.compare('pW', BCRYPTJS.pw2y), false);
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
    assert.ok(bcrypt.compareSync(`${longest}-and-more`, hash), 'bcrypt alone ignores the rest');
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
    assert.equal(PasswordHasher.costOf(BCRYPTJS.b0b), 4);
    assert.equal(PasswordHasher.costOf('!locked'), undefined);
    assert.equal(PasswordHasher.costOf(''), undefined);
  });

  it('keeps the event loop turning while a cost-12 hash runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const started = Date.now();
      const hash = await passwords.hash('slow', 12);
      // A synchronous cost-12 hash on this thread takes a few hundred ms with no tick at all.
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


/** Records what reaches bcrypt, and how many of its calls are running at once. */
function watchBcrypt(): { calls: string[]; active(): number; maxActive(): number } {
  const calls: string[] = [];
  let active = 0;
  let maxActive = 0;
  const enter = (data: string | Buffer): void => {
    calls.push(data.toString());
    maxActive = Math.max(maxActive, ++active);
  };
  const compare = bcrypt.compare.bind(bcrypt) as (data: string | Buffer, hash: string, cb: (e: Error | undefined, r: boolean) => void) => void;
  jest.spyOn(bcrypt, 'compare').mockImplementation(((data: string | Buffer, hash: string, cb: (e: Error | undefined, r: boolean) => void) => {
    enter(data);
    compare(data, hash, (e, r) => {
      active--;
      cb(e, r);
    });
  }) as never);
  const hash = bcrypt.hash.bind(bcrypt) as (data: string | Buffer, salt: string, cb: (e: Error | undefined, h: string) => void) => void;
  jest.spyOn(bcrypt, 'hash').mockImplementation(((data: string | Buffer, salt: string, cb: (e: Error | undefined, h: string) => void) => {
    enter(data);
    hash(data, salt, (e, h) => {
      active--;
      cb(e, h);
    });
  }) as never);
  return { calls, active: () => active, maxActive: () => maxActive };
}

const ABORTED = { name: 'AbortError' };

describe('PasswordHasher queue in front of bcrypt', () => {
  let slowHash: string;
  beforeAll(() => {
    // Cost 10: tens of milliseconds, so that a check handed to bcrypt is still running while the test acts.
    slowHash = bcrypt.hashSync('right', 10);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('hands bcrypt no more checks at once than its thread count, the rest in order', async () => {
    for (const threads of [1, 2]) {
      const watch = watchBcrypt();
      const passwords = new PasswordHasher({ threads });
      try {
        const hash = bcrypt.hashSync('p', 5);
        const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => passwords.compare(i === 5 ? 'p' : `q${i}`, hash)));
        assert.deepEqual(answers, [false, false, false, false, false, true, false, false]);
        assert.equal(watch.maxActive(), threads);
        assert.deepEqual(watch.calls, ['q0', 'q1', 'q2', 'q3', 'q4', 'p', 'q6', 'q7']);
      } finally {
        await passwords.close();
        jest.restoreAllMocks();
      }
    }
  });

  it('drops a waiting check whose signal aborts: it rejects at once and never reaches bcrypt', async () => {
    const watch = watchBcrypt();
    const passwords = new PasswordHasher({ threads: 1 });
    try {
      let firstDone = false;
      const first = passwords.compare('first', slowHash).finally(() => (firstDone = true));
      const abort = new AbortController();
      const second = passwords.compare('second', slowHash, abort.signal);
      assert.equal(passwords.waiting, 1);
      abort.abort();
      await assert.rejects(second, ABORTED);
      assert.equal(firstDone, false, 'the cancelled check did not wait for the running one');
      assert.equal(passwords.waiting, 0);
      assert.equal(await first, false);
      assert.equal(await passwords.compare('right', slowHash), true);
      assert.deepEqual(watch.calls, ['first', 'right']);
    } finally {
      await passwords.close();
    }
  });

  it('answers an aborted check that bcrypt is running at once, but keeps its thread until bcrypt returns', async () => {
    const watch = watchBcrypt();
    const passwords = new PasswordHasher({ threads: 1 });
    try {
      const abort = new AbortController();
      const first = passwords.compare('first', slowHash, abort.signal);
      const second = passwords.compare('right', slowHash);
      assert.deepEqual(watch.calls, ['first']);
      abort.abort();
      await assert.rejects(first, ABORTED);
      assert.deepEqual(watch.calls, ['first'], 'the next check waits for the thread');
      assert.equal(watch.active(), 1);
      assert.equal(await second, true);
      assert.equal(watch.maxActive(), 1);
    } finally {
      await passwords.close();
    }
  });

  it('refuses a check whose signal is already aborted without queueing it', async () => {
    const watch = watchBcrypt();
    const passwords = new PasswordHasher({ threads: 1 });
    try {
      await assert.rejects(passwords.compare('right', slowHash, AbortSignal.abort()), ABORTED);
      assert.equal(passwords.waiting, 0);
      assert.deepEqual(watch.calls, []);
    } finally {
      await passwords.close();
    }
  });

  it('closes once bcrypt has returned from every hash it was given', async () => {
    const watch = watchBcrypt();
    const passwords = new PasswordHasher({ threads: 1 });
    const running = assert.rejects(passwords.compare('first', slowHash), /closed/);
    const waiting = assert.rejects(passwords.compare('second', slowHash), /closed/);
    await passwords.close();
    assert.equal(watch.active(), 0);
    await Promise.all([running, waiting]);
    assert.deepEqual(watch.calls, ['first']);
  });

  it('rejects a request bcrypt fails or throws on, and gives its thread to the next', async () => {
    const compare = bcrypt.compare.bind(bcrypt) as (data: string | Buffer, hash: string, cb: (e: Error | undefined, r: boolean) => void) => void;
    jest.spyOn(bcrypt, 'compare').mockImplementation(((data: string | Buffer, hash: string, cb: (e: Error | undefined, r: boolean) => void) => {
      if (data.toString() === 'fail') return void process.nextTick(() => cb(new Error('bcrypt failed'), false));
      if (data.toString() === 'throw') throw new Error('bcrypt threw');
      compare(data, hash, cb);
    }) as never);
    const passwords = new PasswordHasher({ threads: 1 });
    try {
      const results = await Promise.allSettled([
        passwords.compare('fail', slowHash),
        passwords.compare('throw', slowHash),
        passwords.compare('right', slowHash),
      ]);
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
        ['bcrypt failed', 'bcrypt threw', true],
      );
    } finally {
      await passwords.close();
    }
  });

  it("leaves two threads of libuv's pool to other work", () => {
    const saved = process.env.UV_THREADPOOL_SIZE;
    try {
      delete process.env.UV_THREADPOOL_SIZE;
      assert.doesNotThrow(() => new PasswordHasher({ threads: 2 }));
      assert.throws(() => new PasswordHasher({ threads: 3 }), /fewer than 2 of the 4 threads.*UV_THREADPOOL_SIZE to at least 5/);
      process.env.UV_THREADPOOL_SIZE = '8';
      assert.doesNotThrow(() => new PasswordHasher({ threads: 6 }));
      assert.throws(() => new PasswordHasher({ threads: 7 }), RangeError);
    } finally {
      if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = saved;
    }
  });

  it('lets the process exit while idle', () => {
    // No close(): a hasher with nothing to do must not hold the process open.
    const program = `const { PasswordHasher } = require(${JSON.stringify(join(__dirname, 'password-hasher.js'))});
      new PasswordHasher().hash('x', 4).then((h) => console.log(h.slice(0, 7)));`;
    const child = spawnSync(process.execPath, ['-e', program], { timeout: 10_000, encoding: 'utf8' });
    assert.equal(child.signal, null, 'the process had to be killed');
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout.trim(), /^\$2[aby]\$04\$$/);
  });
});
