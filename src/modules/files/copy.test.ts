import assert from 'node:assert/strict';
import { copyModule, type CopyArgs } from './copy.js';
import type { ModuleContext } from '../module.js';
import { FINISH_SCRIPT, STAGE_SCRIPT } from './put-file.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { FakeHost } from '../../../test/support/fake-host.js';
import { templateModule } from './template.js';

const parse = (raw: Record<string, unknown>): CopyArgs => copyModule.args.parse(raw);
const copy = (host: FakeHost, raw: Record<string, unknown>, ctx: Partial<ModuleContext> & { files?: Record<string, string> } = {}) =>
  copyModule.run(host, parse(raw), fakeContext(ctx));

describe('copy module', () => {
  it('writes new content, then reports unchanged on the second run', async () => {
    const host = new FakeHost({ '/srv/keep': 'x' });
    const first = await copy(host, { dest: '/srv/app.conf', content: 'a=1\n', mode: '0640' });
    assert.equal(first.changed, true);
    assert.equal(host.text('/srv/app.conf'), 'a=1\n');
    const node = host.fs.get('/srv/app.conf');
    assert.equal(node?.kind === 'file' && node.mode, 0o640);
    const mutations = host.mutatingCalls().length;
    const second = await copy(host, { dest: '/srv/app.conf', content: 'a=1\n', mode: '0640' });
    assert.equal(second.changed, false);
    assert.equal(host.mutatingCalls().length, mutations);
  });

  it('makes no change on the second run: only the probe is sent', async () => {
    const host = new FakeHost({ '/srv/app.conf': 'a=1\n' });
    const r = await copy(host, { dest: '/srv/app.conf', content: 'a=1\n' });
    assert.equal(r.changed, false);
    assert.deepEqual(host.mutatingCalls(), []);
    assert.equal(host.calls.length, 1);
  });

  it('changes nothing in check mode but reports the change and the diff', async () => {
    const host = new FakeHost({ '/srv/app.conf': 'a=1\nb=2\n' });
    const before = host.snapshot();
    const r = await copy(host, { dest: '/srv/app.conf', content: 'a=1\nb=3\n' }, { check: true, diff: true });
    assert.equal(r.changed, true);
    assert.equal(host.snapshot(), before);
    assert.deepEqual(host.mutatingCalls(), []);
    assert.equal(r.diff, '--- before: /srv/app.conf\n+++ after: /srv/app.conf\n@@ -1,2 +1,2 @@\n a=1\n-b=2\n+b=3\n');
  });

  it('shows a mode-only change as a file attributes diff', async () => {
    const host = new FakeHost({ '/srv/f': 'same\n' });
    const r = await copy(host, { dest: '/srv/f', content: 'same\n', mode: '0600' }, { diff: true });
    assert.equal(r.changed, true);
    assert.match(r.diff ?? '', /-mode: 0644\n\+mode: 0600/);
    assert.deepEqual(host.mutatingCalls().map((c) => c.argv), [['chmod', '--', '0600', '/srv/f']]);
  });

  it('does not print a diff of binary content', async () => {
    const host = new FakeHost({ '/srv/bin': Buffer.from([0, 1, 2]) });
    const r = await copy(host, { dest: '/srv/bin', content: 'text\n' }, { diff: true });
    assert.match(r.diff ?? '', /^Binary files/);
  });

  it('neither fetches nor diffs a file bigger than Ansible\'s max diff size', async () => {
    const host = new FakeHost({ '/srv/big': 'x'.repeat(200_000) });
    const r = await copy(host, { dest: '/srv/big', content: 'small\n' }, { diff: true });
    assert.equal(r.diff, 'diff skipped: /srv/big is larger than 104448 bytes\n');
  });

  it('writes through SFTP as the login user, staged beside the target', async () => {
    const host = new FakeHost({ '/srv/x': 'old' });
    await copy(host, { dest: '/srv/x', content: 'new' });
    const staged = host.calls.find((c) => c.op === 'writeAtomic');
    assert.match(staged?.path ?? '', /^\/srv\/\.x\.kvmplay-[0-9a-f]{12}$/);
    const finish = host.calls.find((c) => c.argv?.[2] === FINISH_SCRIPT);
    assert.equal(finish?.argv?.[5], '/srv/x');
    assert.equal(host.text('/srv/x'), 'new');
    assert.equal([...host.fs.keys()].some((p) => p.includes('kvmplay-')), false);
  });

  it('writes through sudo on stdin with become, never with the content on a command line', async () => {
    const host = new FakeHost({ '/etc/x': 'old' });
    const content = `secret "$(reboot)"; rm -rf / & <x>\n'q'\n`;
    await copy(host, { dest: '/etc/x', content }, { become: true });
    const stage = host.calls.find((c) => c.argv?.[2] === STAGE_SCRIPT);
    assert.equal(stage?.opts?.become, true);
    assert.equal(stage?.opts?.stdin?.toString(), content);
    assert.equal(host.calls.some((c) => c.op === 'writeAtomic'), false);
    assert.equal(host.calls.some((c) => c.argv?.some((w) => w.includes('secret'))), false);
    assert.ok(host.calls.filter((c) => c.op === 'run').every((c) => c.opts?.become === true));
    assert.equal(host.text('/etc/x'), content);
  });

  it('keeps the owner of the file it replaces', async () => {
    const host = new FakeHost({ '/srv/x': { kind: 'file', content: Buffer.from('old'), mode: 0o600, uid: 1000, gid: 1000 } });
    await copy(host, { dest: '/srv/x', content: 'new' }, { become: true });
    const n = host.fs.get('/srv/x');
    assert.deepEqual(n?.kind === 'file' && [n.uid, n.gid, n.mode], [1000, 1000, 0o600]);
  });

  it('backs the old file up before replacing it and returns backup_file', async () => {
    const host = new FakeHost({ '/srv/x': 'old\n' });
    const r = await copy(host, { dest: '/srv/x', content: 'new\n', backup: true });
    const backup = String(r.data?.backup_file);
    assert.match(backup, /^\/srv\/x\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    assert.equal(host.text(backup), 'old\n');
    assert.equal(host.text('/srv/x'), 'new\n');
  });

  it('replaces nothing when validate fails, and removes the staged file', async () => {
    const host = new FakeHost({ '/srv/x': 'old\n' });
    host.onCommand = (argv) => (argv[0] === 'visudo' ? { rc: 1, stdout: '', stderr: 'parse error\n' } : undefined);
    const r = await copy(host, { dest: '/srv/x', content: 'bad\n', validate: 'visudo -cf %s' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /failed to validate: rc:1 error:parse error/);
    assert.equal(host.text('/srv/x'), 'old\n');
    assert.deepEqual([...host.fs.keys()].filter((p) => p.startsWith('/srv/')), ['/srv/x']);
    const check = host.calls.find((c) => c.argv?.[0] === 'visudo');
    assert.match(check?.argv?.[2] ?? '', /^\/srv\/\.x\.kvmplay-/);
  });

  it('leaves an existing file alone with force: no', async () => {
    const host = new FakeHost({ '/srv/x': 'mine\n' });
    const r = await copy(host, { dest: '/srv/x', content: 'theirs\n', force: 'no' });
    assert.equal(r.changed, false);
    assert.equal(host.text('/srv/x'), 'mine\n');
  });

  it('copies a local src into a directory dest under its own name', async () => {
    const host = new FakeHost({ '/srv/conf/.keep': '' });
    const r = await copy(host, { src: 'files/app.ini', dest: '/srv/conf' }, { files: { 'files/app.ini': '[a]\n' } });
    assert.equal(r.changed, true);
    assert.equal(host.text('/srv/conf/app.ini'), '[a]\n');
    assert.equal(r.data?.dest, '/srv/conf/app.ini');
  });

  it('fails when the destination directory does not exist', async () => {
    const host = new FakeHost();
    const r = await copy(host, { dest: '/nope/x', content: 'a' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /Destination directory \/nope does not exist/);
  });

  it('writes a map content as JSON, as Ansible does', async () => {
    const host = new FakeHost({ '/srv/.keep': '' });
    await copy(host, { dest: '/srv/x.json', content: { a: [1, 2] } });
    assert.equal(host.text('/srv/x.json'), '{"a":[1,2]}');
  });

  it('returns Ansible-shaped result fields', async () => {
    const host = new FakeHost({ '/srv/.keep': '' });
    const r = await copy(host, { dest: '/srv/x', content: 'abc', mode: 'u=rw,go=' });
    assert.deepEqual(
      { ...r.data },
      {
        dest: '/srv/x',
        checksum: 'a9993e364706816aba3e25717850c26c9cd0d89d',
        sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        size: 3,
        state: 'file',
        mode: '0600',
        owner: null,
        group: null,
      },
    );
  });

  it('refuses unknown arguments and both content and src', () => {
    assert.throws(() => parse({ dest: '/x', content: 'a', modee: '0644' }), /modee/);
    assert.throws(() => parse({ dest: '/x', content: 'a', src: 'b' }), /exactly one of content or src/);
    assert.throws(() => parse({ dest: 'relative', content: 'a' }), /absolute/);
    assert.throws(() => parse({ dest: '/x', content: 'a', mode: '0999' }), /octal mode/);
  });
});

describe('template module', () => {
  it('renders and writes through the same writer as copy, unchanged the second time', async () => {
    const host = new FakeHost({ '/etc/sysconfig/network-scripts/.keep': '' });
    const args = templateModule.args.parse({ src: 'ifcfg-bridge.hbs', dest: '/etc/sysconfig/network-scripts/ifcfg-br0', mode: 420 });
    const ctx = fakeContext({ files: { 'ifcfg-bridge.hbs': 'DEVICE=br0\nTYPE=Bridge\n' }, diff: true });
    const first = await templateModule.run(host, args, ctx);
    assert.equal(first.changed, true);
    assert.match(first.diff ?? '', /\+DEVICE=br0/);
    assert.equal(host.text('/etc/sysconfig/network-scripts/ifcfg-br0'), 'DEVICE=br0\nTYPE=Bridge\n');
    const second = await templateModule.run(host, args, ctx);
    assert.equal(second.changed, false);
    assert.equal(second.diff, undefined);
  });

  it('fails the task when the template does not render', async () => {
    const host = new FakeHost();
    const r = await templateModule.run(host, templateModule.args.parse({ src: 'missing.hbs', dest: '/x' }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /missing\.hbs/);
    assert.deepEqual(host.calls, []);
  });
});
