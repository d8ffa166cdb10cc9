// Installing kvmplay the ways a user would (issue 15): from a folder holding what a
// clone holds (npm runs `prepare`, which builds), from the tarball `npm pack` makes
// there (globally, into a project for npx, and with `npm exec --package`), then the
// installed command run for real against the lab.
//
// Everything is offline: the clone's dependencies come from the npm cache `npm ci`
// filled, and the tarball bundles its runtime dependencies.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ensureLab } from '../support/lab-fixture.js';
import { repoRoot } from '../support/cli.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// When the suite runs under `npm test`, npm's settings (npm_config_*), the package's
// own variables and node_modules/.bin on PATH would leak into the commands below;
// a user's shell has none of them.
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$|NODE$)/i.test(k)) env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('node_modules')).join(delimiter);
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolvePromise) => {
    execFile(command, args, { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function explain(what: string, r: Run): string {
  return `${what} exited ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

/**
 * The files a clone of the working tree's next commit would hold (tracked and
 * not-ignored new files, as they are now), so the test checks the change being made;
 * in CI, a fresh clone, this is the clone itself.
 */
function copyCheckout(dest: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot });
  for (const file of new Set(listed.toString().split('\0').filter(Boolean))) {
    const from = join(repoRoot, file);
    if (!existsSync(from)) continue; // deleted, not yet committed
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(from, join(dest, file));
  }
}

describe('installing kvmplay: from a clone, from the npm tarball, with npx', function () {
  this.timeout(5 * 60_000);
  let inventory: string;
  let scratch: string;
  let clone: string;
  let tarball: string;

  before(async function () {
    this.timeout(25 * 60_000);
    inventory = (await ensureLab()).inventory;
    scratch = mkdtempSync(join(tmpdir(), 'kvmplay-install-'));
    clone = join(scratch, 'clone');
    copyCheckout(clone);
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('installs globally from a clone with no node_modules: prepare installs the tools it needs and builds', async () => {
    assert.ok(!existsSync(join(clone, 'node_modules')) && !existsSync(join(clone, 'dist')));
    const prefix = join(scratch, 'from-clone');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', clone], scratch);
    assert.equal(install.code, 0, explain('npm install -g <clone>', install));
    const help = await run(join(prefix, 'bin', 'kvmplay'), ['--help'], scratch);
    assert.equal(help.code, 0, explain('kvmplay --help', help));
    assert.match(help.stdout, /^Usage: kvmplay /m);
  });

  it('npm pack: the built CLI, the shipped playbooks and templates, no sources or tests', async () => {
    const out = join(scratch, 'pack');
    mkdirSync(out);
    const pack = await run('npm', ['pack', '--offline', '--pack-destination', out], clone);
    assert.equal(pack.code, 0, explain('npm pack', pack));
    const name = readdirSync(out).find((f) => f.endsWith('.tgz'));
    assert.ok(name, `npm pack wrote a tarball into ${out}`);
    tarball = join(out, name);
    const files = execFileSync('tar', ['-tzf', tarball]).toString().split('\n');
    for (const wanted of ['bin/kvmplay.js', 'dist/bundle/kvmplay.cjs', 'dist/src/cli/main.js', 'dist/src/util/install-dir.js', 'templates/domain.xml.hbs',
      'playbooks/site.yaml', 'playbooks/group_vars/all.yaml', 'README.md', 'node_modules/commander/package.json']) {
      assert.ok(files.includes(`package/${wanted}`), `the tarball holds ${wanted}`);
    }
    const unwanted = files.filter((f) => /\.test\.js$|\.ts$|\.map$|\.v8cache$/.test(f) && !f.startsWith('package/node_modules/')
      || /^package\/(src|test|bench|scripts)\//.test(f));
    assert.deepEqual(unwanted, []);
  });

  it('installs the tarball globally into a fresh prefix; the installed kvmplay pings a lab host', async () => {
    const prefix = join(scratch, 'global');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], scratch);
    assert.equal(install.code, 0, explain('npm install -g <tarball>', install));
    const kvmplay = join(prefix, 'bin', 'kvmplay');
    const help = await run(kvmplay, ['--help'], scratch);
    assert.equal(help.code, 0, explain('kvmplay --help', help));
    const ping = await run(kvmplay, ['ping', '-i', inventory, '--limit', 'lab01'], scratch, 60_000);
    assert.equal(ping.code, 0, explain('kvmplay ping --limit lab01', ping));
    assert.match(ping.stdout, /lab01 \| SUCCESS/);
  });

  it('npx runs kvmplay from a project that depends on the tarball, and from the tarball itself', async () => {
    const project = join(scratch, 'project');
    mkdirSync(project);
    const install = await run('npm', ['install', '--prefix', project, '--offline', '--no-audit', '--no-fund', tarball], scratch);
    assert.equal(install.code, 0, explain('npm install <tarball>', install));
    // --yes=false: npx must find the project's kvmplay, not fetch one.
    const npx = await run('npx', ['--prefix', project, '--offline', '--yes=false', '--', 'kvmplay', '--help'], scratch);
    assert.equal(npx.code, 0, explain('npx kvmplay --help', npx));
    assert.match(npx.stdout, /^Usage: kvmplay /m);

    // A cache of its own: the tarball needs nothing but itself.
    const exec = await run('npm', ['exec', '--cache', join(scratch, 'npx-cache'), '--offline', '--yes', '--package', tarball,
      '--', 'kvmplay', '--help'], scratch);
    assert.equal(exec.code, 0, explain('npm exec --package <tarball> -- kvmplay --help', exec));
    assert.match(exec.stdout, /^Usage: kvmplay /m);
  });
});
