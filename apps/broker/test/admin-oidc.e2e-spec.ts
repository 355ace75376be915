import assert from 'node:assert/strict';
import { createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { AdminTokens } from '../src/admin/auth/admin-tokens';
import { ADMIN, errorCode, graphql, signIn } from './support/admin-api';
import { freePort } from './support/broker-process';
import { TestAccount, TestOidcProvider, oidcSettings, startOidcProvider } from './support/oidc-provider';
import { TestBroker, startTestBroker } from './support/test-broker';

const CLIENT_ID = 'nestmq-admin';
/** Given, so that no token secret is written into a data directory (the PostgreSQL test database has none). */
const ADMIN_JWT_SECRET = 'oidc-e2e-admin-jwt-secret-of-32-characters';
const CLIENT_SECRET = 'oidc-e2e-client-secret-5c1d0a';

const ACCOUNTS: Record<string, TestAccount> = {
  alice: { sub: 'u-alice', preferred_username: 'alice', groups: ['staff', 'mqtt-admins'] },
  bob: { sub: 'u-bob', preferred_username: 'bob', groups: ['mqtt-viewers'] },
  carol: { sub: 'u-carol', preferred_username: 'carol', groups: ['staff'] },
};

const TOKENS = 'accessToken refreshToken expiresAt account { username role }';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  account: { username: string; role: string };
}

/**
 * A browser without a screen: follows redirects by hand, keeps cookies (by path; as browsers do, not by
 * port), and fills the provider's sign-in and consent forms as a person would.
 */
class FormBrowser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  /** GET without following redirects: the status and the Location. */
  async get(url: string): Promise<{ status: number; location?: string; body: string }> {
    return this.send(url, { method: 'GET' });
  }

  /**
   * Starts at `url` and goes where the answers send it, signing in as `login` on the provider's page
   * (or cancelling there), until a redirect leaves for `stopAt`: returns that address.
   */
  async run(url: string, stopAt: string, login: string, options: { cancel?: boolean; beforeCallback?: (url: string) => void } = {}): Promise<URL> {
    let next = url;
    for (let hops = 0; hops < 20; hops++) {
      if (next.startsWith(stopAt) && !next.includes('/api/v1/auth/oidc/')) return new URL(next);
      if (next.includes('/api/v1/auth/oidc/callback')) options.beforeCallback?.(next);
      const answer = await this.get(next);
      if (answer.location !== undefined) {
        next = new URL(answer.location, next).href;
        continue;
      }
      assert.equal(answer.status, 200, `${next} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      const action = /<form[^>]*action="([^"]+)"/.exec(answer.body)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(answer.body)?.[1];
      assert.ok(action !== undefined && prompt !== undefined, `no form on ${next}`);
      if (options.cancel) {
        next = new URL(`${new URL(action, next).pathname}/abort`, next).href;
        continue;
      }
      const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
      const posted = await this.send(new URL(action, next).href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
      assert.ok(posted.location !== undefined, `posting ${prompt} answered ${posted.status}: ${posted.body.slice(0, 300)}`);
      next = new URL(posted.location, next).href;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  forget(): void {
    this.cookies.clear();
  }

  private async send(url: string, init: RequestInit): Promise<{ status: number; location?: string; body: string }> {
    const path = new URL(url).pathname;
    const cookie = [...this.cookies].filter(([, c]) => path.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const pathAttribute = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='));
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      const name = pair.slice(0, eq).trim();
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value: pair.slice(eq + 1).trim(), path: pathAttribute?.slice(5) ?? '/' });
    }
    return { status: response.status, location: response.headers.get('location') ?? undefined, body: await response.text() };
  }
}

describe('admin single sign-on with OpenID Connect', () => {
  let provider: TestOidcProvider;
  let broker: TestBroker;
  let base: string;
  let gql: ReturnType<typeof graphql>;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${base}/api/v1/auth/oidc/callback` }, ACCOUNTS);
    broker = await startTestBroker({ httpPort: port }, {
      ADMIN_JWT_SECRET,
      ...oidcSettings(provider, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, base),
      OIDC_ROLE_CLAIM: 'groups',
    });
    gql = graphql(broker);
  });
  afterAll(async () => {
    await broker?.close();
    await provider?.close();
  });

  /** Signs in at the provider; the address the broker sent the browser back to, on the admin UI. */
  const signInAt = (login: string, browser = new FormBrowser()): Promise<URL> => browser.run(`${base}/api/v1/auth/oidc/login`, base, login);

  const exchange = (code: string) => gql<{ oidcSignIn: Tokens }>(`mutation ($code: String!) { oidcSignIn(code: $code) { ${TOKENS} } }`, { code });

  async function tokensOf(login: string): Promise<Tokens> {
    const landed = await signInAt(login);
    assert.equal(landed.pathname, '/login/sso', `landed on ${landed.href}`);
    const answer = await exchange(landed.searchParams.get('code')!);
    assert.ok(answer.data, JSON.stringify(answer.errors));
    return answer.data.oidcSignIn;
  }

  it('tells the login page that single sign-on exists, and under which name, before anyone signs in', async () => {
    const answer = await gql<{ signInMethods: unknown }>('{ signInMethods { password oidc { label loginUrl } } }');
    assert.deepEqual(answer.data?.signInMethods, { password: true, oidc: { label: 'Test IdP', loginUrl: `${base}/api/v1/auth/oidc/login` } });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce, and ties it to the browser with a cookie', async () => {
    const answer = await fetch(`${base}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(answer.status, 302);
    const to = new URL(answer.headers.get('location')!);
    assert.equal(to.origin, provider.issuer);
    assert.equal(to.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(to.searchParams.get('redirect_uri'), `${base}/api/v1/auth/oidc/callback`);
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    assert.match(to.searchParams.get('code_challenge')!, /^[\w-]{43}$/);
    assert.ok(to.searchParams.get('state')!.length >= 32 && to.searchParams.get('nonce')!.length >= 32);
    assert.match(answer.headers.get('set-cookie')!, /^nestmq_oidc=[\w-]{43}; Path=\/api\/v1\/auth\/oidc; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it('signs an admin in end to end: one-time code, tokens of the broker, the admin role, audit entries as oidc:<name>', async () => {
    const tokens = await tokensOf('alice');
    assert.deepEqual(tokens.account, { username: 'oidc:alice', role: 'admin' });
    const me = await gql<{ me: unknown }>('{ me { username role } }', {}, tokens.accessToken);
    assert.deepEqual(me.data?.me, { username: 'oidc:alice', role: 'admin' });
    const created = await gql('mutation { createUser(input: { username: "sso-made", password: "pw-123456", roles: [] }) { username } }', {}, tokens.accessToken);
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const audit = await gql<{ auditLog: { entries: Array<{ actor: string; action: string; target: string }> } }>('{ auditLog(first: 5) { entries { actor action target } } }', {}, tokens.accessToken);
    assert.deepEqual(audit.data?.auditLog.entries[0], { actor: 'oidc:alice', action: 'createUser', target: 'sso-made' });
  });

  it('signs a viewer in, who may read but is refused an admin mutation', async () => {
    const tokens = await tokensOf('bob');
    assert.deepEqual(tokens.account, { username: 'oidc:bob', role: 'viewer' });
    const read = await gql<{ brokerStatus: unknown }>('{ me { username } }', {}, tokens.accessToken);
    assert.equal(read.errors, undefined);
    const write = await gql('mutation { createUser(input: { username: "not-by-bob", password: "pw-123456", roles: [] }) { username } }', {}, tokens.accessToken);
    assert.equal(errorCode(write), 'FORBIDDEN');
  });

  it('refreshes an SSO login though the user has no row in the users table; a spent refresh token ends it', async () => {
    const tokens = await tokensOf('alice');
    const refreshed = await gql<{ refreshToken: Tokens }>(`mutation ($t: String!) { refreshToken(token: $t) { ${TOKENS} } }`, { t: tokens.refreshToken });
    assert.ok(refreshed.data, JSON.stringify(refreshed.errors));
    assert.deepEqual(refreshed.data.refreshToken.account, { username: 'oidc:alice', role: 'admin' });
    const again = await gql<{ refreshToken: Tokens }>(`mutation ($t: String!) { refreshToken(token: $t) { ${TOKENS} } }`, { t: refreshed.data.refreshToken.refreshToken });
    assert.ok(again.data, JSON.stringify(again.errors));
    const me = await gql<{ me: unknown }>('{ me { username role } }', {}, again.data.refreshToken.accessToken);
    assert.deepEqual(me.data?.me, { username: 'oidc:alice', role: 'admin' });
    const reused = await gql(`mutation ($t: String!) { refreshToken(token: $t) { accessToken } }`, { t: tokens.refreshToken });
    assert.equal(errorCode(reused), 'UNAUTHENTICATED');
    const ended = await gql('{ me { username } }', {}, again.data.refreshToken.accessToken);
    assert.equal(errorCode(ended), 'UNAUTHENTICATED');
  });

  it('ends an SSO login at OIDC_SESSION_LIFETIME: a refresh past it is refused, and the login is over', async () => {
    const tokens = await tokensOf('bob');
    // The same refresh token, its grant run out (signed with the broker's key: only the end is changed).
    const claims = decodeJwt(tokens.refreshToken) as { sub: string; sid: string; jti: string; role: 'viewer' };
    const spent = await AdminTokens.fromSecret(ADMIN_JWT_SECRET).refresh(claims.sub, { session: claims.sid, refreshId: claims.jti, grant: { role: claims.role, until: Math.floor(Date.now() / 1000) - 1 } });
    const refused = await gql(`mutation ($t: String!) { refreshToken(token: $t) { accessToken } }`, { t: spent });
    assert.equal(errorCode(refused), 'UNAUTHENTICATED');
    assert.match(refused.errors![0].message, /single sign-on login has reached its end/);
    assert.equal(errorCode(await gql('{ me { username } }', {}, tokens.accessToken)), 'UNAUTHENTICATED');
  });

  it('takes the one-time code once: used again, or made up, it is refused', async () => {
    const landed = await signInAt('alice');
    const code = landed.searchParams.get('code')!;
    assert.ok((await exchange(code)).data);
    const second = await exchange(code);
    assert.equal(errorCode(second), 'UNAUTHENTICATED');
    assert.match(second.errors![0].message, /not valid, has expired or was already used/);
    assert.equal(errorCode(await exchange('made-up-code')), 'UNAUTHENTICATED');
  });

  it('refuses a callback replayed, with no state, with a state of its own, or from another browser', async () => {
    const browser = new FormBrowser();
    let callback = '';
    const landed = await browser.run(`${base}/api/v1/auth/oidc/login`, base, 'alice', { beforeCallback: (url) => (callback = url) });
    assert.equal(landed.pathname, '/login/sso');
    assert.match(callback, /[?&]code=.*&state=|[?&]state=.*&code=/);
    const expired = `${base}/login?sso_error=expired`;
    assert.equal((await browser.get(callback)).location, expired, 'the same callback a second time');
    const withoutState = new URL(callback);
    withoutState.searchParams.delete('state');
    assert.equal((await browser.get(withoutState.href)).location, expired, 'no state');
    const otherState = new URL(callback);
    otherState.searchParams.set('state', 'a-state-nobody-issued');
    assert.equal((await browser.get(otherState.href)).location, expired, 'an unknown state');

    // A sign-in started in one browser and finished in another (login CSRF): the cookie does not match.
    let stolen = '';
    const victim = new FormBrowser();
    const attacker = new FormBrowser();
    await attacker.run(`${base}/api/v1/auth/oidc/login`, base, 'bob', {
      beforeCallback: (url) => {
        stolen = url;
        throw new Error('stop before the callback');
      },
    }).catch(() => undefined);
    assert.ok(stolen !== '');
    assert.equal((await victim.get(stolen)).location, expired, 'another browser');
  });

  it('says the answer could not be verified when the provider refuses the code (expired, made up or spent)', async () => {
    const browser = new FormBrowser();
    let callback = '';
    await browser
      .run(`${base}/api/v1/auth/oidc/login`, base, 'alice', {
        beforeCallback: (url) => {
          callback = url;
          throw new Error('stop before the callback');
        },
      })
      .catch(() => undefined);
    const forged = new URL(callback);
    forged.searchParams.set('code', 'a-code-the-provider-never-issued');
    assert.equal((await browser.get(forged.href)).location, `${base}/login?sso_error=rejected`);
  });

  it('refuses a user whose claims give no role, with a reason the login page can show, and no code', async () => {
    const landed = await signInAt('carol');
    assert.equal(landed.href, `${base}/login?sso_error=no_role`);
  });

  it('says the user cancelled when the provider answers access_denied', async () => {
    const landed = await new FormBrowser().run(`${base}/api/v1/auth/oidc/login`, base, 'alice', { cancel: true });
    assert.equal(landed.href, `${base}/login?sso_error=cancelled`);
  });

  it('keeps password sign-in working beside it', async () => {
    assert.ok(await signIn(broker, ADMIN.username, ADMIN.password));
  });

  it('logs why a sign-in was refused, and never the client secret, a code or a token', async () => {
    const lines: string[] = [];
    const spies = (['log', 'warn', 'error', 'debug'] as const).map((level) => jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))));
    try {
      const browser = new FormBrowser();
      let callback = '';
      const landed = await browser.run(`${base}/api/v1/auth/oidc/login`, base, 'alice', { beforeCallback: (url) => (callback = url) });
      const tokens = await exchange(landed.searchParams.get('code')!);
      assert.equal((await signInAt('carol')).searchParams.get('sso_error'), 'no_role');
      const logged = lines.join('\n');
      assert.match(logged, /single sign-on refused for oidc:carol: the claim groups gives neither the admin nor the viewer role/);
      const secrets = [CLIENT_SECRET, landed.searchParams.get('code')!, new URL(callback).searchParams.get('code')!, new URL(callback).searchParams.get('state')!, tokens.data!.oidcSignIn.accessToken, tokens.data!.oidcSignIn.refreshToken];
      for (const secret of secrets) assert.ok(!logged.includes(secret), `the log holds ${secret.slice(0, 8)}...`);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('shows the client secret in brokerSettings only as set', async () => {
    const token = await signIn(broker);
    const answer = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ brokerSettings { name value isDefault secret } }' }),
    });
    const text = await answer.text();
    assert.ok(!text.includes(CLIENT_SECRET), 'the client secret is in the answer');
    const settings = (JSON.parse(text) as { data: { brokerSettings: Array<{ name: string }> } }).data.brokerSettings;
    assert.deepEqual(settings.find((s) => s.name === 'OIDC_CLIENT_SECRET'), { name: 'OIDC_CLIENT_SECRET', value: null, isDefault: false, secret: true });
    assert.deepEqual(settings.find((s) => s.name === 'OIDC_ISSUER'), { name: 'OIDC_ISSUER', value: provider.issuer, isDefault: false, secret: false });
  });
});

describe('admin single sign-on: a public client, and a provider that goes away mid sign-in', () => {
  let provider: TestOidcProvider;
  let broker: TestBroker;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // No client secret: the broker proves itself to the token endpoint with PKCE alone.
    provider = await startOidcProvider({ clientId: CLIENT_ID, redirectUri: `${base}/api/v1/auth/oidc/callback` }, ACCOUNTS);
    broker = await startTestBroker({ httpPort: port }, { ADMIN_JWT_SECRET, OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_PUBLIC_URL: base, OIDC_SCOPES: 'openid groups', OIDC_ADMIN_VALUES: 'mqtt-admins', OIDC_TIMEOUT: '5' });
  });
  afterAll(async () => {
    await broker?.close();
    await provider?.close();
  });

  it('signs a user in as a public client, named by sub when the provider gives no preferred_username', async () => {
    const landed = await new FormBrowser().run(`${base}/api/v1/auth/oidc/login`, base, 'alice');
    assert.equal(landed.pathname, '/login/sso', landed.href);
    const answer = await graphql(broker)<{ oidcSignIn: Tokens }>(`mutation ($code: String!) { oidcSignIn(code: $code) { ${TOKENS} } }`, { code: landed.searchParams.get('code') });
    assert.deepEqual(answer.data?.oidcSignIn.account, { username: 'oidc:u-alice', role: 'admin' });
  });

  it('says the provider is unavailable when its token endpoint is gone by the time the browser comes back', async () => {
    const browser = new FormBrowser();
    let callback = '';
    await browser
      .run(`${base}/api/v1/auth/oidc/login`, base, 'bob', {
        beforeCallback: (url) => {
          callback = url;
          throw new Error('stop before the callback');
        },
      })
      .catch(() => undefined);
    assert.ok(callback !== '');
    await provider.close();
    assert.equal((await browser.get(callback)).location, `${base}/login?sso_error=unavailable`);
  });
});

describe('admin single sign-on: a provider that cannot be reached', () => {
  let silent: TcpServer;
  const held = new Set<Socket>();
  let broker: TestBroker;
  let base: string;

  beforeAll(async () => {
    // Accepts connections and never answers: only the timeout ends a request to it.
    silent = createTcpServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    broker = await startTestBroker({ httpPort: port }, {
      ADMIN_JWT_SECRET,
      OIDC_ISSUER: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_PUBLIC_URL: base,
      OIDC_TIMEOUT: '1',
    });
  });
  afterAll(async () => {
    await broker?.close();
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('answers within its timeout with the login page saying the provider is unavailable, never a 500', async () => {
    const started = Date.now();
    const answer = await fetch(`${base}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), `${base}/login?sso_error=unavailable`);
    // OIDC_TIMEOUT is one second; far less than a client's own timeout, however busy the machine.
    assert.ok(Date.now() - started < 30_000);
    assert.ok(held.size >= 1, 'the broker never asked the provider');
  });

  it('asks the provider again only after a pause, however many sign-ins come meanwhile', async () => {
    const login = async (): Promise<string | null> => (await fetch(`${base}/api/v1/auth/oidc/login`, { redirect: 'manual' })).headers.get('location');
    // This one may find the failure of the test before still remembered, or ask (and wait out the timeout).
    assert.equal(await login(), `${base}/login?sso_error=unavailable`);
    const asked = held.size;
    for (let i = 0; i < 10; i++) assert.equal(await login(), `${base}/login?sso_error=unavailable`);
    assert.ok(held.size <= asked + 1, `${held.size - asked} more connections to the provider for 10 sign-ins`);
  });

  it('still offers single sign-on, so it works once the provider is back', async () => {
    const answer = await graphql(broker)<{ signInMethods: { oidc: { label: string } } }>('{ signInMethods { oidc { label } } }');
    assert.deepEqual(answer.data?.signInMethods.oidc, { label: 'SSO' });
  });
});

describe('admin single sign-on: not configured', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET });
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('offers no button, and its routes answer 404', async () => {
    const answer = await graphql(broker)<{ signInMethods: unknown }>('{ signInMethods { password oidc { label } } }');
    assert.deepEqual(answer.data?.signInMethods, { password: true, oidc: null });
    const login = await fetch(`http://127.0.0.1:${broker.port('http')}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(login.status, 404);
    assert.match(await login.text(), /single sign-on is not configured/);
    const exchanged = await graphql(broker)('mutation { oidcSignIn(code: "x") { accessToken } }');
    assert.equal(errorCode(exchanged), 'UNAUTHENTICATED');
  });
});
