import assert from 'node:assert/strict';
import { lineinfileModule } from './lineinfile.js';
import type { ModuleContext } from '../../module.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { FakeHost } from '../../../../test/support/fake-host.js';

const lineinfile = (host: FakeHost, raw: Record<string, unknown>, ctx: Partial<ModuleContext> = {}) =>
  lineinfileModule.run(host, lineinfileModule.args.parse(raw), fakeContext(ctx));

describe('lineinfile module', () => {
  it('replaces the matching line, then is unchanged on the second run', async () => {
    const host = new FakeHost({ '/etc/ssh/sshd_config': 'Port 22\nPermitRootLogin yes\n' });
    const args = { path: '/etc/ssh/sshd_config', regexp: '^PermitRootLogin', line: 'PermitRootLogin no' };
    const r = await lineinfile(host, args, { diff: true });
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'line replaced');
    assert.equal(host.text('/etc/ssh/sshd_config'), 'Port 22\nPermitRootLogin no\n');
    assert.match(r.diff ?? '', /-PermitRootLogin yes\n\+PermitRootLogin no\n/);
    const mutations = host.mutatingCalls().length;
    const again = await lineinfile(host, args);
    assert.equal(again.changed, false);
    assert.equal(host.mutatingCalls().length, mutations);
  });

  it('changes nothing in check mode', async () => {
    const host = new FakeHost({ '/etc/x': 'a\n' });
    const before = host.snapshot();
    const r = await lineinfile(host, { path: '/etc/x', line: 'b' }, { check: true });
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'line added');
    assert.equal(host.snapshot(), before);
    assert.deepEqual(host.mutatingCalls(), []);
  });

  it('fails on a missing file unless create, then creates it (and its directory)', async () => {
    const host = new FakeHost();
    const missing = await lineinfile(host, { path: '/srv/new/conf', line: 'a=1' });
    assert.equal(missing.failed, true);
    assert.equal(missing.rc, 257);
    const created = await lineinfile(host, { path: '/srv/new/conf', line: 'a=1', create: true, mode: '0600' });
    assert.equal(created.changed, true, created.msg);
    assert.equal(host.text('/srv/new/conf'), 'a=1\n');
    const n = host.fs.get('/srv/new/conf');
    assert.equal(n?.kind === 'file' && n.mode, 0o600);
  });

  it('removes matching lines and counts them', async () => {
    const host = new FakeHost({ '/etc/x': '#a\nb\n#c\n' });
    const r = await lineinfile(host, { dest: '/etc/x', regexp: '^#', state: 'absent' });
    assert.equal(r.msg, '2 line(s) removed');
    assert.equal(r.data?.found, 2);
    assert.equal(host.text('/etc/x'), 'b\n');
  });

  it('reports "file not present" for absent on a missing file', async () => {
    const r = await lineinfile(new FakeHost(), { path: '/etc/none', line: 'x', state: 'absent' });
    assert.deepEqual([r.changed, r.msg], [false, 'file not present']);
  });

  it('writes bytes that are not UTF-8 back unchanged', async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café\n" in Latin-1
    const host = new FakeHost({ '/etc/x': latin1 });
    await lineinfile(host, { path: '/etc/x', line: 'ünï' });
    const n = host.fs.get('/etc/x');
    assert.deepEqual(n?.kind === 'file' && n.content, Buffer.concat([latin1, Buffer.from('ünï\n')]));
  });

  it('adds the attribute change to the message', async () => {
    const host = new FakeHost({ '/etc/x': 'a\n' });
    const r = await lineinfile(host, { path: '/etc/x', line: 'a', mode: '0600' });
    assert.deepEqual([r.changed, r.msg], [true, 'ownership, perms or SE linux context changed']);
  });

  it('fails on a directory', async () => {
    const host = new FakeHost({ '/etc/d/f': 'x' });
    const r = await lineinfile(host, { path: '/etc/d', line: 'x' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /is a directory/);
  });

  it('checks its arguments the way Ansible does', () => {
    const parse = (raw: Record<string, unknown>) => lineinfileModule.args.parse(raw);
    assert.throws(() => parse({ path: '/x' }), /line is required with state=present/);
    assert.throws(() => parse({ path: '/x', line: 'a', insertafter: 'a', insertbefore: 'b' }), /mutually exclusive/);
    assert.throws(() => parse({ path: '/x', line: 'a', backrefs: true }), /regexp is required with backrefs/);
    assert.throws(() => parse({ path: '/x', state: 'absent' }), /one of line, search_string, or regexp/);
    assert.equal(parse({ path: '/x', line: 'a', create: 'yes' }).create, true);
  });
});
