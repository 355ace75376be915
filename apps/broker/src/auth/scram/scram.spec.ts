import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { ScramCredentials, deriveScramCredentials, formatScramCredentials, parseScramCredentials } from '@nestmq/persistence';
import { ScramClient } from '@nestmq/mqtt-protocol/scram-client';
import { LoginThrottle } from '../login-throttle';
import type { ExchangeStep } from '../enhanced/enhanced-auth';
import { ScramExchange, ScramUserSource } from './scram-exchange';
import { madeUpCredentials, proofMatches, serverSignature } from './scram-keys';
import { ScramMessageError, decodeBase64, parseClientFinal, parseClientFirst } from './scram-messages';

// RFC 7677 §3: the SCRAM-SHA-256 example exchange.
const RFC = {
  password: 'pencil',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};
const NONCE = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';

const errorOf = (x: unknown): string => (x instanceof ScramMessageError ? x.value : 'accepted');

describe('SCRAM-SHA-256 messages and keys (RFC 5802, RFC 7677)', () => {
  it('reproduces the RFC 7677 example: the proof is accepted and the server signature is the one it shows', async () => {
    const first = parseClientFirst(Buffer.from(RFC.clientFirst));
    assert.ok(!(first instanceof ScramMessageError));
    assert.deepEqual(first, { gs2Header: 'n,,', username: 'user', clientNonce: 'rOprNGfwEbeRWgbNEkqO', bare: 'n=user,r=rOprNGfwEbeRWgbNEkqO' });
    const final = parseClientFinal(Buffer.from(RFC.clientFinal), 'n,,', NONCE);
    assert.ok(!(final instanceof ScramMessageError));
    const credentials = await deriveScramCredentials(RFC.password, 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const authMessage = `${first.bare},${RFC.serverFirst},${final.withoutProof}`;
    assert.equal(proofMatches(credentials, authMessage, final.proof), true);
    assert.equal(`v=${serverSignature(credentials, authMessage).toString('base64')}`, RFC.serverFinal);
    const wrong = await deriveScramCredentials('pencil!', 4096, credentials.salt);
    assert.equal(proofMatches(wrong, authMessage, final.proof), false);
    const flipped = Buffer.from(final.proof);
    flipped[0] ^= 1;
    assert.equal(proofMatches(credentials, authMessage, flipped), false);
  });

  it('stores credentials in PostgreSQL\'s text form and reads them back; anything else reads as none', async () => {
    const c = await deriveScramCredentials('secret', 4096);
    const text = formatScramCredentials(c);
    assert.match(text, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(parseScramCredentials(text), c);
    for (const bad of [null, undefined, '', 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5', '$2b$04$abc', 'SCRAM-SHA-1$4096:c2FsdA==$x:y']) {
      assert.equal(parseScramCredentials(bad), undefined, String(bad));
    }
    await assert.rejects(deriveScramCredentials('x', 4095), RangeError);
  });

  it('reads saslnames with =2C and =3D, normalized with NFKC', () => {
    const first = parseClientFirst(Buffer.from('y,,n=a=2Cb=3Dc,r=xyz'));
    assert.ok(!(first instanceof ScramMessageError));
    assert.equal(first.username, 'a,b=c');
    assert.equal(first.gs2Header, 'y,,');
    const nfkc = parseClientFirst(Buffer.from('n,,n=\uFB01le,r=abc'));
    assert.equal((nfkc as { username: string }).username, 'file', 'the ligature is read as its letters');
  });

  it('refuses every malformed client-first-message with the e= value RFC 5802 names, never by throwing', () => {
    const cases: Array<[string | Buffer | undefined, string]> = [
      [undefined, 'invalid-encoding'],
      ['', 'invalid-encoding'],
      ['p=tls-unique,,n=user,r=abc', 'channel-binding-not-supported'],
      ['x,,n=user,r=abc', 'invalid-encoding'],
      ['n,a=admin,n=user,r=abc', 'other-error'],
      ['n,,m=ext,n=user,r=abc', 'extensions-not-supported'],
      ['n,,u=user,r=abc', 'invalid-encoding'],
      ['n,,n=user', 'invalid-encoding'],
      ['n,,n=,r=abc', 'invalid-username-encoding'],
      ['n,,n=a=b,r=abc', 'invalid-username-encoding'],
      ['n,,n=user,r=', 'invalid-encoding'],
      ['n,,n=user,r=ab\u00e9', 'invalid-encoding'],
      ['n,,n=user,x=abc', 'invalid-encoding'],
      ['n,,n=user,r=abc,x=more', 'extensions-not-supported'],
      ['n,,n=us\0er,r=abc', 'invalid-encoding'],
      [Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xff, 0x2c, 0x72, 0x3d, 0x61]), 'invalid-encoding'],
      [`n,,n=${'u'.repeat(5000)},r=abc`, 'invalid-encoding'],
    ];
    for (const [input, expected] of cases) {
      const data = input === undefined ? undefined : Buffer.isBuffer(input) ? input : Buffer.from(input);
      assert.equal(errorOf(parseClientFirst(data)), expected, JSON.stringify(input));
    }
  });

  it('refuses every malformed client-final-message: channel binding, nonce, proof, base64', () => {
    const proof = Buffer.alloc(32, 7).toString('base64');
    const cases: Array<[string, string]> = [
      [`c=biws,r=${NONCE},p=${proof}`, 'accepted'],
      [`c=eSws,r=${NONCE},p=${proof}`, 'channel-bindings-dont-match'],
      [`c=biws,r=${NONCE}x,p=${proof}`, 'invalid-proof'],
      [`c=biws,r=rOprNGfwEbeRWgbNEkqO,p=${proof}`, 'invalid-proof'],
      [`c=biws,r=${NONCE},p=${Buffer.alloc(31).toString('base64')}`, 'invalid-encoding'],
      [`c=biws,r=${NONCE},p=${proof.slice(0, -1)}`, 'invalid-encoding'],
      [`c=biws,r=${NONCE},p=${proof.replace(/.$/, '!')}`, 'invalid-encoding'],
      [`c=bi ws,r=${NONCE},p=${proof}`, 'invalid-encoding'],
      [`c=biws,r=${NONCE},x=1,p=${proof}`, 'extensions-not-supported'],
      [`c=biws,r=${NONCE}`, 'invalid-encoding'],
      [`r=${NONCE},c=biws,p=${proof}`, 'invalid-encoding'],
      [`c=biws,r=${NONCE},p=${'A'.repeat(8000)}`, 'invalid-encoding'],
    ];
    for (const [input, expected] of cases) assert.equal(errorOf(parseClientFinal(Buffer.from(input), 'n,,', NONCE)), expected, input);
  });

  it('reads strict base64 only', () => {
    assert.deepEqual(decodeBase64('biws'), Buffer.from('n,,'));
    for (const bad of ['biw', 'bi=s', 'b!ws', 'biws\n', 'biws====', '_-ws']) assert.equal(decodeBase64(bad), undefined, bad);
  });

  it('makes up the same salt and keys for a name every time, different for another name or secret', () => {
    const a = madeUpCredentials(Buffer.alloc(32, 1), 'ghost', 4096);
    assert.deepEqual(madeUpCredentials(Buffer.alloc(32, 1), 'ghost', 4096), a);
    assert.equal(a.salt.length, 16);
    assert.notDeepEqual(madeUpCredentials(Buffer.alloc(32, 1), 'ghost2', 4096).salt, a.salt);
    assert.notDeepEqual(madeUpCredentials(Buffer.alloc(32, 2), 'ghost', 4096).salt, a.salt);
  });
});

/** A user table of the test's own: `alice` knows "wonderland". */
async function users(): Promise<ScramUserSource & { credentials: ScramCredentials }> {
  const credentials = await deriveScramCredentials('wonderland', 4096);
  return {
    credentials,
    lookup: (name) => Promise.resolve(name === 'alice' ? { credentials, known: true } : { credentials: madeUpCredentials(Buffer.alloc(32, 9), name, 4096), known: false }),
  };
}

const context = { clientId: 'c', remoteAddress: '10.0.0.1' };

describe('ScramExchange: the server side of one exchange', () => {
  it('lets the right password in with the server signature the client expects, against a client written apart from it', async () => {
    const exchange = new ScramExchange(await users(), null, context);
    const client = new ScramClient('alice', 'wonderland');
    const first = await exchange.step(client.first());
    assert.equal(first.kind, 'continue');
    const final = await exchange.step(client.final((first as { data: Buffer }).data));
    assert.equal(final.kind, 'success');
    assert.equal((final as { username: string }).username, 'alice');
    assert.equal(client.serverIsAuthentic((final as { data?: Buffer }).data), true);
    assert.equal((await exchange.step(Buffer.from('more'))).kind, 'failure', 'nothing after the end');
  });

  it('answers an unknown name as a wrong password: a salt, the usual iterations, then 0x86 e=invalid-proof, with one reason', async () => {
    const source = await users();
    const outcomes: ExchangeStep[] = [];
    for (const [name, password] of [['alice', 'wrong'], ['nobody', 'wonderland']]) {
      const exchange = new ScramExchange(source, null, context);
      const client = new ScramClient(name, password);
      const first = await exchange.step(client.first());
      assert.equal(first.kind, 'continue');
      assert.equal(client.salt, undefined);
      const final = await exchange.step(client.final((first as { data: Buffer }).data));
      assert.equal(client.salt!.length, 16);
      assert.equal(client.iterations, 4096);
      outcomes.push(final);
    }
    for (const o of outcomes) {
      assert.equal(o.kind, 'failure');
      if (o.kind !== 'failure') continue;
      assert.equal(o.reasonCode, ReasonCode.BadUserNameOrPassword);
      assert.equal(o.data?.toString(), 'e=invalid-proof');
    }
    const answer = (o: ExchangeStep) => ({ ...o, username: undefined });
    assert.deepEqual(answer(outcomes[0]), answer(outcomes[1]), 'the same answer, the same decision, only the name claimed differs');
  });

  it('counts failed proofs in the login throttle, refuses a throttled name with 0x9F before looking it up, and forgives on success', async () => {
    const throttle = new LoginThrottle({ failuresPerAddress: 0, failuresPerUser: 2, windowMs: 60_000, maxBytes: 65536 });
    const source = await users();
    let lookups = 0;
    const counting: ScramUserSource = { lookup: (n) => (lookups++, source.lookup(n)) };
    const attempt = async (password: string) => {
      const exchange = new ScramExchange(counting, throttle, context);
      const client = new ScramClient('alice', password);
      const first = await exchange.step(client.first());
      if (first.kind !== 'continue') return first;
      return exchange.step(client.final(first.data));
    };
    assert.equal((await attempt('right?')).kind, 'failure');
    assert.equal((await attempt('wonderland')).kind, 'success', 'one failure of two allowed');
    await attempt('x');
    await attempt('y');
    const before = lookups;
    const refused = await attempt('wonderland');
    assert.equal(refused.kind === 'failure' && refused.reasonCode, ReasonCode.ConnectionRateExceeded);
    assert.equal(refused.kind === 'failure' && refused.throttled, 'username');
    assert.equal(lookups, before, 'refused before its credentials were looked up');
  });

  it('refuses a malformed message with 0x87 and its e= value, and does not count it as a guess', async () => {
    const throttle = new LoginThrottle({ failuresPerAddress: 1, failuresPerUser: 1, windowMs: 60_000, maxBytes: 65536 });
    const exchange = new ScramExchange(await users(), throttle, context);
    const step = await exchange.step(Buffer.from('p=tls-server-end-point,,n=alice,r=abc'));
    assert.equal(step.kind, 'failure');
    if (step.kind === 'failure') {
      assert.equal(step.reasonCode, ReasonCode.NotAuthorized);
      assert.equal(step.data?.toString(), 'e=channel-binding-not-supported');
    }
    assert.equal(throttle.refusal('10.0.0.1', 'alice'), undefined);
    const second = new ScramExchange(await users(), throttle, context);
    const client = new ScramClient('alice', 'wonderland');
    const first = await second.step(client.first());
    const final = await second.step(client.final((first as { data: Buffer }).data, { nonce: 'someone-elses-nonce' }));
    assert.equal(final.kind === 'failure' && final.reasonCode, ReasonCode.NotAuthorized);
  });

  it('answers 0x88, counted as a backend failure, when the users cannot be read', async () => {
    const unavailable: ScramUserSource = { lookup: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) };
    const step = await new ScramExchange(unavailable, null, context).step(new ScramClient('alice', 'x').first());
    assert.equal(step.kind === 'failure' && step.reasonCode, ReasonCode.ServerUnavailable);
    assert.equal(step.kind === 'failure' && step.backendFailed, true);
  });

  it('answers 0x88 when the users table does not answer in time, and goes on', async () => {
    const hanging: ScramUserSource = { lookup: () => new Promise(() => undefined) };
    const step = await new ScramExchange(hanging, null, context, 50).step(new ScramClient('alice', 'x').first());
    assert.equal(step.kind === 'failure' && step.reasonCode, ReasonCode.ServerUnavailable);
    assert.match(step.kind === 'failure' ? step.decision!.reason : '', /^timeout: .*50 ms/);
  });

  it('refuses a re-authentication for another user than the connected one', async () => {
    const exchange = new ScramExchange(await users(), null, { ...context, reauthenticating: { username: 'bob' } });
    const step = await exchange.step(new ScramClient('alice', 'wonderland').first());
    assert.equal(step.kind === 'failure' && step.reasonCode, ReasonCode.NotAuthorized);
  });
});
