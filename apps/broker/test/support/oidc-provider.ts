import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
// ESM only: Jest turns it into CommonJS (jest.config.js transformIgnorePatterns).
import Provider from 'oidc-provider';

/** A user of the test provider, by the login name typed on its sign-in page. */
export interface TestAccount {
  sub: string;
  preferred_username: string;
  groups: string[];
}

export interface TestClient {
  clientId: string;
  /** Undefined: a public client (PKCE alone). */
  clientSecret?: string;
  redirectUri: string;
}

export interface TestOidcProvider {
  issuer: string;
  close(): Promise<void>;
}

/**
 * An OpenID Connect provider (panva's oidc-provider) in this process, on an ephemeral port of 127.0.0.1,
 * with one registered client and the given accounts. Its sign-in and consent pages are the package's
 * development ones: any password is accepted for a known login name, which is what a test needs.
 * `groups` are released with the `groups` scope, from the UserInfo endpoint (not in the ID token).
 */
export async function startOidcProvider(client: TestClient, accounts: Record<string, TestAccount>): Promise<TestOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const configuration = {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig' }] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    clients: [
      {
        client_id: client.clientId,
        ...(client.clientSecret === undefined ? { token_endpoint_auth_method: 'none' } : { client_secret: client.clientSecret, token_endpoint_auth_method: 'client_secret_post' }),
        redirect_uris: [client.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['preferred_username'], groups: ['groups'] },
    // PKCE on every authorization request, S256 only: a client that forgot it would fail here.
    pkce: { required: () => true },
    cookies: { keys: ['oidc-test-provider-cookie-key'] },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts[id];
      if (account === undefined) return undefined;
      return { accountId: id, claims: () => ({ ...account }) };
    },
  };
  // It warns, as it starts, that its in-memory store and development pages are not for production: true, and known.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => (String(args[0]).includes('oidc-provider WARNING') ? undefined : warn(...args));
  let provider: Provider;
  try {
    provider = new Provider(issuer, configuration);
  } finally {
    console.warn = warn;
  }
  server.on('request', provider.callback());
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A broker's single sign-on settings for a test provider: the client it registered, the broker at `base`,
 * groups `mqtt-admins` and `mqtt-viewers` for the two roles, the button labelled "Test IdP".
 */
export function oidcSettings(provider: TestOidcProvider, client: { clientId: string; clientSecret: string }, base: string): Record<string, string> {
  return {
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: client.clientId,
    OIDC_CLIENT_SECRET: client.clientSecret,
    OIDC_PUBLIC_URL: base,
    OIDC_SCOPES: 'openid profile groups',
    OIDC_ADMIN_VALUES: 'mqtt-admins',
    OIDC_VIEWER_VALUES: 'mqtt-viewers',
    OIDC_LABEL: 'Test IdP',
  };
}
