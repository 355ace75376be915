// Writes `.env.example` from the README's configuration table: every variable the broker reads, its
// default and its meaning, in one place. `--check` writes nothing and exits 1 when `.env.example` differs
// from what it would write, or when the table and the variables the broker reads (brokerVariables, on the
// built output: run `npm run build` first) disagree. `npm run env:example` builds and writes it.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(ROOT, 'README.md');
const TARGET = join(ROOT, '.env.example');

/** Defaults that are words about the value, not a value to write after `=`. */
const NOT_A_VALUE = /^(off|unset|generated)$|\s|'/;

/** Variables docker-compose.yml reads for itself (not the broker): name, example value, meaning. */
export const COMPOSE_VARIABLES = [
  [
    'POSTGRES_PASSWORD',
    '',
    "required by docker-compose.yml: the password of the PostgreSQL user `nestmq` it creates, which the broker's DATABASE_URL uses; letters and digits (it is written into a URL)",
  ],
];

/** The rows of the README's configuration table: [{ names, defaults, meaning }]. */
export function readmeTable(text = readFileSync(README, 'utf8')) {
  const section = text.split(/^## Configuration$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error('README.md has no "## Configuration" section');
  const rows = [];
  for (const line of section.split('\n')) {
    const cells = /^\| (`[A-Z0-9_]+`(?:, `[A-Z0-9_]+`)*) \| (.*?) \| (.*) \|$/.exec(line);
    if (!cells) continue;
    const names = cells[1].split(', ').map((n) => n.slice(1, -1));
    const defaults = names.length === 1 ? [cells[2]] : cells[2].split(', ');
    if (defaults.length !== names.length) throw new Error(`README.md: the row of ${names.join(', ')} has ${defaults.length} defaults`);
    rows.push({ names, defaults, meaning: cells[3] });
  }
  return rows;
}

/** Markdown to plain text: code spans and links as their text. */
function plain(markdown) {
  return markdown.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/`([^`]*)`/g, '$1');
}

function comment(text, width = 100) {
  const lines = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The text of `.env.example` for the given README table. */
export function envExample(rows) {
  const out = [
    '# NestMQ settings: every variable the broker reads, with its default and meaning.',
    "# Generated from the README's configuration table by `npm run env:example`; a test fails if they differ.",
    '#',
    '# Copy this file to `.env`. The broker reads `.env` from its working directory (`npm start`), and',
    '# docker compose passes it to the broker container and reads POSTGRES_PASSWORD from it. A line left',
    '# commented out keeps the default. Under docker compose, docker-compose.yml sets DATABASE_URL, DATA_DIR',
    '# and the listener ports inside the container: change the published ports there instead.',
    '',
    '# ---- docker compose',
    '',
  ];
  for (const [name, value, meaning] of COMPOSE_VARIABLES) out.push(comment(meaning), `${name}=${value}`, '');
  out.push('# ---- the broker', '');
  for (const { names, defaults, meaning } of rows) {
    out.push(comment(plain(meaning)));
    names.forEach((name, i) => {
      const value = defaults[i];
      if (NOT_A_VALUE.test(value)) out.push(`# default: ${plain(value)}`, `#${name}=`);
      // Unquoted, `#` starts a comment in a .env file: `HISTORY_TOPICS=#` would read as empty.
      else out.push(`#${name}=${/[#\s"']/.test(value) ? `"${value}"` : value}`);
    });
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Problems between the README's table and the variables the broker reads; empty when they agree. */
export function tableProblems(rows, read) {
  const documented = rows.flatMap((r) => r.names);
  const problems = [];
  for (const name of read) if (!documented.includes(name)) problems.push(`${name} is read by the broker but not in the README's configuration table`);
  for (const name of documented) if (!read.includes(name)) problems.push(`${name} is in the README's configuration table but the broker never reads it`);
  for (const name of new Set(documented)) if (documented.indexOf(name) !== documented.lastIndexOf(name)) problems.push(`${name} is in the table twice`);
  return problems;
}

function main() {
  const require = createRequire(import.meta.url);
  const { brokerVariables } = require(join(ROOT, 'apps/broker/dist/src/config/broker-variables.js'));
  const rows = readmeTable();
  const problems = tableProblems(rows, brokerVariables());
  if (problems.length > 0) {
    for (const p of problems) console.error(`env-example: ${p}`);
    process.exit(1);
  }
  const text = envExample(rows);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(TARGET, 'utf8');
    } catch {
      // Missing: reported below like any difference.
    }
    if (current !== text) {
      console.error('env-example: .env.example differs from the README\'s configuration table; run `npm run env:example`');
      process.exit(1);
    }
    console.log(`env-example: .env.example lists the ${rows.flatMap((r) => r.names).length} variables the broker reads`);
    return;
  }
  writeFileSync(TARGET, text);
  console.log(`env-example: wrote .env.example (${rows.flatMap((r) => r.names).length} variables)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
