import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ADMIN, graphql, signIn } from './support/admin-api';
import { TestBroker, startTestBroker } from './support/test-broker';

const INDEX = '<!doctype html><html><head><base href="/"></head><body><app-root></app-root><script src="main-ABCD1234.js" type="module"></script></body></html>';
const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A build of the UI as the broker finds it on disk: index.html, a hashed script, a plain file. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-ui-'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'main-ABCD1234.js'), 'console.log("ui");\n');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  mkdirSync(join(dir, 'media'));
  return dir;
}

describe('the admin UI at HTTP_PORT /', () => {
  let broker: TestBroker;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    dir = fakeBuild();
    broker = await startTestBroker({ httpPort: 0, adminUiDir: dir }, { ADMIN_JWT_SECRET: SECRET });
    base = `http://127.0.0.1:${broker.port('http')}`;
  });
  afterAll(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at /, revalidated on every visit', async () => {
    const response = await fetch(`${base}/`, { headers: HTML });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(await response.text(), INDEX);
  });

  it('serves index.html for a deep link, so the screen opens', async () => {
    for (const path of ['/clients/x', '/users', '/clients/a%2Fb']) {
      const response = await fetch(`${base}${path}`, { headers: HTML });
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), INDEX, path);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
    }
  });

  it('serves hashed assets with a year-long immutable cache, other files revalidated', async () => {
    const script = await fetch(`${base}/main-ABCD1234.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await script.text(), 'console.log("ui");\n');
    const icon = await fetch(`${base}/favicon.svg`);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
    const again = await fetch(`${base}/main-ABCD1234.js`, { headers: { 'if-none-match': script.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  it('answers 404, not the page, for a missing file a script or style asks for', async () => {
    const response = await fetch(`${base}/chunk-GONE1234.js`, { headers: { accept: '*/*' } });
    assert.equal(response.status, 404);
    await response.text();
  });

  it('never answers outside the build directory', async () => {
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const response = await fetch(`${base}${path}`, { headers: { accept: '*/*' } });
      assert.equal(response.status, 404, path);
      await response.text();
    }
  });

  it('leaves /graphql, /health, /ready, /metrics and /api/ to the API', async () => {
    const answer = await graphql(broker)<{ me: { username: string } }>('{ me { username } }', {}, await signIn(broker));
    assert.equal(answer.data?.me.username, ADMIN.username);
    const health = await fetch(`${base}/health`, { headers: HTML });
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(await health.text()), { status: 'ok' });
    const ready = await fetch(`${base}/ready`, { headers: HTML });
    assert.match(ready.headers.get('content-type') ?? '', /json/);
    await ready.text();
    const metrics = await fetch(`${base}/metrics`, { headers: HTML });
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /nestmq_/);
    // A browser's GET of /graphql is the API's to answer, never the UI's page.
    const get = await fetch(`${base}/graphql`, { headers: HTML });
    assert.notEqual(await get.text(), INDEX);
    const api = await fetch(`${base}/api/nothing-here`, { headers: HTML });
    assert.equal(api.status, 404);
    assert.notEqual(await api.text(), INDEX);
  });
});

describe('the admin UI when it is not built', () => {
  let broker: TestBroker;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestmq-ui-empty-'));
    broker = await startTestBroker({ httpPort: 0, adminUiDir: dir }, { ADMIN_JWT_SECRET: SECRET });
  });
  afterAll(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers / with a page that says how to build it, and the API still works', async () => {
    const base = `http://127.0.0.1:${broker.port('http')}`;
    const response = await fetch(`${base}/`, { headers: HTML });
    assert.equal(response.status, 503);
    assert.match(await response.text(), /npm run build --prefix apps\/admin-ui/);
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    await health.text();
  });
});
