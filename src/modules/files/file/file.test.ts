import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changeArgv, describeChange, FileArgs, fileModule, parseTree, TREE_SCRIPT } from './file.js';
import type { RunModuleContext } from '../../module.js';
import { script } from '../../remote.js';
import { PROBE_SCRIPT } from '../remote-file.js';
import type { Host } from '../../../transport/host.js';
import { LocalHost } from '../../../transport/local/local-host.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';

const file = (host: Host, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) =>
  fileModule.run(host, fileModule.args.parse(raw), fakeContext(ctx));
const readOnly = (argv: readonly string[]): boolean => argv[0] === 'sh' && (argv[2] === PROBE_SCRIPT || argv[2] === TREE_SCRIPT);
/** What a LocalHost ran besides the read-only probes. */
const mutating = (host: LocalHost): Array<readonly string[]> => host.commands.filter((argv) => !readOnly(argv));

describe('file module', () => {
  let dir = '';
  let host: LocalHost;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-file-'));
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a directory with mode and owner, then is unchanged', async () => {
    const d = join(dir, 'data');
    const r = await file(host, { path: d, state: 'directory', mode: '0750', owner: 'nobody' });
    assert.deepEqual([r.changed, r.msg], [true, 'created directory']);
    assert.deepEqual(mutating(host), [
      ['mkdir', '-p', '--', d],
      ['chmod', '--', '0750', d],
      ['chown', '--', 'nobody', d],
    ]);
    assert.deepEqual([statSync(d).mode & 0o7777, statSync(d).uid], [0o750, 65534]);
    // The group of a new directory is whatever the host gives it: not known without another probe.
    assert.deepEqual(r.data, { path: d, state: 'directory', mode: '0750', owner: 'nobody', group: null });
    const again = await file(host, { path: d, state: 'directory', mode: '0750', owner: 'nobody' });
    assert.deepEqual([again.changed, again.msg], [false, 'up to date']);
    assert.equal(mutating(host).length, 3);
  });

  it('changes nothing in check mode and shows the state change as a diff', async () => {
    const old = join(dir, 'old');
    writeFileSync(old, 'x');
    const r = await file(host, { path: old, state: 'absent' }, { check: true, diff: true });
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'would remove file');
    assert.ok(existsSync(old));
    assert.deepEqual(mutating(host), []);
    assert.match(r.diff ?? '', /^-state: file\n(-.*\n)*\+state: absent\n$/m);
  });

  it('sends only the recorded probe in check mode', async () => {
    const c = loadProbeCases('file-probe').find((x) => x.name === 'directory');
    assert.ok(c);
    const rec = new RecordedHost().on(runsScript(PROBE_SCRIPT), { stdout: c.stdout });
    const r = await file(rec, { path: c.params[0], state: 'directory', mode: '0700', owner: 'nobody', group: 'nogroup' }, { check: true });
    assert.deepEqual([r.changed, r.msg], [true, 'would chmod 0700, chown nobody:nogroup']);
    assert.deepEqual(rec.commands().map(readOnly), [true]);
  });

  it('removes a tree for absent, then reports unchanged', async () => {
    const t = join(dir, 't');
    mkdirSync(join(t, 'a'), { recursive: true });
    writeFileSync(join(t, 'a', 'b'), 'x');
    const r = await file(host, { path: t, state: 'absent' });
    assert.deepEqual([r.changed, r.msg], [true, 'removed directory']);
    assert.equal(existsSync(t), false);
    assert.equal((await file(host, { path: t, state: 'absent' })).changed, false);
  });

  it('creates and then keeps a symlink, probing whether its src exists', async () => {
    writeFileSync(join(dir, 'target file'), 'x');
    const link = join(dir, 'link');
    const r = await file(host, { dest: link, state: 'link', src: 'target file' });
    assert.deepEqual([r.changed, r.msg], [true, 'link to target file created']);
    assert.equal(readlinkSync(link), 'target file');
    assert.equal(host.commands[0]?.[6], join(dir, 'target file'));
    assert.equal((await file(host, { dest: link, state: 'link', src: 'target file' })).changed, false);
  });

  it('fails for a link whose src is missing without force', async () => {
    const r = await file(host, { name: join(dir, 'link'), state: 'link', src: '/nope' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /src file does not exist/);
    assert.deepEqual(r.data, { path: join(dir, 'link'), state: 'absent' });
  });

  it('sends awkward path names as single argv words', async () => {
    const path = join(dir, `a b'c"$(touch PWNED);&<>\nd`);
    const r = await file(host, { path, state: 'directory' });
    assert.equal(r.changed, true);
    assert.ok(statSync(path).isDirectory());
    assert.deepEqual(mutating(host)[0], ['mkdir', '-p', '--', path]);
    assert.equal(existsSync('PWNED') || existsSync(join(dir, 'PWNED')), false);
  });

  it('touches an existing file every time (changed), as Ansible does', async () => {
    const f = join(dir, 'f');
    writeFileSync(f, 'x');
    const r = await file(host, { path: f, state: 'touch' });
    assert.deepEqual([r.changed, r.msg], [true, 'touched']);
    assert.equal((await file(host, { path: f, state: 'touch' })).changed, true);
  });

  it('touches with given times, in the host\'s time zone, and then leaves them', async () => {
    const f = join(dir, 'f');
    const args = { path: f, state: 'touch', modification_time: '202401020304.05', access_time: 'preserve' };
    const r = await file(host, args);
    assert.deepEqual([r.changed, r.msg, r.data?.['dest']], [true, 'created', f]);
    const expected = Number(execFileSync('date', ['-d', '2024-01-02 03:04:05', '+%s']).toString().trim());
    assert.equal(statSync(f).mtimeMs, expected * 1000);
    const again = await file(host, args);
    assert.deepEqual([again.changed, again.msg], [false, 'up to date']);
    const kept = await file(host, { path: f, state: 'touch', modification_time: 'preserve', access_time: 'preserve', mode: 'u+rwx,g-w' });
    assert.deepEqual([kept.changed, statSync(f).mode & 0o7777, statSync(f).mtimeMs], [true, 0o744, expected * 1000]);
    const bad = await file(host, { path: f, modification_time: '2024', modification_time_format: '%Y%m' });
    assert.deepEqual([bad.failed, bad.msg], [true, "Error while obtaining timestamp for time 2024 using format %Y%m: time data '2024' does not match format '%Y%m'"]);
  });

  it('sets times on a whole tree with recurse', async () => {
    const d = join(dir, 'd');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'sub', 'f'), '');
    const args = { path: d, state: 'directory', recurse: true, modification_time: '200001010000.00', modification_time_format: '%Y%m%d%H%M.%S' };
    const r = await file(host, args);
    assert.equal(r.changed, true, r.msg);
    const expected = Number(execFileSync('date', ['-d', '2000-01-01 00:00:00', '+%s']).toString().trim()) * 1000;
    assert.deepEqual([statSync(d).mtimeMs, statSync(join(d, 'sub')).mtimeMs, statSync(join(d, 'sub', 'f')).mtimeMs], [expected, expected, expected]);
    assert.equal((await file(host, args)).changed, false);
  });

  it('makes hard links, into a directory under src\'s name, and keeps them', async () => {
    const src = join(dir, 'src.txt');
    writeFileSync(src, 'x');
    const link = join(dir, 'hard');
    const r = await file(host, { path: link, src, state: 'hard', mode: '0600' });
    assert.deepEqual([r.changed, r.data?.['dest'], r.data?.['src'], r.data?.['state']], [true, link, src, 'hard'], r.msg);
    assert.equal(statSync(link).ino, statSync(src).ino);
    assert.equal(statSync(src).mode & 0o7777, 0o600);
    assert.equal((await file(host, { path: link, src, state: 'hard', mode: '0600' })).changed, false);
    const other = join(dir, 'other.txt');
    writeFileSync(other, 'y');
    const refused = await file(host, { path: link, src: other, state: 'hard' });
    assert.deepEqual([refused.failed, refused.msg], [true, 'Cannot link, different hard link exists at destination']);
    assert.equal((await file(host, { path: link, src: other, state: 'hard', force: true })).changed, true);
    assert.equal(statSync(link).ino, statSync(other).ino);
    mkdirSync(join(dir, 'in'));
    const into = await file(host, { path: join(dir, 'in'), src, state: 'hard' });
    assert.equal(into.data?.['dest'], join(dir, 'in', 'src.txt'));
    assert.equal(statSync(join(dir, 'in', 'src.txt')).ino, statSync(src).ino);
  });

  it('fails for state file on a missing path', async () => {
    const r = await file(host, { path: join(dir, 'nothing'), state: 'file' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /is absent, cannot continue/);
  });

  it('fails with the command\'s error when a change is refused', async () => {
    const f = join(dir, 'f');
    writeFileSync(f, 'x');
    const r = await file(host, { path: f, owner: 'no-such-user-kvmplay' });
    assert.deepEqual([r.changed, r.failed], [false, true]);
    assert.match(r.msg, /^cannot chown .*invalid user/);
    assert.equal(r.rc, 1);
    assert.equal(r.data?.path, f);
  });

  it('applies mode recursively only when something below differs', async () => {
    const d = join(dir, 'd');
    mkdirSync(d);
    chmodSync(d, 0o755);
    writeFileSync(join(d, 'f'), '');
    chmodSync(join(d, 'f'), 0o600);
    const r = await file(host, { path: d, state: 'directory', recurse: true, mode: '0755' });
    assert.deepEqual([r.changed, r.msg], [true, 'mode changed under the directory']);
    assert.deepEqual(mutating(host), [['chmod', '-R', '--', '0755', d]]);
    assert.equal(statSync(join(d, 'f')).mode & 0o7777, 0o755);
    assert.equal((await file(host, { path: d, state: 'directory', recurse: true, mode: '0755' })).changed, false);
  });

  it('reads the real find/stat output for recurse', async () => {
    const d = join(dir, 'd');
    mkdirSync(d);
    writeFileSync(join(d, 'f'), '');
    chmodSync(join(d, 'f'), 0o640);
    symlinkSync('f', join(d, 'l'));
    const out = (await host.run(script(TREE_SCRIPT, d))).stdout;
    const entries = parseTree(out).sort((a, b) => a.kind.localeCompare(b.kind));
    assert.deepEqual(entries.map(({ atime, mtime, ...e }) => [e, /^\d+\.\d{9}$/.test(atime ?? ''), /^\d+\.\d{9}$/.test(mtime ?? '')]), [
      [{ mode: 0o640, uid: 0, gid: 0, owner: 'root', group: 'root', kind: 'file' }, true, true],
      [{ mode: 0o777, uid: 0, gid: 0, owner: 'root', group: 'root', kind: 'link' }, true, true],
    ]);
    assert.deepEqual(parseTree('644 0 0 1.5 2.000000000 root root regular empty file\n777 1000 1000 3 4 kvp kvp symbolic link\n'), [
      { mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', kind: 'file', atime: '1.5', mtime: '2.000000000' },
      { mode: 0o777, uid: 1000, gid: 1000, owner: 'kvp', group: 'kvp', kind: 'link', atime: '3', mtime: '4' },
    ]);
  });

  it('turns each planned change into argv and an imperative phrase', () => {
    assert.deepEqual(changeArgv('/srv/l', { kind: 'symlink', src: '/etc', replace: 'empty-directory' }), [['rmdir', '--', '/srv/l'], ['ln', '-s', '--', '/etc', '/srv/l']]);
    assert.deepEqual(changeArgv('/srv/l', { kind: 'chown', spec: 'kvp', noFollow: true }), [['chown', '-h', '--', 'kvp', '/srv/l']]);
    assert.equal(describeChange({ kind: 'symlink', src: '/etc', replace: 'link-or-file' }, 'file'), 'replace the file by a link to /etc');
    assert.equal(describeChange({ kind: 'chmod-recursive', mode: 'a+rX' }, 'directory'), 'chmod -R a+rX');
  });

  it('takes path, dest or name, but exactly one', () => {
    assert.throws(() => FileArgs.parse({ state: 'directory' }), /missing required argument path \(or its aliases dest, name\)/);
    assert.throws(() => FileArgs.parse({ path: '/a', name: '/b' }), /path and name are the same argument/);
    assert.throws(() => FileArgs.parse({ path: '/a', state: 'fifo' }));
    assert.throws(() => FileArgs.parse({ path: '/a', src: '/b', state: 'file' }), /src option requires state to be 'link' or 'hard'/);
    assert.throws(() => FileArgs.parse({ path: '/a', src: 'b', state: 'hard' }), /src must be an absolute path for state=hard/);
    assert.throws(() => FileArgs.parse({ path: '/a', serole: 'x' }), /serole.*is not supported by kvmplay/);
    assert.equal(FileArgs.parse({ path: '/a', mode: 0o644, recurse: 'yes', state: 'directory' }).recurse, true);
    assert.equal(FileArgs.parse({ dest: '/a' }).path, '/a');
  });
});
