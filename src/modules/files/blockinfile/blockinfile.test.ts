import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockinfileArgs, blockinfileModule } from './blockinfile.js';
import type { RunModuleContext } from '../../module.js';
import { PROBE_SCRIPT } from '../remote-file.js';
import type { Host } from '../../../transport/host.js';
import { LocalHost } from '../../../transport/local/local-host.js';
import { fakeContext } from '../../../../test/support/module-context.js';

const blockinfile = (host: Host, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) =>
  blockinfileModule.run(host, blockinfileModule.args.parse(raw), fakeContext(ctx));
const isProbe = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === PROBE_SCRIPT;
const B = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const E = '# END ANSIBLE MANAGED BLOCK\n';

describe('blockinfile module', () => {
  let dir = '';
  let host: LocalHost;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-blockinfile-'));
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('inserts the block, shows the diff, then is unchanged on the second run', async () => {
    const path = join(dir, 'hosts');
    writeFileSync(path, '127.0.0.1 localhost\n');
    const args = { path, block: '10.0.0.1 a\n10.0.0.2 b' };
    const r = await blockinfile(host, args, { diff: true });
    assert.deepEqual([r.changed, r.msg, r.data], [true, 'Block inserted', undefined]);
    assert.equal(readFileSync(path, 'utf8'), `127.0.0.1 localhost\n${B}10.0.0.1 a\n10.0.0.2 b\n${E}`);
    assert.match(r.diff ?? '', /\+# BEGIN ANSIBLE MANAGED BLOCK\n\+10\.0\.0\.1 a\n/);
    const sent = host.commands.length;
    const again = await blockinfile(host, args);
    assert.deepEqual([again.changed, again.msg], [false, '']);
    assert.deepEqual(host.commands.slice(sent).map(isProbe), [true]);
  });

  it('changes nothing in check mode, with Ansible\'s message', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\n');
    const r = await blockinfile(host, { path, block: 'b' }, { check: true });
    assert.deepEqual([r.changed, r.msg], [true, 'Block inserted']);
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
    assert.deepEqual(host.commands.map(isProbe), [true]);
  });

  it('fails on a missing file unless create, then creates it (and its directory)', async () => {
    const path = join(dir, 'new', 'conf');
    const missing = await blockinfile(host, { path, block: 'a=1' });
    assert.deepEqual([missing.failed, missing.rc, missing.msg], [true, 257, `Path ${path} does not exist !`]);
    // Ansible checks create before the state: absent fails the same way without it.
    const absent = await blockinfile(host, { path, state: 'absent' });
    assert.deepEqual([absent.failed, absent.rc], [true, 257]);
    const notPresent = await blockinfile(host, { path, state: 'absent', create: true });
    assert.deepEqual([notPresent.changed, notPresent.msg], [false, `File ${path} not present`]);
    // Check mode stops before the attribute check for a new file, as Ansible's module.
    const checked = await blockinfile(host, { path, block: 'a=1', create: true, mode: '0600' }, { check: true });
    assert.deepEqual([checked.changed, checked.msg], [true, 'File created']);
    const created = await blockinfile(host, { path, block: 'a=1', create: true, mode: '0600' });
    assert.deepEqual([created.changed, created.msg], [true, 'File created and ownership, perms or SE linux context changed']);
    assert.equal(readFileSync(path, 'utf8'), `${B}a=1\n${E}`);
    assert.equal(statSync(path).mode & 0o7777, 0o600);
  });

  it('removes the block', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, `a\n${B}old\n${E}b\n`);
    const r = await blockinfile(host, { dest: path, state: 'absent' });
    assert.deepEqual([r.changed, r.msg], [true, 'Block removed']);
    assert.equal(readFileSync(path, 'utf8'), 'a\nb\n');
  });

  it('adds the attribute change to the message', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, `${B}a\n${E}`);
    chmodSync(path, 0o644);
    const r = await blockinfile(host, { path, block: 'a', mode: '0600' });
    assert.deepEqual([r.changed, r.msg], [true, 'ownership, perms or SE linux context changed']);
    const both = await blockinfile(host, { path, block: 'b', mode: '0640' });
    assert.deepEqual([both.changed, both.msg], [true, 'Block inserted and ownership, perms or SE linux context changed']);
  });

  it('writes bytes that are not UTF-8 back unchanged', async () => {
    const path = join(dir, 'x');
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]);
    writeFileSync(path, latin1);
    await blockinfile(host, { path, block: 'ü' });
    assert.deepEqual(readFileSync(path), Buffer.concat([latin1, Buffer.from(`${B}ü\n${E}`)]));
  });

  it('returns the backup file as backup_file', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\n');
    const r = await blockinfile(host, { path, block: 'b', backup: true });
    const backup = String(r.data?.backup_file);
    assert.equal(readFileSync(backup, 'utf8'), 'a\n');
    assert.equal(readdirSync(dir).length, 2);
  });

  it('fails a refused validate with the message alone and leaves the file', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\n');
    const r = await blockinfile(host, { path, block: 'b', validate: 'grep -q never %s' });
    assert.deepEqual([r.changed, r.failed, r.msg, r.rc], [false, true, 'failed to validate: rc:1 error:', undefined]);
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
    assert.deepEqual(readdirSync(dir), ['x']);
  });

  it('edits the file a symlink points to, where only root can write the link\'s directory', async () => {
    writeFileSync(join(dir, 'target'), 'a\n');
    symlinkSync('target', join(dir, 'link'));
    chmodSync(dir, 0o755);
    const r = await blockinfile(host, { path: join(dir, 'link'), block: 'b' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), `a\n${B}b\n${E}`);
    const refused = await blockinfile(host, { path: join(dir, 'link'), block: 'c', follow: false });
    assert.match(refused.msg, /is a symlink \(to target\) and follow is false/);
  });

  it('fails on a directory', async () => {
    mkdirSync(join(dir, 'd'));
    const r = await blockinfile(host, { path: join(dir, 'd'), block: 'x' });
    assert.deepEqual([r.failed, r.rc, r.msg], [true, 256, `Path ${join(dir, 'd')} is a directory !`]);
  });

  it('checks its arguments the way Ansible does, and refuses by name what kvmplay lacks', () => {
    const parse = (raw: Record<string, unknown>) => BlockinfileArgs.parse(raw);
    assert.throws(() => parse({ block: 'a' }), /missing required argument path/);
    assert.throws(() => parse({ path: '/x', insertafter: 'a', insertbefore: 'b' }), /mutually exclusive: insertbefore\|insertafter/);
    assert.throws(() => parse({ path: '/x', block: 'a', content: 'b' }), /block and content are the same argument/);
    assert.deepEqual(parse({ destfile: '/x', content: 'a' }), parse({ path: '/x', block: 'a' }));
    const a = parse({ name: '/x', marker_begin: 1, create: 'yes' });
    assert.deepEqual([a.marker, a.marker_begin, a.marker_end, a.block, a.create], ['# {mark} ANSIBLE MANAGED BLOCK', '1', 'END', undefined, true]);
    assert.throws(() => parse({ path: '/x', selevel: 's0' }), /.{1,2}selevel.{1,2} is not supported by kvmplay \(SELinux contexts\)/);
    assert.throws(() => parse({ path: '/x', attr: '+i' }), /.{1,2}attr.{1,2} is not supported by kvmplay/);
    assert.equal(parse({ path: '/x', unsafe_writes: true }).unsafe_writes, true);
  });
});
