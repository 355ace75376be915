import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { loadBrokerConfig } from '../src/config/broker-config';
import { brokerVariables } from '../src/config/broker-variables';

export const ROOT = join(__dirname, '..', '..', '..', '..');

/** A configuration as comparable data: Maps as their entries. */
function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v] : v)));
}

describe('.env.example', () => {
  const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const lines = text.split('\n');
  /** `#NAME=value` lines: one per variable of the broker, commented out. */
  const documented = lines.map((l) => /^#([A-Z][A-Z0-9_]*)=(.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);

  it('is what the README\'s configuration table generates, and that table lists exactly the variables the broker reads', () => {
    const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'env-example.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  it('lists every variable the broker reads once, and no other', () => {
    const names = documented.map((m) => m[1]);
    assert.deepEqual([...names].sort(), brokerVariables());
    assert.equal(new Set(names).size, names.length);
  });

  it('gives each variable its real default: uncommented, the file configures the broker exactly as an empty environment does', () => {
    const uncommented = documented.map((m) => `${m[1]}=${m[2]}`).join('\n');
    const env = parseEnv(uncommented) as Record<string, string>;
    assert.equal(env.HISTORY_TOPICS, '#', 'a value holding # is quoted, or .env reads it as a comment');
    assert.deepEqual(comparable(loadBrokerConfig(env)), comparable(loadBrokerConfig({})));
    // And each literal default on its own: a wrong one for a variable whose field another default masks would show here.
    for (const [name, value] of Object.entries(env)) {
      if (value === '') continue;
      assert.deepEqual(comparable(loadBrokerConfig({ [name]: value })), comparable(loadBrokerConfig({})), `${name}=${value}`);
    }
  });
});
