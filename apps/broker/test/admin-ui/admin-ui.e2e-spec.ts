import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { DatabaseOptions } from '@nestmq/persistence';
import { DatabaseKind, createTestDatabase, databaseKinds, defaultDatabaseKind, removeDataDir } from '@nestmq/persistence/testing';
import mqtt, { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { DEFAULT_ADMIN_UI_DIR } from '../../src/admin/ui/admin-ui.service';
import { ADMIN, graphql, signIn } from '../support/admin-api';
import { TestBroker, startBrokerOn } from '../support/test-broker';
import { Browser, CHROMIUM, openBrowser, screenshot, setTheme } from './browser';
import { openedDialog, screenshotBothThemes, signInThroughUi, waitOrSay } from './ui-support';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';
const USER = { username: 'plant-7', password: 'pl4nt-seven' };
const VIEWER = { username: 'watcher', password: 'only-looking' };
const CLIENT_ID = 'ui-e2e-sensor';


/**
 * The broker's database: a fresh database on the PostgreSQL server of TEST_DATABASE_URL, or the embedded
 * one the broker starts itself in an empty DATA_DIR, as a deployment without DATABASE_URL does.
 */
async function database(kind: DatabaseKind): Promise<{ options: DatabaseOptions; drop(): Promise<void> }> {
  if (kind === 'postgres') return createTestDatabase('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-ui-e2e-'));
  return { options: { dataDir: dir }, drop: () => removeDataDir(dir) };
}

async function connect(url: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId: CLIENT_ID, username: USER.username, password: USER.password, protocolVersion: 5, reconnectPeriod: 0, clean: false, properties: { sessionExpiryInterval: 300 } });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync('plant/7/#', { qos: 1 });
  return client;
}

/** The main flow on each database the run has: the embedded one always, PostgreSQL when TEST_DATABASE_URL is set (CI). */
for (const kind of databaseKinds()) {
  describe(`the admin UI in Chromium (${kind} database)`, () => {
    /** Screenshots on one database only: the screens are the same on the other. */
    const pictures = kind === defaultDatabaseKind();
    let db: { options: DatabaseOptions; drop(): Promise<void> } | undefined;
    let broker: TestBroker;
    let browser: Browser;
    let page: Page;
    let base: string;
    let client: MqttClient | undefined;

    beforeAll(async () => {
      assert.ok(existsSync(join(DEFAULT_ADMIN_UI_DIR, 'index.html')), `the admin UI is not built in ${DEFAULT_ADMIN_UI_DIR}: npm run ui:build`);
      assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
      db = await database(kind);
      broker = await startBrokerOn(db.options, { httpPort: 0, allowAnonymous: false }, { ADMIN_JWT_SECRET: SECRET });
      base = `http://127.0.0.1:${broker.port('http')}`;
      browser = await openBrowser();
      page = browser.page;
    });
    afterAll(async () => {
      client?.end(true);
      await browser?.close();
      await broker?.close();
      await db?.drop();
    });

    it('sends a visitor who is not signed in to the login, and says plainly when the password is wrong', async () => {
      await page.goto(`${base}/clients`);
      await page.waitForURL(/\/login\?next=%2Fclients$/);
      if (pictures) await screenshot(page, 'login-light');
      await page.getByLabel('User name').fill(ADMIN.username);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const error = page.getByTestId('login-error');
      await error.waitFor();
      assert.match(await error.innerText(), /Wrong user name or password/);
      if (pictures) {
        await setTheme(page, 'dark');
        await screenshot(page, 'login-dark');
        await setTheme(page, 'light');
      }
    });

    it('signs in, goes where the visitor was headed, and stays signed in across a reload', async () => {
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/clients$/);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await page.getByText('No client is connected').waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      assert.match(page.url(), /\/clients$/);
    });

    it('shows the dashboard with the version, the listeners and live counters', async () => {
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByTestId('version').waitFor();
      assert.match(await page.getByTestId('version').innerText(), /NestMQ \d+\.\d+\.\d+ · up/);
      await page.getByText(`mqtt://127.0.0.1:${broker.mqttPort}`).waitFor();
      assert.match(await page.getByTestId('database').innerText(), kind === 'embedded' ? /^embedded: / : /^server: /);
      // The charts appear once brokerMetrics has ticked twice over the subscription socket.
      await page.getByRole('img', { name: /Messages per second/ }).waitFor();
      for (const chart of ['Connections', 'Drops per second', 'Queued messages', 'History recording per second', 'History lag']) {
        await page.getByRole('img', { name: new RegExp(`^${chart}, last 15 min`) }).waitFor();
      }
      await page.getByText('Live', { exact: true }).waitFor();
      if (pictures) await screenshotBothThemes(page, 'dashboard');
    });

    it('creates an MQTT user', async () => {
      await page.getByRole('link', { name: 'Users' }).click();
      await page.locator('tr[data-user="admin"]').waitFor();
      await page.getByTestId('new-user').click();
      const dialog = await openedDialog(page);
      await dialog.getByLabel('User name').fill(USER.username);
      await dialog.getByLabel('Password').fill(USER.password);
      await dialog.getByLabel('Roles').fill('sensors');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await waitOrSay(page, page.locator(`tr[data-user="${USER.username}"]`).getByText('sensors'), 'the new user\'s row');
      await dialog.waitFor({ state: 'detached' });
      if (pictures) await screenshotBothThemes(page, 'users');
    });

    it('shows a client that connects as that user without a reload, and its page', async () => {
      await page.getByRole('link', { name: 'Clients' }).click();
      await page.getByText('No client is connected').waitFor();
      client = await connect(broker.url);
      const link = page.getByRole('link', { name: CLIENT_ID });
      await link.waitFor();
      const row = page.getByRole('row').filter({ has: link });
      assert.match(await row.innerText(), new RegExp(USER.username));
      if (pictures) await screenshotBothThemes(page, 'clients');

      await link.click();
      await page.waitForURL(new RegExp(`/clients/${CLIENT_ID}$`));
      await page.getByTestId('client-state').getByText('connected', { exact: true }).waitFor();
      await page.getByRole('cell', { name: 'plant/7/#' }).waitFor();
      assert.equal(await page.getByTestId('messages-in').innerText(), '0');
      // Its traffic: read again within 5 s while the page is open, no reload.
      const echoed = new Promise<void>((resolve) => client!.once('message', () => resolve()));
      await client!.publishAsync('plant/7/temp', '21.5', { qos: 1 });
      await echoed;
      await page.getByTestId('messages-in').getByText('1', { exact: true }).waitFor({ timeout: 12_000 });
      await page.getByTestId('messages-out').getByText('1', { exact: true }).waitFor({ timeout: 12_000 });
      assert.match(await page.getByTestId('bytes-in').innerText(), /^\d+(\.\d)? (B|KiB)$/);
      assert.notEqual(await page.getByTestId('bytes-out').innerText(), '0 B');
      if (pictures) await screenshotBothThemes(page, 'client');
    });

    it('kicks the client after asking, and it leaves the list', async () => {
      const closed = new Promise<void>((resolve) => client!.once('close', () => resolve()));
      await page.getByTestId('kick').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText(`Disconnect ${CLIENT_ID}?`).waitFor();
      // Cancel first: nothing happens.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(client!.connected, true);
      await page.getByTestId('kick').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
      await closed;
      await page.getByTestId('client-state').getByText('not connected').waitFor();
      await page.getByRole('link', { name: 'Back to clients' }).click();
      await page.getByText('No client is connected').waitFor();
      assert.equal(await page.getByRole('link', { name: CLIENT_ID }).count(), 0);
    });

    it('fits a phone screen, with the navigation in a drawer', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await page.getByRole('button', { name: 'Open navigation' }).click();
        await page.getByRole('link', { name: 'Dashboard' }).click();
        await page.getByTestId('version').waitFor();
        if (pictures) {
          await setTheme(page, 'dark');
          await screenshot(page, 'dashboard-phone-dark');
          await setTheme(page, 'light');
        }
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    it('signs out, and a viewer sees no edit controls', async () => {
      const api = graphql(broker);
      const created = await api(`mutation ($input: CreateUserInput!) { createUser(input: $input) { username } }`, { input: { ...VIEWER, roles: ['viewer'] } }, await signIn(broker));
      assert.equal(created.errors, undefined);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login$/);
      await signInThroughUi(page, base, VIEWER.username, VIEWER.password);
      await page.getByTestId('version').waitFor();
      assert.match(await page.getByTestId('who').innerText(), /watcher \(viewer\)/);

      await page.getByRole('link', { name: 'Users' }).click();
      await page.locator(`tr[data-user="${USER.username}"]`).waitFor();
      assert.equal(await page.getByTestId('new-user').count(), 0);
      assert.equal(await page.getByRole('switch').count(), 0);
      assert.equal(await page.getByRole('button', { name: /Actions for/ }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /Import|Export/ }).count(), 0);

      client = await connect(broker.url);
      await page.getByRole('link', { name: 'Clients' }).click();
      await page.getByRole('link', { name: CLIENT_ID }).click();
      await page.getByTestId('client-state').getByText('connected', { exact: true }).waitFor();
      assert.equal(await page.getByTestId('kick').count(), 0);
    });
  });
}
