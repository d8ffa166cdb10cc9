import assert from 'node:assert/strict';
import { fileModule, parseTree, type FileArgs } from './file.js';
import type { ModuleContext } from '../../module.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { FakeHost } from '../../../../test/support/fake-host.js';

const file = (host: FakeHost, raw: Record<string, unknown>, ctx: Partial<ModuleContext> = {}) =>
  fileModule.run(host, fileModule.args.parse(raw) as FileArgs, fakeContext(ctx));

describe('file module', () => {
  it('creates a directory with mode and owner, then is unchanged', async () => {
    const host = new FakeHost();
    const r = await file(host, { path: '/srv/data', state: 'directory', mode: '0750', owner: 'kvp' });
    assert.equal(r.changed, true);
    assert.deepEqual(host.mutatingCalls().map((c) => c.argv), [
      ['mkdir', '-p', '--', '/srv/data'],
      ['chmod', '--', '0750', '/srv/data'],
      ['chown', '--', 'kvp', '/srv/data'],
    ]);
    // The group of a new directory is whatever the host gives it: not known without another probe.
    assert.deepEqual(r.data, { path: '/srv/data', state: 'directory', mode: '0750', owner: 'kvp', group: null });
    const again = await file(host, { path: '/srv/data', state: 'directory', mode: '0750', owner: 'kvp' });
    assert.equal(again.changed, false);
    assert.equal(host.mutatingCalls().length, 3);
  });

  it('changes nothing in check mode and shows the state change as a diff', async () => {
    const host = new FakeHost({ '/srv/old': 'x' });
    const before = host.snapshot();
    const r = await file(host, { path: '/srv/old', state: 'absent' }, { check: true, diff: true });
    assert.equal(r.changed, true);
    assert.match(r.msg, /^check mode, would be: removed/);
    assert.equal(host.snapshot(), before);
    assert.deepEqual(host.mutatingCalls(), []);
    assert.match(r.diff ?? '', /^-state: file\n(-.*\n)*\+state: absent\n$/m);
  });

  it('removes a tree for absent, then reports unchanged', async () => {
    const host = new FakeHost({ '/srv/t/a/b': 'x' });
    assert.equal((await file(host, { path: '/srv/t', state: 'absent' })).changed, true);
    assert.equal(host.fs.has('/srv/t/a/b'), false);
    assert.equal((await file(host, { path: '/srv/t', state: 'absent' })).changed, false);
  });

  it('creates and then keeps a symlink, probing whether its src exists', async () => {
    const host = new FakeHost({ '/srv/target file': 'x' });
    const r = await file(host, { dest: '/srv/link', state: 'link', src: 'target file' });
    assert.equal(r.changed, true, r.msg);
    const n = host.fs.get('/srv/link');
    assert.deepEqual(n?.kind === 'link' && n.target, 'target file');
    assert.equal(host.calls[0]?.argv?.[6], '/srv/target file');
    assert.equal((await file(host, { dest: '/srv/link', state: 'link', src: 'target file' })).changed, false);
  });

  it('fails for a link whose src is missing without force', async () => {
    const host = new FakeHost({ '/srv/.keep': '' });
    const r = await file(host, { name: '/srv/link', state: 'link', src: '/nope' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /src file does not exist/);
  });

  it('sends awkward path names as single argv words', async () => {
    const host = new FakeHost();
    const path = `/srv/a b'c"$(touch /tmp/pwned);&<>\nd`;
    const r = await file(host, { path, state: 'directory' });
    assert.equal(r.changed, true);
    assert.ok(host.fs.has(path));
    assert.deepEqual(host.mutatingCalls()[0]?.argv, ['mkdir', '-p', '--', path]);
  });

  it('touches an existing file every time (changed), as Ansible does', async () => {
    const host = new FakeHost({ '/srv/f': 'x' });
    assert.equal((await file(host, { path: '/srv/f', state: 'touch' })).changed, true);
    assert.equal((await file(host, { path: '/srv/f', state: 'touch' })).changed, true);
  });

  it('fails for state file on a missing path', async () => {
    const r = await file(new FakeHost(), { path: '/srv/nothing', state: 'file' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /is absent, cannot continue/);
  });

  it('applies mode recursively only when something below differs', async () => {
    const host = new FakeHost({ '/srv/d/f': { kind: 'file', content: Buffer.from(''), mode: 0o600, uid: 0, gid: 0 } });
    const r = await file(host, { path: '/srv/d', state: 'directory', recurse: true, mode: '0755' });
    assert.equal(r.changed, true);
    assert.deepEqual(host.mutatingCalls().map((c) => c.argv), [['chmod', '-R', '--', '0755', '/srv/d']]);
    assert.equal((await file(host, { path: '/srv/d', state: 'directory', recurse: true, mode: '0755' })).changed, false);
  });

  it('reads find/stat output for recurse', () => {
    assert.deepEqual(parseTree('644 0 0 root root regular empty file\n777 1000 1000 kvp kvp symbolic link\n'), [
      { mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', kind: 'file' },
      { mode: 0o777, uid: 1000, gid: 1000, owner: 'kvp', group: 'kvp', kind: 'link' },
    ]);
  });

  it('takes path, dest or name, but exactly one', () => {
    assert.throws(() => fileModule.args.parse({ state: 'directory' }), /exactly one of path/);
    assert.throws(() => fileModule.args.parse({ path: '/a', name: '/b' }), /exactly one of path/);
    assert.throws(() => fileModule.args.parse({ path: '/a', state: 'hard' }));
    assert.equal(fileModule.args.parse({ path: '/a', mode: 0o644, recurse: 'yes', state: 'directory' }).recurse, true);
  });
});
