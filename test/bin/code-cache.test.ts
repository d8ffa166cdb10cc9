// bin/kvmplay.js compiles the bundle with V8's code cache kept next to it: a copy of
// the installed layout in a temporary folder, so the shared dist/bundle/ is not touched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';

describe('bin/kvmplay.js and its code cache', function () {
  this.timeout(60_000);
  let dir = '';
  let bundleDir = '';
  const kvmplay = (...args: string[]): string => execFileSync(process.execPath, [join(dir, 'bin', 'kvmplay.js'), ...args], { encoding: 'utf8' });
  const caches = (): string[] => readdirSync(bundleDir).filter((f) => f.endsWith('.v8cache'));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-code-cache-'));
    bundleDir = join(dir, 'dist', 'bundle');
    mkdirSync(join(dir, 'bin'));
    mkdirSync(bundleDir, { recursive: true });
    copyFileSync(join(repoRoot, 'bin', 'kvmplay.js'), join(dir, 'bin', 'kvmplay.js'));
    copyFileSync(join(repoRoot, 'dist', 'bundle', 'kvmplay.cjs'), join(bundleDir, 'kvmplay.cjs'));
    copyFileSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves bytecode named after the build on the first start, and a later start runs with it', () => {
    assert.match(kvmplay('--version'), /^kvmplay \d+\.\d+\.\d+/);
    const build = /^\/\/ kvmplay build (\w+)/.exec(readFileSync(join(bundleDir, 'kvmplay.cjs'), 'utf8'))?.[1];
    assert.ok(build);
    const [cache, ...more] = caches();
    assert.deepEqual(more, []);
    assert.match(String(cache), new RegExp(`^kvmplay-${build}-\\d+\\.v8cache$`));
    const bytes = readFileSync(join(bundleDir, String(cache)));
    assert.equal(bytes[0], 0, 'made by a command that runs no tasks');
    assert.ok(bytes.length > 100_000, `${bytes.length} bytes of bytecode`);
    assert.match(kvmplay('--version'), /^kvmplay /);
    assert.deepEqual(readFileSync(join(bundleDir, String(cache))), bytes, 'a usable cache is kept as it is');
  });

  it('starts as well from a damaged cache, and replaces it', () => {
    const [cache] = caches();
    const path = join(bundleDir, String(cache));
    const length = readFileSync(path).length;
    writeFileSync(path, Buffer.alloc(length, 7));
    assert.match(kvmplay('--version'), /^kvmplay /);
    const bytes = readFileSync(path);
    assert.equal(bytes[0], 0);
    assert.notDeepEqual(bytes.subarray(1, 64), Buffer.alloc(63, 7));
    writeFileSync(path, 'x');
    assert.match(kvmplay('validate', '--help'), /Usage: kvmplay validate/);
    assert.ok(readFileSync(path).length > 100_000);
  });
});
