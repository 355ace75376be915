import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { LiveFeed } from '../../src/admin/live/live-feed';
import { DEFAULT_ADMIN_UI_DIR } from '../../src/admin/ui/admin-ui.service';
import { ADMIN, graphql, signIn } from '../support/admin-api';
import { connectClient, eventually, publish } from '../support/clients';
import { TestBroker, startTestBroker } from '../support/test-broker';
import { Browser, CHROMIUM, openBrowser, screenshot, setTheme } from './browser';
import { overflow, screenshotBothThemes, signInThroughUi } from './ui-support';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';
const SENSOR = { username: 'sensor-user', password: 'sensor-pass' };
const VIEWER = { username: 'data-viewer', password: 'only-reading' };
const PUBLISHER = 'data-pub';
const OFFLINE = 'offline-sub';
const TEMP = 'plant/7/temp';
const PROPERTIES = { contentType: 'application/json', userProperties: { site: 'north' } };

/**
 * The data screens in Chromium against a real broker: sessions, topics, live messages, history, stored
 * and retained messages, as an admin and as a viewer, with screenshots of each, light and dark.
 */
describe('the admin UI data screens in Chromium', () => {
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ReturnType<typeof graphql>;
  let token: string;
  let publisher: MqttClient;
  const clients: MqttClient[] = [];

  /** Whether the broker's live feed has a watcher on this filter (the page's subscription is up). */
  const watched = (filter: string) => (broker.app.get(LiveFeed) as unknown as { watchers: Array<{ filter: string }> }).watchers.some((w) => w.filter === filter);

  /** A persistent session subscribed to `filter` at QoS 1, left offline. */
  async function offlineSession(clientId: string, filter: string): Promise<void> {
    const c = await connectClient(broker.url, { clientId, ...SENSOR, clean: false, properties: { sessionExpiryInterval: 600 } });
    await c.subscribeAsync(filter, { qos: 1 });
    await c.endAsync();
  }

  beforeAll(async () => {
    assert.ok(existsSync(join(DEFAULT_ADMIN_UI_DIR, 'index.html')), `the admin UI is not built in ${DEFAULT_ADMIN_UI_DIR}: npm run ui:build`);
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    broker = await startTestBroker({ httpPort: 0, allowAnonymous: false }, { ADMIN_JWT_SECRET: SECRET });
    base = `http://127.0.0.1:${broker.port('http')}`;
    api = graphql(broker);
    token = await signIn(broker);
    for (const user of [{ ...SENSOR, roles: ['sensors'] }, { ...VIEWER, roles: ['viewer'] }]) {
      const created = await api(`mutation ($input: CreateUserInput!) { createUser(input: $input) { username } }`, { input: user }, token);
      assert.equal(created.errors, undefined);
    }
    publisher = await connectClient(broker.url, { clientId: PUBLISHER, ...SENSOR });
    clients.push(publisher);
    browser = await openBrowser();
    page = browser.page;
    await signInThroughUi(page, base, ADMIN.username, ADMIN.password);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await browser?.close();
    await broker?.close();
  });

  it('shows a topic in the tree once a message is recorded on it, and its last messages arriving live', async () => {
    await page.getByRole('link', { name: 'Topics' }).click();
    await page.getByText('No topic yet').waitFor();
    const subscriber = await connectClient(broker.url, { clientId: 'dashboard-1', ...SENSOR });
    clients.push(subscriber);
    await subscriber.subscribeAsync('plant/+/temp', { qos: 1 });
    await publish(publisher, TEMP, '{"t":21.5}', { qos: 1, properties: PROPERTIES });
    // Read again when the broker's counters move: no reload.
    const row = page.locator(`tr[data-topic="${TEMP}"]`);
    await row.getByRole('link', { name: 'temp' }).waitFor();
    assert.match(await row.innerText(), /dashboard-1 · 1/);
    await screenshotBothThemes(page, 'topics');

    await row.getByRole('link', { name: 'temp' }).click();
    await page.waitForURL(/\/topics\/view\?topic=plant%2F7%2Ftemp$/);
    const latest = page.getByTestId('latest');
    await latest.getByText('{"t":21.5}').waitFor();
    await eventually(() => watched(TEMP), 10_000, 'the topic page to watch its topic');
    await publish(publisher, TEMP, '{"t":22.25}', { qos: 0 });
    await latest.getByText('{"t":22.25}').waitFor();
    assert.equal(await latest.locator('tbody tr').count(), 2);
    // Newest first.
    assert.match(await latest.locator('tbody tr').first().innerText(), /22\.25/);
    await page.getByRole('cell', { name: 'plant/+/temp' }).waitFor();
    await page.getByTestId('publish-form').waitFor();
    await screenshotBothThemes(page, 'topic');

    // Admins publish from the page.
    await page.getByLabel('Payload').fill('from the admin');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText(`Published to ${TEMP}`).waitFor();
  });

  it('asks before watching every topic, then shows messages live, paused and resumed, with their properties', async () => {
    await page.getByRole('link', { name: 'Live messages' }).click();
    await page.getByText('Enter a topic filter').waitFor();
    // A filter SUBSCRIBE would refuse is refused here, with why.
    await page.getByLabel('Topic filter').fill('plant/#/temp');
    await page.getByTestId('watch').click();
    await page.getByRole('alert').getByText('# stands alone as the last level').waitFor();
    assert.match(page.url(), /\/live$/);
    await page.getByLabel('Topic filter').fill('#');
    await page.getByTestId('watch').click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText('Watch every topic (#)?').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.match(page.url(), /\/live$/);

    await page.getByLabel('Topic filter').fill('plant/#');
    await page.getByTestId('watch').click();
    await page.waitForURL(/\/live\?filter=plant%2F%23$/);
    await eventually(() => watched('plant/#'), 10_000, 'the page to watch plant/#');
    await publish(publisher, TEMP, '{"t":23}', { qos: 1, retain: true, properties: PROPERTIES });
    const list = page.getByTestId('live-list');
    await list.getByText('{"t":23}').waitFor();
    const first = list.locator('li').filter({ hasText: '{"t":23}' });
    assert.match(await first.innerText(), /QoS 1/);
    assert.match(await first.innerText(), /retain/);
    assert.match(await first.innerText(), /2 properties/);
    assert.match(await first.innerText(), new RegExp(PUBLISHER));

    await page.getByTestId('pause').click();
    await publish(publisher, 'plant/7/humidity', '{"h":40}');
    await page.getByTestId('live-stats').getByText('1 held while paused').waitFor();
    assert.equal(await list.getByText('{"h":40}').count(), 0);
    await page.getByTestId('pause').click();
    await list.getByText('{"h":40}').waitFor();
    assert.match(await list.locator('li').first().innerText(), /plant\/7\/humidity/);

    // Payloads as pretty JSON, then in hex.
    await page.getByRole('radio', { name: 'JSON' }).click();
    await list.getByText('"h": 40').waitFor();
    await screenshotBothThemes(page, 'live');
    await page.getByRole('radio', { name: 'Hex' }).click();
    await list.getByText('7b 22 68 22').waitFor();
    await page.getByRole('radio', { name: 'Text' }).click();

    await first.getByRole('button', { name: TEMP }).click();
    const dialog = page.getByRole('dialog');
    const properties = dialog.getByTestId('properties');
    await properties.getByText('application/json').waitFor();
    assert.match(await properties.innerText(), /User property: site\s+north/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('finds the message in the history with the search filters, and opens it in full', async () => {
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByTestId('history-table').waitFor();
    await page.getByLabel('Topic filter').fill('plant/+/temp');
    await page.getByLabel('Client id').fill(PUBLISHER);
    await page.getByLabel('User', { exact: true }).fill(SENSOR.username);
    await page.getByLabel('Payload contains').fill('21.5');
    await page.getByTestId('search').click();
    await page.waitForURL(/text=21\.5/);
    const table = page.getByTestId('history-table');
    await table.locator('tbody tr').first().waitFor();
    assert.equal(await table.locator('tbody tr').count(), 1);
    assert.match(await table.innerText(), /\{"t":21\.5\}/);
    await screenshotBothThemes(page, 'history');

    await table.getByRole('button', { name: TEMP }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('properties').getByText('application/json').waitFor();
    // The payload opens as pretty JSON.
    assert.match(await dialog.getByTestId('payload').innerText(), /"t": 21\.5/);
    await screenshot(page, 'history-message-light');
    await dialog.getByRole('radio', { name: 'Hex' }).click();
    await dialog.getByTestId('payload').getByText('7b 22 74 22').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    // A search that finds nothing says so.
    await page.getByLabel('Payload contains').fill('no such text');
    await page.getByTestId('search').click();
    await page.getByText('No recorded message matches this search.').waitFor();
  });

  it('shows an offline session owed QoS 1 messages under Stored messages and in Sessions, with its expiry ticking', async () => {
    await offlineSession(OFFLINE, 'cmd/#');
    for (let i = 1; i <= 3; i++) await publish(publisher, `cmd/valve/${i}`, `open ${i}`, { qos: 1, properties: i === 2 ? PROPERTIES : undefined });

    // The dashboard charts them, a point a second.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('img', { name: /^Queued messages, last 15 min: queued now 3, in flight now 0$/ }).waitFor();
    await page.getByRole('img', { name: /^History lag, last 15 min: lag now \d+(\.\d)? s$/ }).waitFor();
    await screenshotBothThemes(page, 'dashboard-queued');

    await page.getByRole('link', { name: 'Stored messages' }).click();
    const owing = page.locator(`[data-owing="${OFFLINE}"]`);
    await owing.waitFor();
    assert.match(await owing.innerText(), /0 in flight · 3 queued/);
    await owing.click();
    await page.waitForURL(new RegExp(`/stored\\?clientId=${OFFLINE}$`));
    const stored = page.getByTestId('stored-table');
    await stored.getByText('open 3').waitFor();
    assert.equal(await stored.locator('tbody tr').count(), 3);
    assert.equal(await stored.getByText('queued').count(), 3);
    await screenshotBothThemes(page, 'stored');
    // A stored message in full, with the MQTT 5.0 properties it was published with.
    await stored.getByRole('button', { name: 'cmd/valve/2' }).click();
    const dialog = page.getByRole('dialog');
    const properties = dialog.getByTestId('properties');
    await properties.getByText('application/json').waitFor();
    assert.match(await properties.innerText(), /User property: site\s+north/);
    assert.match(await dialog.innerText(), /State\s+queued/);
    await screenshot(page, 'stored-message-light');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await stored.getByRole('button', { name: 'cmd/valve/1' }).click();
    await dialog.getByText('MQTT 5.0 properties').waitFor();
    assert.equal(await dialog.getByTestId('properties').count(), 0, 'none published: none shown');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Sessions' }).click();
    const row = page.locator(`tr[data-session="${OFFLINE}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId('queued').innerText(), '3');
    assert.match(await row.innerText(), /offline/);
    const expires = row.getByTestId('expires');
    const before = await expires.innerText();
    assert.match(before, /^(9 min \d+ s|10 min 0 s)$/);
    // Ticks on the client, without asking the broker.
    await expires.filter({ hasNotText: before }).waitFor();
    // The publisher's own session is not persistent: not listed.
    assert.equal(await page.locator(`tr[data-session="${PUBLISHER}"]`).count(), 0);
    await screenshotBothThemes(page, 'sessions');

    await row.getByRole('link', { name: OFFLINE }).click();
    await page.getByTestId('session-state').getByText('offline').waitFor();
    await page.getByRole('cell', { name: 'cmd/#' }).waitFor();
    assert.equal(await page.getByTestId('counts').innerText(), '0 / 3');
    await page.getByText('Messages owed (3)').waitFor();
    await screenshotBothThemes(page, 'session');
  });

  it('deletes the offline session after asking, and it is gone over GraphQL too', async () => {
    await page.getByRole('link', { name: 'Back to sessions' }).click();
    const row = page.locator(`tr[data-session="${OFFLINE}"]`);
    await row.getByRole('button', { name: `Delete the session of ${OFFLINE}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    const answer = await api<{ session: unknown }>(`query ($c: String!) { session(clientId: $c) { clientId } }`, { c: OFFLINE }, token);
    assert.equal(answer.data?.session, null);
    await page.getByText('No persistent session.').waitFor();
  });

  it('lists retained messages and clears them from the UI, gone over GraphQL too', async () => {
    for (const [topic, payload] of [['status/a', 'online'], ['status/b', 'offline'], ['status/c', 'online']]) await publish(publisher, topic!, payload!, { qos: 1, retain: true });
    await page.getByRole('link', { name: 'Retained' }).click();
    await page.getByLabel('Topic filter').fill('status/#');
    await page.locator(`tr[data-retained="${TEMP}"]`).waitFor({ state: 'detached' });
    for (const t of ['a', 'b', 'c']) await page.locator(`tr[data-retained="status/${t}"]`).waitFor();
    assert.equal(await page.locator('tr[data-retained]').count(), 3);
    await screenshotBothThemes(page, 'retained');

    await page.getByRole('checkbox', { name: 'Select status/a' }).check();
    await page.getByRole('checkbox', { name: 'Select status/b' }).check();
    await page.getByTestId('clear-selected').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Clear 2 retained messages?').waitFor();
    await dialog.getByRole('button', { name: 'Clear' }).click();
    await page.locator('tr[data-retained="status/a"]').waitFor({ state: 'detached' });
    await page.locator('tr[data-retained="status/b"]').waitFor({ state: 'detached' });
    const retained = () => api<{ retainedMessages: { total: number; messages: Array<{ topic: string }> } }>(`{ retainedMessages(filter: "status/#") { total messages { topic } } }`, {}, token);
    assert.deepEqual((await retained()).data?.retainedMessages.messages.map((m) => m.topic), ['status/c']);

    await page.getByRole('button', { name: 'Clear the retained message of status/c' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear' }).click();
    await page.getByText('No retained message matches status/#.').waitFor();
    assert.equal((await retained()).data?.retainedMessages.total, 0);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [path, heading, shot] of [
        ['/sessions', 'Sessions', null],
        ['/topics', 'Topics', 'topics-phone'],
        [`/topics/view?topic=${encodeURIComponent(TEMP)}`, TEMP, 'topic-phone'],
        ['/live?filter=plant%2F%23', 'Live messages', null],
        ['/history', 'History', 'history-phone'],
        ['/stored', 'Stored messages', null],
        ['/retained', 'Retained', null],
      ] as const) {
        await page.goto(`${base}${path}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.locator('app-page-state [role="status"][aria-live="polite"]').waitFor({ state: 'detached' });
        if (shot) await screenshot(page, `${shot}-light`);
        assert.ok((await overflow(page)) <= 0, `${path} is wider than the phone`);
      }
      await setTheme(page, 'dark');
      await screenshot(page, 'retained-phone-dark');
      await setTheme(page, 'light');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('shows a viewer no delete, clear or publish controls', async () => {
    await offlineSession('viewer-sees-me', 'cmd/#');
    await publish(publisher, 'status/d', 'kept', { qos: 1, retain: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await signInThroughUi(page, base, VIEWER.username, VIEWER.password);
    assert.match(await page.getByTestId('who').innerText(), /data-viewer \(viewer\)/);

    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.locator('tr[data-session="viewer-sees-me"]').waitFor();
    assert.equal(await page.getByRole('button', { name: /Delete the session/ }).count(), 0);
    await page.getByRole('link', { name: 'viewer-sees-me' }).click();
    await page.getByTestId('session-state').waitFor();
    assert.equal(await page.getByTestId('delete-session').count(), 0);

    await page.getByRole('link', { name: 'Retained' }).click();
    await page.locator('tr[data-retained="status/d"]').waitFor();
    assert.equal(await page.getByRole('checkbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Clear/ }).count(), 0);

    await page.goto(`${base}/topics/view?topic=${encodeURIComponent(TEMP)}`);
    await page.getByTestId('latest').waitFor();
    assert.equal(await page.getByTestId('publish-form').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Publish' }).count(), 0);
  });
});
