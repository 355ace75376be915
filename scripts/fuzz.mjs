#!/usr/bin/env node
// `npm run fuzz`: the broker fuzz suite (apps/broker/test/fuzz.e2e-spec.ts) for minutes rather than the
// seconds `npm test` gives it. Usage: node scripts/fuzz.mjs [duration], duration as 300000 (ms), 90s,
// 10m or 1h; default FUZZ_DURATION_MS or 5 minutes. Every FUZZ_* variable the spec reads passes through
// (FUZZ_SEED to replay a run, FUZZ_ONLY to replay some of its connections, FUZZ_CONCURRENCY, ...).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const spec = 'apps/broker/dist/test/fuzz.e2e-spec.js';

function milliseconds(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    console.error(`fuzz: "${text}" is not a duration (examples: 300000, 90s, 10m, 1h)`);
    process.exit(2);
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'];
  return Math.round(Number(match[1]) * unit);
}

if (!existsSync(new URL(spec, new URL('..', import.meta.url)))) {
  console.error('fuzz: the compiled suite is missing: run `npm run build` first');
  process.exit(1);
}
const duration = process.argv[2] ? milliseconds(process.argv[2]) : Number(process.env.FUZZ_DURATION_MS ?? 300_000);
const env = {
  ...process.env,
  FUZZ_DURATION_MS: String(duration),
  // Bounded by time alone, unless a count is asked for.
  FUZZ_CONNECTIONS: process.env.FUZZ_CONNECTIONS ?? '0',
};
console.log(`fuzz: running for ${Math.round(duration / 1000)} s`);
const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jest, '--runTestsByPath', spec], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
