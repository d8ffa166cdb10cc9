// npm's `prepare`: runs after `npm ci`/`npm install` in a clone, during `npm pack`,
// and when kvmplay is installed from git or from a folder. Builds dist/ and links
// node_modules/.bin/kvmplay.
//
// `npm install -g <folder>` links the folder without installing anything in it, so
// the TypeScript compiler (a devDependency) is missing there: install the locked
// dependencies into the folder first, as `npm ci` in a clone would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Set for the nested `npm ci` below, whose own `prepare` would build a second time.
const DEPS_ONLY = 'KVMPLAY_PREPARE_DEPS_ONLY';

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, [DEPS_ONLY]: '1' } });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.env[DEPS_ONLY]) process.exit(0);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  // The parent npm's settings reach us as npm_config_* variables: a global install's
  // `global`/`prefix` would send these dependencies elsewhere, so name the folder.
  const lockfile = existsSync(join(root, 'npm-shrinkwrap.json')) || existsSync(join(root, 'package-lock.json'));
  run('npm', [lockfile ? 'ci' : 'install', '--global=false', '--location=project', '--prefix', root,
    '--include=dev', '--no-audit', '--no-fund']);
}
run(process.execPath, [tsc, '-p', root]);
run(process.execPath, [join(root, 'scripts', 'bundle.mjs')]);
run(process.execPath, [join(root, 'scripts', 'link-bin.mjs')]);
