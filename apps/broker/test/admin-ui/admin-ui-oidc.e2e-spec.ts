import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { DEFAULT_ADMIN_UI_DIR } from '../../src/admin/ui/admin-ui.service';
import { freePort } from '../support/broker-process';
import { TestOidcProvider, oidcSettings, startOidcProvider } from '../support/oidc-provider';
import { TestBroker, startTestBroker } from '../support/test-broker';
import { Browser, CHROMIUM, openBrowser, screenshot } from './browser';
import { screenshotBothThemes } from './ui-support';

const CLIENT_ID = 'nestmq-admin-ui';
/** Given, so that no token secret is written into a data directory (the PostgreSQL test database has none). */
const ADMIN_JWT_SECRET = 'oidc-e2e-admin-jwt-secret-of-32-characters';
const CLIENT_SECRET = 'ui-oidc-e2e-client-secret';

/** On the provider's own (development) pages: signs in as `login`, then allows the broker what it asks. */
async function signInAtProvider(page: Page, issuer: string, login: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password will do here');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('the admin UI in Chromium: single sign-on with OpenID Connect', () => {
  let provider: TestOidcProvider;
  let broker: TestBroker;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    assert.ok(existsSync(join(DEFAULT_ADMIN_UI_DIR, 'index.html')), `the admin UI is not built in ${DEFAULT_ADMIN_UI_DIR}: npm run ui:build`);
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${base}/api/v1/auth/oidc/callback` }, {
      alice: { sub: 'u-alice', preferred_username: 'alice', groups: ['mqtt-admins'] },
      carol: { sub: 'u-carol', preferred_username: 'carol', groups: ['staff'] },
    });
    broker = await startTestBroker({ httpPort: port, allowAnonymous: false }, {
      ADMIN_JWT_SECRET,
      ...oidcSettings(provider, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, base),
    });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    await provider?.close();
  });

  it('shows "Sign in with Test IdP" on the login page; clicking it signs in at the provider and lands on the dashboard', async () => {
    const { page } = browser;
    await page.goto(`${base}/login`);
    const button = page.getByRole('link', { name: 'Sign in with Test IdP' });
    await button.waitFor();
    await screenshotBothThemes(page, 'login-sso');
    await button.click();
    await signInAtProvider(page, provider.issuer, 'alice');
    await page.waitForURL(`${base}/`);
    await page.getByTestId('who').filter({ hasText: 'oidc:alice' }).waitFor();
    assert.match((await page.getByTestId('who').textContent()) ?? '', /oidc:alice\s*\(admin\)/);
    // The one-time code is gone from the address and from the history.
    assert.ok(!page.url().includes('code='));
    await page.getByRole('heading', { name: 'Dashboard' }).first().waitFor();
    await screenshot(page, 'dashboard-sso-light');
  });

  it('comes back to the login page saying why when the account has no role there', async () => {
    const { page } = browser;
    // Signed out here, and at the provider (which would otherwise sign alice in again without asking).
    await page.evaluate('localStorage.clear()');
    await browser.context.clearCookies();
    await page.goto(`${base}/login`);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await signInAtProvider(page, provider.issuer, 'carol');
    await page.waitForURL(`${base}/login?sso_error=no_role`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent())?.trim(), 'Your Test IdP account has neither the admin nor the viewer role on this broker. Ask an administrator to grant you one.');
    await screenshot(page, 'login-sso-no-role-light');
  });
});
