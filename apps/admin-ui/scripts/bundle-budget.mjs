// Fails the build when the JavaScript a first visit loads (the initial chunks: index.html's scripts and
// module preloads, and what they import statically) weighs more than the budget gzipped. Lazy routes
// (dynamic import()) are not counted: they load when their screen opens.
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 400 * 1024;
const browser = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'admin-ui', 'browser');

export function initialChunks(dir) {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const queue = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1]);
  const seen = new Set();
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(dir, file), 'utf8');
    // Static imports only: `import{a}from"./chunk-X.js"`, `import"./chunk-X.js"`, `export*from"./x.js"`.
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g)) queue.push(m[1]);
  }
  return [...seen];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(browser, 'index.html'))) {
    console.error(`bundle budget: ${browser}/index.html is missing; build first`);
    process.exit(1);
  }
  const files = initialChunks(browser);
  let total = 0;
  for (const f of files) total += gzipSync(readFileSync(join(browser, f)), { level: 9 }).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const line = `initial JavaScript: ${kb(total)} gzipped in ${files.length} files (budget ${kb(BUDGET_BYTES)})`;
  if (total > BUDGET_BYTES) {
    console.error(`bundle budget exceeded: ${line}`);
    process.exit(1);
  }
  console.log(`bundle budget: ${line}`);
}
