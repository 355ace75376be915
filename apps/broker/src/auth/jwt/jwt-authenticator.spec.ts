import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { CryptoKey, JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AuthBackendError } from '../chain/chain-member';
import { JwtAuthenticator, JwtOptions } from './jwt-authenticator';

const BASE: Omit<JwtOptions, 'jwksUrl'> = {
  clockTolerance: 0,
  usernameClaim: 'sub',
  rolesClaim: 'roles',
  aclClaim: 'acl',
  expiry: 'disconnect',
  jwksRefreshInterval: 0,
  jwksTimeout: 2,
  jwksCacheMaxAge: 600,
};

async function ecKey(kid: string): Promise<{ kid: string; privateKey: CryptoKey; jwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

function sign(key: { kid: string; privateKey: CryptoKey }, claims: Record<string, unknown> = {}, exp = '1h'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setSubject('svc').setIssuedAt().setExpirationTime(exp).sign(key.privateKey);
}

const password = (token: string) => ({ clientId: 'c', username: 'u', password: Buffer.from(token), remoteAddress: '127.0.0.1' });

describe('JwtAuthenticator against a JWKS server of the test', () => {
  let server: Server;
  let url: string;
  let served: JWK[] = [];
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies with the key of the kid, and fetches the JWKS again when a token names a kid it has not seen (key rotation)', async () => {
    const k1 = await ecKey('k1');
    const k2 = await ecKey('k2');
    served = [k1.jwk];
    fetches = 0;
    const jwt = new JwtAuthenticator({ ...BASE, jwksUrl: url });
    const first = await jwt.check(password(await sign(k1, { roles: ['a', 'b'] })));
    assert.equal(first.kind, 'allow');
    assert.equal(first.kind === 'allow' && first.username, 'svc');
    assert.deepEqual(first.kind === 'allow' && first.roles, ['a', 'b']);
    assert.equal(fetches, 1);
    await jwt.check(password(await sign(k1)));
    assert.equal(fetches, 1, 'the JWKS is cached');
    served = [k2.jwk];
    const rotated = await jwt.check(password(await sign(k2)));
    assert.equal(rotated.kind, 'allow');
    assert.equal(fetches, 2, 'an unknown kid fetched the JWKS again');
  });

  it('fetches at most once per refresh interval, however many unknown kids are tried', async () => {
    const k1 = await ecKey('k1');
    served = [k1.jwk];
    fetches = 0;
    const jwt = new JwtAuthenticator({ ...BASE, jwksUrl: url, jwksRefreshInterval: 3600 });
    assert.equal((await jwt.check(password(await sign(k1)))).kind, 'allow');
    for (let i = 0; i < 20; i++) {
      const verdict = await jwt.check(password(await sign(await ecKey(`random-${i}`))));
      assert.deepEqual(verdict.kind === 'deny' && verdict.reasonCode, ReasonCode.BadUserNameOrPassword);
    }
    assert.equal(fetches, 1);
  });

  it('a JWKS server that cannot be reached is a backend failure, not a wrong token', async () => {
    const k1 = await ecKey('k1');
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/jwks.json`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const jwt = new JwtAuthenticator({ ...BASE, jwksUrl: deadUrl });
    await assert.rejects(jwt.check(password(await sign(k1))), (e: unknown) => e instanceof AuthBackendError && e.code === 'unreachable');
  });

  it('a password that is not a JWT is not its business', async () => {
    const jwt = new JwtAuthenticator({ ...BASE, secret: 'x'.repeat(32) });
    for (const p of ['secret', 'a.b.c', 'not.a.token!', '']) assert.equal((await jwt.check(password(p))).kind, 'ignore', p);
    assert.equal((await jwt.check({ clientId: 'c', remoteAddress: '127.0.0.1' })).kind, 'ignore');
  });

  it('refuses an ACL claim that is not lists of topic filters', async () => {
    const secret = 'x'.repeat(32);
    const jwt = new JwtAuthenticator({ ...BASE, secret });
    const token = await new SignJWT({ acl: { publish: ['a/#/b'] } }).setProtectedHeader({ alg: 'HS256' }).setSubject('s').setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    const verdict = await jwt.check(password(token));
    assert.equal(verdict.kind === 'deny' && verdict.reasonCode, ReasonCode.NotAuthorized);
  });
});
