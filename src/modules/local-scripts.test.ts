// The modules' remote scripts and argv run for real against this machine's sh and
// coreutils (the lab's e2e tests do the same over SSH). Linux only.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandModule } from './system/command.js';
import { globExists } from './system/command-run.js';
import { copyModule } from './files/copy.js';
import { fileModule } from './files/file/file.js';
import { lineinfileModule } from './files/lineinfile/lineinfile.js';
import { probeFile } from './files/remote-file.js';
import { putFile } from './files/put-file.js';
import { shellModule } from './system/shell.js';
import { fakeContext } from '../../test/support/module-context.js';
import { LocalHost } from '../transport/local/local-host.js';

const AWKWARD = `a b'c"$(touch PWNED);x&y<z>|\`id\`\\ü\nnl`;

describe('module scripts on a real shell', function () {
  let dir = '';
  let host: LocalHost;
  const ctx = fakeContext();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-modules-'));
    host = new LocalHost();
  });
  afterEach(() => {
    // Nothing in any test may have run a value: no PWNED file anywhere near.
    assert.equal(existsSync(join(dir, 'PWNED')) || existsSync('PWNED'), false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('probes a file with an awkward name: kind, mode, sha256, content', async () => {
    const path = join(dir, AWKWARD);
    writeFileSync(path, 'hello\n', { mode: 0o640 });
    const f = await probeFile(host, path, ctx, { content: true });
    assert.deepEqual([f.kind, f.parent, f.mode, f.size], ['file', 'directory', 0o640, 6]);
    assert.equal(f.sha256, '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
    assert.equal(f.content?.toString(), 'hello\n');
  });

  it('fetches content for a diff only up to the diff size limit', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(200_000, 0x61));
    writeFileSync(join(dir, 'small'), 'abc');
    assert.equal((await probeFile(host, join(dir, 'big'), ctx, { content: 'small' })).content, null);
    assert.equal((await probeFile(host, join(dir, 'small'), ctx, { content: 'small' })).content?.toString(), 'abc');
    assert.equal((await probeFile(host, join(dir, 'big'), ctx, { content: true })).content?.length, 200_000);
  });

  it('probes links (followed or not), missing parents and an extra path', async () => {
    writeFileSync(join(dir, 'target'), '');
    symlinkSync('target', join(dir, 'link'));
    const raw = await probeFile(host, join(dir, 'link'), ctx, { exists: join(dir, 'target') });
    assert.deepEqual([raw.kind, raw.linkTarget, raw.otherExists], ['link', 'target', true]);
    const followed = await probeFile(host, join(dir, 'link'), ctx, { follow: true, content: true });
    assert.deepEqual([followed.kind, followed.path, followed.content?.length], ['file', join(dir, 'target'), 0]);
    const missing = await probeFile(host, join(dir, 'no', 'x'), ctx);
    assert.deepEqual([missing.kind, missing.parent], ['absent', 'absent']);
  });

  it('copies awkward content to an awkward name byte-exact, then is unchanged', async () => {
    const dest = join(dir, AWKWARD);
    const content = `x="$(touch ${dir}/PWNED)"; \`id\` & rm -rf / < >\n'\\0\n\u0000bin`;
    const args = copyModule.args.parse({ dest, content, mode: '0600', backup: true });
    const first = await copyModule.run(host, args, ctx);
    assert.equal(first.changed, true, first.msg);
    assert.equal(readFileSync(dest, 'utf8'), content);
    assert.equal(statSync(dest).mode & 0o7777, 0o600);
    const second = await copyModule.run(host, args, ctx);
    assert.equal(second.changed, false, second.msg);
    assert.deepEqual(readdirSync(dir), [AWKWARD]);
  });

  it('replaces a file through the finish script, keeping a backup and leaving no temp file', async () => {
    const dest = join(dir, 'conf');
    writeFileSync(dest, 'old\n', { mode: 0o640 });
    const r = await copyModule.run(host, copyModule.args.parse({ dest, content: 'new\n', backup: true }), ctx);
    assert.equal(readFileSync(dest, 'utf8'), 'new\n');
    assert.equal(statSync(dest).mode & 0o7777, 0o640);
    assert.equal(readFileSync(String(r.data?.backup_file), 'utf8'), 'old\n');
    assert.equal(readdirSync(dir).length, 2);
  });

  it('replaces a symlink at dest by default and writes through it only with follow: true', async () => {
    writeFileSync(join(dir, 'target'), 'target\n');
    symlinkSync('target', join(dir, 'link'));
    const first = await copyModule.run(host, copyModule.args.parse({ dest: join(dir, 'link'), content: 'new\n' }), fakeContext({ diff: true }));
    assert.equal(first.changed, true, first.msg);
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'target\n');
    assert.equal(readFileSync(join(dir, 'link'), 'utf8'), 'new\n');
    assert.ok(!String(first.diff).includes('target'), String(first.diff));
    rmSync(join(dir, 'link'));
    symlinkSync('target', join(dir, 'link'));
    const through = await copyModule.run(host, copyModule.args.parse({ dest: join(dir, 'link'), content: 'through\n', follow: true }), ctx);
    assert.equal(through.changed, true, through.msg);
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'through\n');
    const refused = await lineinfileModule.run(host, lineinfileModule.args.parse({ path: join(dir, 'link'), line: 'x', follow: false }), ctx);
    assert.match(refused.msg, /is a symlink \(to target\) and follow is false: set follow: true/);
    const edited = await lineinfileModule.run(host, lineinfileModule.args.parse({ path: join(dir, 'link'), line: 'x', follow: true }), ctx);
    assert.equal(edited.changed, true, edited.msg);
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'through\nx\n');
    // In a directory only root can write (this temp folder), lineinfile follows by default, as Ansible's.
    const byDefault = await lineinfileModule.run(host, lineinfileModule.args.parse({ path: join(dir, 'link'), line: 'y' }), ctx);
    assert.equal(byDefault.changed, true, byDefault.msg);
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'through\nx\ny\n');
  });

  it('never makes a backup over an existing name, not even a symlink', async () => {
    writeFileSync(join(dir, 'conf'), 'old\n');
    writeFileSync(join(dir, 'victim'), 'victim\n');
    symlinkSync('victim', join(dir, 'conf.bak~'));
    const put = putFile(host, ctx, { path: join(dir, 'conf'), content: Buffer.from('new\n'), mode: 0o644, chown: null, keepOwner: null, backupTo: join(dir, 'conf.bak~') });
    await assert.rejects(put, /File exists/);
    assert.deepEqual([readFileSync(join(dir, 'conf'), 'utf8'), readFileSync(join(dir, 'victim'), 'utf8')], ['old\n', 'victim\n']);
    assert.deepEqual(readdirSync(dir).sort(), ['conf', 'conf.bak~', 'victim']);
  });

  it('gives a new file 0666 less the umask the commands run with', async () => {
    const old = process.umask(0o027);
    try {
      const r = await copyModule.run(host, copyModule.args.parse({ dest: join(dir, 'new'), content: 'x' }), ctx);
      assert.equal(r.data?.mode, '0640');
      assert.equal(statSync(join(dir, 'new')).mode & 0o7777, 0o640);
    } finally {
      process.umask(old);
    }
  });

  it('runs validate on the staged file and keeps the old one when it fails', async () => {
    const dest = join(dir, 'v');
    writeFileSync(dest, 'good\n');
    const bad = await copyModule.run(host, copyModule.args.parse({ dest, content: 'bad\n', validate: 'grep -q good %s' }), ctx);
    assert.equal(bad.failed, true);
    assert.equal(readFileSync(dest, 'utf8'), 'good\n');
    assert.deepEqual(readdirSync(dir), ['v']);
    const good = await copyModule.run(host, copyModule.args.parse({ dest, content: 'still good\n', validate: 'grep -q good %s' }), ctx);
    assert.equal(good.changed, true, good.msg);
  });

  it('makes directories, links, modes and removals with argv only', async () => {
    const d = join(dir, 'd $(x)');
    const run = (raw: Record<string, unknown>) => fileModule.run(host, fileModule.args.parse(raw), ctx);
    assert.equal((await run({ path: d, state: 'directory', mode: 'u=rwx,g=rx,o=' })).changed, true);
    assert.equal(statSync(d).mode & 0o7777, 0o750);
    assert.equal((await run({ path: d, state: 'directory', mode: 'u=rwx,g=rx,o=' })).changed, false);
    writeFileSync(join(d, 'f'), '', { mode: 0o600 });
    assert.equal((await run({ path: d, state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=' })).changed, true);
    assert.equal(statSync(join(d, 'f')).mode & 0o7777, 0o640);
    assert.equal((await run({ path: d, state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=' })).changed, false);
    const link = join(dir, 'l;nk');
    assert.equal((await run({ path: link, state: 'link', src: 'd $(x)' })).changed, true);
    assert.equal((await run({ path: link, state: 'link', src: 'd $(x)' })).changed, false);
    assert.equal((await run({ path: d, state: 'absent' })).changed, true);
    assert.equal(existsSync(d), false);
  });

  it('edits a line in place', async () => {
    const path = join(dir, 'sshd_config');
    writeFileSync(path, 'Port 22\nPermitRootLogin yes\n');
    const args = lineinfileModule.args.parse({ path, regexp: '^PermitRootLogin', line: 'PermitRootLogin no' });
    assert.equal((await lineinfileModule.run(host, args, ctx)).changed, true);
    assert.equal(readFileSync(path, 'utf8'), 'Port 22\nPermitRootLogin no\n');
    assert.equal((await lineinfileModule.run(host, args, ctx)).changed, false);
  });

  it('matches creates/removes as globs without running anything in them', async () => {
    writeFileSync(join(dir, 'a b.conf'), '');
    assert.equal(await globExists(host, join(dir, '*.conf'), ctx), true);
    assert.equal(await globExists(host, join(dir, 'a b.conf'), ctx), true);
    assert.equal(await globExists(host, 'a b*', ctx, dir), true);
    assert.equal(await globExists(host, `$(touch ${dir}/PWNED)`, ctx), false);
    assert.equal(await globExists(host, join(dir, '*.none'), ctx), false);
  });

  it('runs command words literally and shell strings through sh', async () => {
    const c = await commandModule.run(host, commandModule.args.parse({ cmd: `printf '%s|' "$(touch PWNED)" ';' '&'`, chdir: dir }), ctx);
    assert.equal(c.stdout, '$(touch PWNED)|;|&|');
    const s = await shellModule.run(host, shellModule.args.parse({ cmd: 'echo "$0" ok | tr a-z A-Z', chdir: dir }), ctx);
    assert.equal(s.stdout, '/BIN/SH OK');
  });
});
