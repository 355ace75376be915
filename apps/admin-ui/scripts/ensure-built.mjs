// Builds the admin UI when it is missing or older than its sources (see build-stamp.mjs); `npm start`
// runs this before the broker. Installs the UI's own dependencies first if they are not there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UI_ROOT, upToDate } from './build-stamp.mjs';

function run(args) {
  const result = spawnSync('npm', args, { cwd: UI_ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`admin UI: \`npm ${args.join(' ')}\` failed in apps/admin-ui`);
    process.exit(result.status ?? 1);
  }
}

if (upToDate()) {
  console.log('admin UI: up to date');
} else {
  if (!existsSync(join(UI_ROOT, 'node_modules', '@angular', 'build'))) {
    console.log('admin UI: installing its dependencies (apps/admin-ui)');
    run(['ci', '--no-audit', '--no-fund']);
  }
  console.log('admin UI: building (its sources changed or it was never built)');
  run(['run', 'build', '--silent']);
}
