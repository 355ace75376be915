import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { AuthResult, Authenticator, Credentials } from './authenticator';
import { LoginThrottle, LoginThrottleOptions, ThrottledAuthenticator, addressKey } from './login-throttle';

/** A throttle on a clock the test moves by hand. */
function throttle(options: Partial<LoginThrottleOptions> = {}): { throttle: LoginThrottle; advance: (ms: number) => void } {
  let now = 1_000;
  const t = new LoginThrottle({ failuresPerAddress: 3, failuresPerUser: 5, windowMs: 60_000, maxBytes: 1024 * 1024, now: () => now, ...options });
  return { throttle: t, advance: (ms) => (now += ms) };
}

function fail(t: LoginThrottle, times: number, address: string, username?: string): void {
  for (let i = 0; i < times; i++) t.failed(address, username);
}

describe('LoginThrottle', () => {
  it('refuses an address after its limit of failures in a burst, and lets it try once more as one drains', () => {
    const { throttle: t, advance } = throttle();
    fail(t, 2, '10.0.0.1', 'a');
    assert.equal(t.refusal('10.0.0.1', 'b'), undefined, 'two of three');
    t.failed('10.0.0.1', 'c');
    assert.equal(t.refusal('10.0.0.1', 'd'), 'address');
    assert.equal(t.refusal('10.0.0.2', 'd'), undefined, 'another address');
    advance(19_000);
    assert.equal(t.refusal('10.0.0.1', 'd'), 'address', 'less than one failure has drained (window / limit = 20 s)');
    advance(1_001);
    assert.equal(t.refusal('10.0.0.1', 'd'), undefined);
    t.failed('10.0.0.1', 'd');
    assert.equal(t.refusal('10.0.0.1', 'e'), 'address', 'one more failure, and it is refused again');
    advance(60_000);
    fail(t, 2, '10.0.0.1', 'f');
    assert.equal(t.refusal('10.0.0.1', 'g'), undefined, 'a whole window later the burst is forgiven');
  });

  it('counts a user name from every address, and a success forgets its failures but not the address\'s', () => {
    const { throttle: t } = throttle({ failuresPerAddress: 100 });
    for (let i = 0; i < 5; i++) t.failed(`10.0.1.${i}`, 'alice');
    assert.equal(t.refusal('10.9.9.9', 'alice'), 'username', 'a guesser spread over many addresses');
    assert.equal(t.refusal('10.9.9.9', 'bob'), undefined);
    assert.equal(t.refusal('10.9.9.9', undefined), undefined, 'a CONNECT without a user name');
    t.succeeded('alice');
    assert.equal(t.refusal('10.9.9.9', 'alice'), undefined);

    const { throttle: u } = throttle();
    fail(u, 3, '10.0.0.7', 'carol');
    u.succeeded('carol');
    assert.equal(u.refusal('10.0.0.7', 'dave'), 'address', 'honest logins behind the same address do not forgive a guesser');
  });

  it('asks the address before the user name', () => {
    const { throttle: t } = throttle();
    fail(t, 5, '10.0.0.1', 'alice');
    assert.equal(t.refusal('10.0.0.1', 'alice'), 'address');
    assert.equal(t.refusal('10.0.0.2', 'alice'), 'username');
  });

  it('counts an abandoned check against the address only', () => {
    const { throttle: t } = throttle({ failuresPerUser: 1 });
    for (let i = 0; i < 3; i++) t.abandoned('10.0.0.1');
    assert.equal(t.refusal('10.0.0.1', undefined), 'address');
    assert.equal(t.refusal('10.0.0.2', 'alice'), undefined);
  });

  it('is off with a limit of 0 or a window of 0', () => {
    const { throttle: noAddress } = throttle({ failuresPerAddress: 0 });
    fail(noAddress, 50, '10.0.0.1');
    assert.equal(noAddress.refusal('10.0.0.1', undefined), undefined);
    assert.equal(noAddress.size, 0, 'nothing counted for a limit that is off');
    const { throttle: noWindow } = throttle({ windowMs: 0 });
    fail(noWindow, 50, '10.0.0.1', 'alice');
    assert.equal(noWindow.enabled, false);
    assert.equal(noWindow.refusal('10.0.0.1', 'alice'), undefined);
    assert.equal(throttle().throttle.enabled, true);
  });

  it('counts IPv6 addresses by their /64 and IPv4-mapped ones as IPv4', () => {
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('64:ff9b::192.0.2.7'), '64:ff9b:0:0::/64');

    const { throttle: t } = throttle();
    for (let i = 1; i <= 3; i++) t.failed(`2001:db8:1:2::${i.toString(16)}`, `guess-${i}`);
    assert.equal(t.refusal('2001:db8:1:2:dead:beef:0:1', undefined), 'address', 'another address of the same /64');
    assert.equal(t.refusal('2001:db8:1:3::1', undefined), undefined, 'the next /64');
    fail(t, 3, '::ffff:198.51.100.1');
    assert.equal(t.refusal('198.51.100.1', undefined), 'address');
  });

  it('holds at most maxBytes per table however many names and addresses fail, forgetting the oldest first', () => {
    const maxBytes = 64 * 1024;
    const { throttle: t, advance } = throttle({ maxBytes, failuresPerUser: 1, failuresPerAddress: 1 });
    t.failed('10.0.0.1', 'first-victim');
    for (let i = 0; i < 20_000; i++) {
      advance(1);
      t.failed(`2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`, `made-up-${i}`);
      assert.ok(t.bytes <= 2 * maxBytes, `${t.bytes} bytes after ${i + 1} failures`);
    }
    assert.ok(t.size < 2_000, `${t.size} entries`);
    assert.equal(t.refusal('10.0.0.1', 'first-victim'), undefined, 'the oldest were forgotten');
    assert.equal(t.refusal('10.0.0.2', 'made-up-19999'), 'username', 'the newest are still counted');
    assert.equal(t.refusal('2001:db8:0:4e1f::9', undefined), 'address');
  });

  it('counts a 64 KiB user name in a small entry', () => {
    const { throttle: t } = throttle({ maxBytes: 4096, failuresPerUser: 2 });
    const long = 'x'.repeat(65_535);
    fail(t, 2, '10.0.0.1', long);
    assert.ok(t.bytes < 1024, `${t.bytes} bytes`);
    assert.equal(t.refusal('10.0.0.2', long), 'username');
    assert.equal(t.refusal('10.0.0.2', `${long.slice(1)}y`), undefined, 'another long name');
  });

  it('forgets entries that have drained once newer failures come', () => {
    const { throttle: t, advance } = throttle();
    for (let i = 0; i < 100; i++) t.failed(`10.0.2.${i}`, `u${i}`);
    assert.equal(t.size, 200);
    advance(60_000);
    t.failed('10.0.3.1', 'late');
    assert.equal(t.size, 2);
  });
});

/** An authenticator that answers what it is told and counts how often it was asked. */
class Scripted implements Authenticator {
  calls = 0;
  constructor(public answer: () => Promise<AuthResult>) {}
  authenticate(): Promise<AuthResult> {
    this.calls++;
    return this.answer();
  }
}

const wrong = (): Promise<AuthResult> => Promise.resolve({ reasonCode: ReasonCode.BadUserNameOrPassword });
const credentials = (username: string | undefined, remoteAddress = '10.0.0.1', signal?: AbortSignal): Credentials => ({
  clientId: 'c',
  username,
  password: Buffer.from('guess'),
  remoteAddress,
  signal,
});

describe('ThrottledAuthenticator', () => {
  it('refuses with 0x9F Connection rate exceeded without asking the authenticator it wraps, once over a limit', async () => {
    const inner = new Scripted(wrong);
    const auth = new ThrottledAuthenticator(inner, throttle().throttle);
    for (let i = 0; i < 3; i++) assert.equal((await auth.authenticate(credentials(`n${i}`))).reasonCode, ReasonCode.BadUserNameOrPassword);
    assert.deepEqual(await auth.authenticate(credentials('n3')), { reasonCode: ReasonCode.ConnectionRateExceeded, throttled: 'address' });
    assert.equal(inner.calls, 3, 'the fourth cost no password check');
    inner.answer = () => Promise.resolve({ reasonCode: ReasonCode.Success, username: 'n4' });
    assert.equal((await auth.authenticate(credentials('n4', '10.0.0.2'))).reasonCode, ReasonCode.Success, 'another address gets in');
  });

  it('counts only wrong credentials: not 0x87, not 0x88, not an anonymous success', async () => {
    const { throttle: t } = throttle({ failuresPerAddress: 1 });
    const inner = new Scripted(() => Promise.resolve({ reasonCode: ReasonCode.NotAuthorized }));
    const auth = new ThrottledAuthenticator(inner, t);
    await auth.authenticate(credentials(undefined));
    inner.answer = () => Promise.resolve({ reasonCode: ReasonCode.ServerUnavailable });
    await auth.authenticate(credentials('alice'));
    inner.answer = () => Promise.resolve({ reasonCode: ReasonCode.Success, username: undefined });
    await auth.authenticate(credentials('made-up'));
    assert.equal(t.size, 0);
    inner.answer = wrong;
    await auth.authenticate(credentials('alice'));
    assert.equal(t.refusal('10.0.0.1', undefined), 'address');
  });

  it('forgets the user name\'s failures on its success', async () => {
    const { throttle: t } = throttle({ failuresPerAddress: 0, failuresPerUser: 2 });
    const inner = new Scripted(wrong);
    const auth = new ThrottledAuthenticator(inner, t);
    await auth.authenticate(credentials('alice'));
    inner.answer = () => Promise.resolve({ reasonCode: ReasonCode.Success, username: 'alice' });
    await auth.authenticate(credentials('alice'));
    inner.answer = wrong;
    await auth.authenticate(credentials('alice'));
    assert.equal(t.refusal('10.0.0.1', 'alice'), undefined, 'one failure since the success, of two allowed');
  });

  it('counts a check its client abandoned against the address, and passes the error on', async () => {
    const { throttle: t } = throttle({ failuresPerAddress: 1 });
    const abort = new AbortController();
    const inner = new Scripted(() => {
      abort.abort();
      return Promise.reject(new DOMException('cancelled', 'AbortError'));
    });
    const auth = new ThrottledAuthenticator(inner, t);
    await assert.rejects(auth.authenticate(credentials('alice', '10.0.0.1', abort.signal)), /cancelled/);
    assert.equal(t.refusal('10.0.0.1', undefined), 'address');
    inner.answer = () => Promise.reject(new Error('not an abort'));
    await assert.rejects(auth.authenticate(credentials('alice', '10.0.0.2')), /not an abort/);
    assert.equal(t.refusal('10.0.0.2', undefined), undefined);
  });
});
