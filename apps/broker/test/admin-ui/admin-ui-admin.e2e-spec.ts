import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { UserRepository } from '@nestmq/persistence';
import { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { DEFAULT_ADMIN_UI_DIR } from '../../src/admin/ui/admin-ui.service';
import { ADMIN, graphql, signIn } from '../support/admin-api';
import { Inbox, closed, connectClient, pubackCode, publish } from '../support/clients';
import { TestBroker, startTestBroker } from '../support/test-broker';
import { Browser, CHROMIUM, openBrowser, screenshot, setTheme } from './browser';
import { focused, openedDialog, screenshotBothThemes, signInThroughUi, tabTo } from './ui-support';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';
const SENSOR = { username: 'plant-7', password: 'pl4nt-seven' };
const VIEWER = { username: 'watcher', password: 'only-looking' };
const CLIENT_ID = 'ui-admin-sensor';
/** The file's rules come after the database's: here they allow everything, so only database rules refuse. */
const ACL_FILE = ['# read after the database rules', 'pattern readwrite #', `user ${SENSOR.username}`, 'topic read $SYS/#', ''].join('\n');

/** The topics of the database rules, top to bottom, as the page shows them. */
function ruleTopics(page: Page): Promise<string[]> {
  return page.locator('[data-testid="database-rules"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-topic') ?? ''));
}

describe('the admin UI in Chromium: access control, API keys, logs and settings', () => {
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  let base: string;
  let dir: string;
  let sensor: MqttClient | undefined;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    assert.ok(existsSync(join(DEFAULT_ADMIN_UI_DIR, 'index.html')), `the admin UI is not built in ${DEFAULT_ADMIN_UI_DIR}: npm run ui:build`);
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    dir = mkdtempSync(join(tmpdir(), 'nestmq-ui-acl-'));
    writeFileSync(join(dir, 'acl'), ACL_FILE);
    broker = await startTestBroker({ httpPort: 0, allowAnonymous: false }, { ADMIN_JWT_SECRET: SECRET, ACL_FILE: join(dir, 'acl') });
    const users = broker.app.get(UserRepository);
    await users.create({ username: SENSOR.username, password: SENSOR.password, roles: ['sensors'] });
    await users.create({ username: VIEWER.username, password: VIEWER.password, roles: ['viewer'] });
    base = `http://127.0.0.1:${broker.port('http')}`;
    browser = await openBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = browser.page;
    await signInThroughUi(page, base, ADMIN.username, ADMIN.password);
    await page.getByTestId('version').waitFor();
  });
  afterAll(async () => {
    for (const c of [sensor, ...clients]) c?.end(true);
    await browser?.close();
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('explains the order rules are read in, and lists the ACL file rules read-only with their lines', async () => {
    await page.getByRole('link', { name: 'ACL rules' }).click();
    await page.getByRole('heading', { name: 'ACL rules', level: 1 }).waitFor();
    await page.getByText('No database rule yet').waitFor();
    const file = page.getByTestId('file-rules');
    await file.getByText('file:2', { exact: true }).waitFor();
    await file.getByText('file:4', { exact: true }).waitFor();
    assert.match(await file.innerText(), /user plant-7/);
    assert.equal(await file.getByRole('button').count(), 0, 'file rules have no controls');
    assert.match(await page.getByText('first rule that applies').innerText(), /first rule that applies/);
    assert.equal(await page.getByTestId('no-match').innerText(), 'allow');
  });

  it('adds a deny rule that refuses a connected client’s next QoS 1 publish with 0x87, and deleting it allows it again', async () => {
    sensor = await connectClient(broker.url, { clientId: CLIENT_ID, username: SENSOR.username, password: SENSOR.password });
    assert.equal(await pubackCode(sensor, 'plant/7/temp'), 0);

    await page.getByTestId('new-rule').click();
    const dialog = await openedDialog(page);
    const topic = dialog.getByLabel('Topic');
    // The topic is checked as the broker checks it, before anything is sent.
    await topic.fill('plant/#/temp');
    await dialog.getByRole('textbox', { name: 'User name' }).click();
    await dialog.getByText('Not a topic filter').waitFor();
    await topic.fill('plant/7/#');
    await dialog.getByRole('textbox', { name: 'User name' }).fill(SENSOR.username);
    await dialog.getByLabel('Comment').fill('line 7 is under maintenance');
    await screenshot(page, 'acl-rule-dialog-light');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('tr[data-topic="plant/7/#"]');
    await row.waitFor();
    assert.match(await row.innerText(), /deny\s+publish\s+plant\/7\/#\s+user plant-7/);

    assert.equal(await pubackCode(sensor, 'plant/7/temp'), 0x87, 'refused from the next packet on');
    assert.equal(await pubackCode(sensor, 'plant/8/temp'), 0, 'other topics stay allowed');

    await page.getByRole('button', { name: 'Delete rule 1' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText('Delete rule 1?').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('No database rule yet').waitFor();
    assert.equal(await pubackCode(sensor, 'plant/7/temp'), 0, 'allowed again');
  });

  it('creates a rule for a role, and lists whom it applies to', async () => {
    await page.getByTestId('new-rule').click();
    const dialog = await openedDialog(page);
    await dialog.getByLabel('Topic').fill('plant/+/setpoint');
    await dialog.getByRole('textbox', { name: 'Role' }).fill('operators');
    await screenshot(page, 'acl-rule-dialog-role-light');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('tr[data-topic="plant/+/setpoint"]');
    await row.waitFor();
    assert.match(await row.innerText(), /deny\s+publish\s+plant\/\+\/setpoint\s+role operators/);

    await page.getByRole('button', { name: 'Delete rule 1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('moves a rule up, and the new order persists after a reload', async () => {
    const token = await signIn(broker);
    const api = graphql(broker);
    for (const [permission, topic] of [['allow', 'yard/#'], ['deny', 'yard/secret/#'], ['allow', 'dock/+/level']]) {
      const answer = await api(`mutation ($i: CreateAclRuleInput!) { createAclRule(input: $i) { id } }`, { i: { permission, action: 'subscribe', topic } }, token);
      assert.equal(answer.errors, undefined, answer.errors?.[0]?.message);
    }
    await page.reload();
    await page.locator('tr[data-topic="dock/+/level"]').waitFor();
    assert.deepEqual(await ruleTopics(page), ['yard/#', 'yard/secret/#', 'dock/+/level']);

    await page.getByRole('button', { name: 'Move rule 2 up' }).click();
    await page.waitForFunction(`document.querySelector('[data-testid="database-rules"] tbody tr')?.getAttribute('data-topic') === 'yard/secret/#'`);
    // The move is saved when the broker's list says so.
    await page.locator('tr[data-topic="yard/secret/#"] td.num', { hasText: '1' }).waitFor();
    await page.reload();
    await page.locator('tr[data-topic="dock/+/level"]').waitFor();
    assert.deepEqual(await ruleTopics(page), ['yard/secret/#', 'yard/#', 'dock/+/level']);
    await screenshotBothThemes(page, 'acl');
  });

  it('makes an API key shown once, which works as a Bearer token until it is revoked in the UI', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API key yet').waitFor();
    await page.getByTestId('new-key').click();
    const dialog = await openedDialog(page);
    await dialog.getByLabel('Name').fill('ci-deploy');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secretInput = page.getByTestId('api-key-secret');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    assert.match(secret, /^nmq_[A-Za-z0-9_-]{43}$/);
    await page.getByText('you will not see it again').waitFor();
    await page.getByTestId('copy-key').click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
    await screenshot(page, 'api-key-created-light');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    const url = `${base}/graphql`;
    const ask = () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ query: '{ brokerStatus { version } }' }) }).then(
        async (r) => JSON.parse(await r.text()) as { data?: { brokerStatus: { version: string } }; errors?: Array<{ extensions?: { code?: string } }> },
      );
    const first = await ask();
    assert.equal(first.errors, undefined);
    assert.match(first.data!.brokerStatus.version, /^\d+\.\d+\.\d+/);

    await page.reload();
    const row = page.locator('tr[data-key="ci-deploy"]');
    await row.getByTestId('key-uses').getByText('1', { exact: true }).waitFor();
    assert.equal(await row.getByTestId('key-state').innerText(), 'active');
    assert.match(await row.innerText(), /127\.0\.0\.1/);
    await screenshotBothThemes(page, 'api-keys');

    await page.getByRole('button', { name: 'Revoke ci-deploy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.getByTestId('key-state').getByText('revoked').waitFor();
    const refused = await ask();
    assert.equal(refused.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('shows the client’s connect, a refused login and a takeover in the session log, new events live at the top', async () => {
    // A wrong password, and the same client id connecting again (the first connection is taken over: kicked).
    await assert.rejects(connectClient(broker.url, { clientId: 'ui-admin-intruder', username: SENSOR.username, password: 'wrong' }), (e: { code?: number }) => e.code === 0x86);
    const gone = closed(sensor!);
    clients.push(await connectClient(broker.url, { clientId: CLIENT_ID, username: SENSOR.username, password: SENSOR.password }));
    await gone;

    await page.getByRole('link', { name: 'Session log' }).click();
    const events = page.getByTestId('session-events');
    await events.locator(`tr[data-action="kicked"][data-client="${CLIENT_ID}"]`).waitFor();
    await events.locator(`tr[data-action="connect"][data-client="${CLIENT_ID}"]`).first().waitFor();
    const refusal = events.locator('tr[data-action="connect_refused"][data-client="ui-admin-intruder"]');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /0x86 bad user name or password from [0-9.]+ \(local: unknown user name or wrong password\)/, "the decision and who made it");

    // Live: a refusal while the page is open comes in at the top without a reload.
    await assert.rejects(connectClient(broker.url, { clientId: 'ui-admin-live', username: 'nobody', password: 'nothing' }));
    await events.locator('tbody tr').first().and(page.locator('tr[data-client="ui-admin-live"]')).waitFor();
    await screenshotBothThemes(page, 'session-log');

    // Filtered to a kind, other kinds leave the list.
    await page.getByLabel('Kinds').click();
    await page.getByRole('option', { name: 'kicked (taken over)' }).click();
    await page.keyboard.press('Escape');
    await events.locator('tr[data-action="connect"]').first().waitFor({ state: 'detached' });
    assert.ok((await events.locator('tbody tr').count()) >= 1);
    assert.equal(await events.locator('tr:not([data-action="kicked"])').locator('td').count(), 0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await events.locator('tr[data-action="connect"]').first().waitFor();
  });

  it('shows the rule changes in the audit log, with before and after', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const entries = page.getByTestId('audit-entries');
    await entries.locator('li[data-action="createAclRule"]').first().waitFor();
    await entries.locator('li[data-action="deleteAclRule"]').first().waitFor();
    await entries.locator('li[data-action="revokeApiKey"]').waitFor();
    const move = entries.locator('li[data-action="updateAclRule"]');
    assert.match(await move.innerText(), /position 2 → 1/);
    await move.getByRole('button').click();
    const changed = move.locator('tr.changed');
    await changed.waitFor();
    assert.match(await changed.innerText(), /position\s+2\s+1/);
    await screenshotBothThemes(page, 'audit-log');
  });

  it('shows the settings and about the broker, without a secret', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const about = page.getByTestId('about');
    await about.waitFor();
    assert.match(await about.innerText(), /NestMQ \d+\.\d+\.\d+/);
    assert.match(await about.innerText(), /server|embedded/);
    assert.match(await page.locator('tr[data-setting="ADMIN_JWT_SECRET"]').innerText(), /set, hidden/);
    assert.match(await page.locator('tr[data-setting="ACL_FILE"]').innerText(), /2 rules loaded/);
    const text = await page.locator('main').innerText();
    for (const secret of [SECRET, ADMIN.password]) assert.ok(!text.includes(secret), 'a secret is on the page');
    await screenshotBothThemes(page, 'settings');
    await page.getByLabel('Search settings').fill('max_packet');
    await page.locator('tr[data-setting="MAX_PACKET_SIZE"]').waitFor();
    assert.equal(await page.locator('tr[data-setting]').count(), 1);
  });

  it('stops the MQTT listener from the dashboard after asking: new clients are refused, connected ones keep working; started again, new clients connect', async () => {
    const staying = await connectClient(broker.url, { clientId: 'ui-listener-staying', username: SENSOR.username, password: SENSOR.password });
    clients.push(staying);
    const inbox = new Inbox(staying);
    await staying.subscribeAsync('listeners/staying', { qos: 1 });
    const roundTrip = async () => {
      const count = inbox.messages.length + 1;
      await publish(staying, 'listeners/staying', `ping ${count}`, { qos: 1 });
      await inbox.waitFor(count);
    };
    const newClient = (clientId: string) => connectClient(broker.url, { clientId, username: SENSOR.username, password: SENSOR.password, connectTimeout: 2000 });

    await page.getByRole('link', { name: 'Dashboard' }).click();
    const address = `mqtt://127.0.0.1:${broker.mqttPort}`;
    const row = page.locator(`li[data-listener="mqtt:${broker.mqttPort}"]`);
    await row.getByTestId('listener-state').getByText('accepting').waitFor();
    // The connection count follows the clients (read again as the broker's counters move).
    await row.getByTestId('listener-connections').filter({ hasNotText: /^0$/ }).waitFor();
    const toggle = page.getByRole('switch', { name: `Accept connections on ${address}` });

    // Cancelled: nothing changes.
    await toggle.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Stop ${address}?`).waitFor();
    await screenshot(page, 'listener-stop-dialog-light');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await toggle.isChecked(), true);
    assert.equal(await row.getByTestId('listener-state').innerText(), 'accepting');

    await toggle.click();
    assert.equal(await dialog.getByRole('checkbox', { name: /Also disconnect its clients/ }).isChecked(), false);
    await dialog.getByRole('button', { name: 'Stop' }).click();
    await row.getByTestId('listener-state').getByText('stopped').waitFor();
    assert.equal(await toggle.isChecked(), false);
    await assert.rejects(newClient('ui-listener-refused'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    await roundTrip();
    await screenshotBothThemes(page, 'dashboard-listener-stopped');

    // The port taken by something else meanwhile: starting fails, and the page says why.
    const squatter: Server = createServer((s) => s.destroy());
    await new Promise<void>((resolve, reject) => squatter.once('error', reject).listen(broker.mqttPort, '127.0.0.1', () => resolve()));
    try {
      await toggle.click();
      const failure = page.getByTestId('listener-error');
      await failure.waitFor();
      assert.match(await failure.innerText(), new RegExp(`Could not start ${address}: `));
      await row.getByTestId('listener-state').getByText('stopped').waitFor();
      await page.waitForFunction(`document.querySelector('li[data-listener="mqtt:${broker.mqttPort}"] [role="switch"]')?.getAttribute('aria-checked') === 'false'`);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }

    await toggle.click();
    await row.getByTestId('listener-state').getByText('accepting').waitFor();
    await page.getByTestId('listener-error').waitFor({ state: 'detached' });
    clients.push(await newClient('ui-listener-newcomer'));
    await roundTrip();
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [link, ready, name] of [
        ['ACL rules', 'tr[data-topic="yard/#"]', 'acl-phone'],
        ['Session log', '[data-testid="session-events"]', 'session-log-phone'],
        ['Audit log', '[data-testid="audit-entries"]', 'audit-log-phone'],
        ['Settings', '[data-testid="about"]', 'settings-phone'],
      ] as const) {
        await page.getByRole('button', { name: 'Open navigation' }).click();
        await page.getByRole('link', { name: link }).click();
        await page.locator(ready).first().waitFor();
        await page.locator('mat-sidenav').waitFor({ state: 'hidden' });
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        assert.ok(overflow <= 0, `${link} is ${overflow}px wider than the phone`);
        await setTheme(page, 'dark');
        await screenshot(page, `${name}-dark`);
        await setTheme(page, 'light');
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('reaches the main controls with the keyboard alone: the login, then a list page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: 'Sign in to NestMQ' }).waitFor();
    // The login, in reading order: user name, password, sign in, then the theme.
    assert.deepEqual(await tabTo(page, 'User name'), ['User name']);
    assert.deepEqual(await tabTo(page, 'Switch to dark theme'), ['Password', 'Sign in', 'Switch to dark theme']);
    // Signing in without the mouse.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), 'User name');
    await page.keyboard.type(ADMIN.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByTestId('version').waitFor();

    // A list page: the skip link first, then the navigation, the toolbar, and the page's own controls.
    await page.goto(`${base}/clients`);
    await page.getByRole('link', { name: 'ui-listener-staying' }).waitFor();
    assert.deepEqual(await tabTo(page, 'Skip to content'), ['Skip to content']);
    const nav = await tabTo(page, 'Sign out');
    for (const name of ['Dashboard', 'Clients', 'Users', 'ACL rules', 'API keys', 'Settings', 'Switch to dark theme']) assert.ok(nav.includes(name), `Tab skips ${name}: ${nav.join(' | ')}`);
    const list = await tabTo(page, 'ui-listener-staying');
    for (const name of ['Search client id, user or address', 'Client id', 'User', 'Queued']) assert.ok(list.includes(name), `Tab skips ${name}: ${list.join(' | ')}`);
    // The skip link goes straight to the page; a sort header works with Enter.
    await page.goto(`${base}/clients`);
    await page.getByRole('link', { name: 'ui-listener-staying' }).waitFor();
    await tabTo(page, 'Skip to content');
    await page.keyboard.press('Enter');
    assert.deepEqual(await tabTo(page, 'Search client id, user or address'), ['Search client id, user or address'], 'the skip link leads to the page');
    assert.match(page.url(), /\/clients$/, 'the skip link stays on the page');
    await tabTo(page, 'Client id');
    await page.keyboard.press('Enter');
    await page.locator('[role="columnheader"][aria-sort="descending"]').getByText('Client id').waitFor();
  });

  it('shows a viewer no edit controls and no API keys', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await signInThroughUi(page, base, VIEWER.username, VIEWER.password);
    await page.getByTestId('version').waitFor();
    await page.getByRole('link', { name: 'Session log' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0);
    await page.locator(`li[data-listener="mqtt:${broker.mqttPort}"]`).getByText('accepting').waitFor();
    assert.equal(await page.getByRole('switch').count(), 0, 'a viewer cannot stop a listener');

    await page.getByRole('link', { name: 'ACL rules' }).click();
    await page.locator('tr[data-topic="yard/#"]').waitFor();
    assert.equal(await page.getByTestId('new-rule').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Move rule|Edit rule|Delete rule/ }).count(), 0);
    await screenshot(page, 'acl-viewer-light');

    await page.goto(`${base}/api-keys`);
    await page.getByTestId('version').waitFor();
    assert.match(page.url(), /\/$/);
  });
});
