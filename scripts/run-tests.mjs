#!/usr/bin/env node
// Runs every compiled spec (`*.spec.js` beside the code, `*.e2e-spec.js` under apps/*/test) with Node's
// test runner. Arguments narrow the run to files whose path contains one of them.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(e2e-)?spec\.js$/.test(name)) yield path;
  }
}

const files = [];
for (const top of ["libs", "apps"]) {
  try { statSync(join(root, top)); } catch { continue; }
  for (const project of readdirSync(join(root, top), { withFileTypes: true })) {
    if (!project.isDirectory()) continue;
    for (const file of walk(join(root, top, project.name, 'dist'))) {
      const rel = relative(root, file);
      if (filters.length === 0 || filters.some((f) => rel.includes(f))) files.push(rel);
    }
  }
}
if (files.length === 0) {
  console.error('no compiled spec files found: run `npm run build` first');
  process.exit(1);
}
// One embedded PostgreSQL server for the whole run, where database suites create their databases.
const { startEmbeddedTestServer } = await import(join(root, 'libs/persistence/dist/testing/test-database.js'));
const server = await startEmbeddedTestServer();
let status;
try {
  const env = { ...process.env, TEST_EMBEDDED_URL: server.url };
  status = spawnSync(process.execPath, ['--test', ...files], { cwd: root, stdio: 'inherit', env }).status;
} finally {
  await server.close();
}
process.exit(status ?? 1);
