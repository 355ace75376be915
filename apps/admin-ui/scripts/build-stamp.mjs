// What the built UI was built from: a hash of its sources, written beside the build. `npm start` at the
// root compares it with the sources as they are now and builds again when they differ or the build is missing.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STAMP = join(UI_ROOT, 'dist', 'admin-ui', 'build-stamp.json');
const INPUTS = ['src', 'public', 'scripts', 'angular.json', 'codegen.ts', 'package-lock.json', 'tsconfig.json', 'tsconfig.app.json', '../broker/schema.gql'];
// Written by codegen from the schema and the operations, which are hashed themselves.
const GENERATED = new Set(['src/app/graphql/generated.ts', 'src/app/graphql/schema.ts']);

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
}

export function sourceHash() {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of files(join(UI_ROOT, input))) {
      const name = relative(UI_ROOT, file).split('\\').join('/');
      if (GENERATED.has(name) || name.endsWith('.spec.ts')) continue;
      hash.update(name).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

export function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')).sources ?? null;
  } catch {
    return null;
  }
}

/** Whether dist/ holds a build of the sources as they are now. */
export function upToDate() {
  return existsSync(join(UI_ROOT, 'dist', 'admin-ui', 'browser', 'index.html')) && readStamp() === sourceHash();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(STAMP, JSON.stringify({ sources: sourceHash(), builtAt: new Date().toISOString() }, null, 2) + '\n');
}
