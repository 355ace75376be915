import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';

/** The repository, seen from apps/broker/dist/test/support. */
export const ROOT = join(__dirname, '..', '..', '..', '..', '..');

export interface Instruction {
  keyword: string;
  /** What follows the keyword and its `--flags`. */
  args: string;
  flags: Record<string, string>;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/**
 * The stages of a Dockerfile and their instructions: line continuations joined, comments dropped,
 * `--flag=value` options split off. Enough of the syntax for the files of this repository, not all of it.
 */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole !== '') logical.push(whole);
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const flags: Record<string, string> = {};
    let args = rest;
    for (let m = /^--([a-z-]+)=(\S+)\s*/.exec(args); m; m = /^--([a-z-]+)=(\S+)\s*/.exec(args)) {
      flags[m[1]] = m[2];
      args = args.slice(m[0].length);
    }
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    assert.ok(stages.length > 0, `${upper} before FROM`);
    stages[stages.length - 1].instructions.push({ keyword: upper, args, flags });
  }
  return stages;
}

/** The exec form (`["node", "x.js"]`) of CMD, ENTRYPOINT or HEALTHCHECK CMD as its arguments. */
export function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  assert.ok(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), `not the exec form: ${args}`);
  return parsed as string[];
}

/** `ENV A=1 B=2` instructions of a stage, in order. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return env;
}

export function last<T>(items: T[], what: string): T {
  assert.ok(items.length > 0, `no ${what}`);
  return items[items.length - 1];
}

/** A docker-compose file as `docker-compose config` reads it (validated, variables interpolated), as JSON. */
export function composeConfig(project: string): { ok: true; config: ComposeConfig } | { ok: false; error: string } {
  const config = spawnSync('docker-compose', ['config'], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  if (config.error) throw new Error(`docker-compose: ${config.error.message} (Debian: apt-get install -y --no-install-recommends docker-compose)`);
  if (config.status !== 0) return { ok: false, error: config.stderr };
  // docker-compose is Python, with PyYAML: the same parser reads its output back, as JSON for us.
  const json = spawnSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: config.stdout, encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  return { ok: true, config: JSON.parse(json.stdout) as ComposeConfig };
}

export interface ComposeService {
  image?: string;
  build?: { context: string };
  restart?: string;
  init?: boolean;
  environment?: Record<string, string | null>;
  env_file?: string[];
  depends_on?: Record<string, { condition: string }>;
  ports?: Array<{ published: number | string; target: number }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The names of `.env`-style lines `NAME=...` (set) in a text. */
export function envLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) out[m[1]] = m[2];
  return out;
}

/** A temporary docker compose project: docker-compose.yml (as given) beside a `.env` (as given). */
export function composeProject(compose: string, env: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-compose-'));
  writeFileSync(join(dir, 'docker-compose.yml'), compose);
  writeFileSync(join(dir, '.env'), env);
  return dir;
}

interface LockPackage {
  dev?: boolean;
  link?: boolean;
  resolved?: string;
}

/**
 * Assembles the runtime stage's file system under `into`, as its `COPY --from=build` lines take it from the
 * build stage, whose WORKDIR holds this repository after `npm run build` and `npm run ui:build`. The
 * build's `node_modules` after `npm prune --omit=dev` is made from the lockfile: each top-level package not
 * marked `dev` (production dependencies and theirs), as hard links to the installed files, and the
 * workspaces as the links npm makes. Nothing of a development dependency is there to be required.
 */
export function assembleRuntime(stages: Stage[], into: string): { copied: string[] } {
  const build = stages.find((s) => s.name === 'build');
  assert.ok(build, 'a stage named build');
  const buildDir = last(build.instructions.filter((i) => i.keyword === 'WORKDIR'), 'WORKDIR in the build stage').args;
  const runtime = last(stages, 'stage');
  const workdir = last(runtime.instructions.filter((i) => i.keyword === 'WORKDIR'), 'WORKDIR in the runtime stage').args;
  const copied: string[] = [];
  for (const copy of runtime.instructions.filter((i) => i.keyword === 'COPY')) {
    assert.equal(copy.flags.from, 'build', `the runtime stage copies from the build only: COPY ${copy.args}`);
    const [source, target] = copy.args.split(/\s+/);
    const from = posix.relative(buildDir, source);
    assert.ok(!from.startsWith('..'), `${source} is in the build stage's WORKDIR`);
    const to = join(into, posix.relative(workdir, posix.resolve(workdir, target)));
    if (from === 'node_modules') productionModules(to);
    else {
      assert.ok(existsSync(join(ROOT, from)), `${from} exists after the build`);
      mkdirSync(dirname(to), { recursive: true });
      const cp = spawnSync('cp', ['-a', join(ROOT, from), to]);
      assert.equal(cp.status, 0, String(cp.stderr));
    }
    copied.push(from);
  }
  return { copied };
}

function productionModules(to: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
  const installed = realpathSync(join(ROOT, 'node_modules'));
  mkdirSync(to, { recursive: true });
  for (const [key, pkg] of Object.entries(lock.packages)) {
    const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1];
    if (name === undefined || pkg.dev) continue;
    const target = join(to, name);
    mkdirSync(dirname(target), { recursive: true });
    if (pkg.link) {
      symlinkSync(relative(dirname(target), join(to, '..', pkg.resolved!)), target);
      continue;
    }
    // Another platform's optional package is not installed here, nor in the image.
    if (!existsSync(join(installed, name))) continue;
    // Hard links: as fast as a link, and every path stays inside the copy; a plain copy across file systems.
    const linked = spawnSync('cp', ['-al', join(installed, name), target]);
    if (linked.status !== 0) assert.equal(spawnSync('cp', ['-a', join(installed, name), target]).status, 0, `copy ${name}`);
  }
}
