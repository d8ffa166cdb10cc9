import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomName, TEMPFILE_SCRIPT, tempfileModule, tempfileResult } from './tempfile.js';
import { script } from '../remote.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';
import type { RunModuleContext } from '../module.js';

const tempfile = (raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) => {
  const host = new LocalHost();
  return tempfileModule.run(host, tempfileModule.args.parse(raw), fakeContext(ctx)).then((r) => ({ r, host }));
};

describe('tempfile module', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-tempfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a private file named prefix + 8 characters + suffix, changed every time', async () => {
    const { r } = await tempfile({ path: dir, prefix: 'x-', suffix: '.conf' });
    const path = String(r.data?.['path']);
    assert.equal(r.changed, true);
    assert.match(path, new RegExp(`^${dir}/x-[a-z0-9_]{8}\\.conf$`));
    assert.equal(statSync(path).mode & 0o7777, 0o600);
    assert.deepEqual([r.data?.['state'], r.data?.['mode'], r.data?.['size']], ['file', '0600', 0]);
    const again = await tempfile({ path: dir, prefix: 'x-', suffix: '.conf' });
    assert.notEqual(again.r.data?.['path'], path);
  });

  it('creates a private directory, under a path given with a trailing slash without doubling it', async () => {
    const { r } = await tempfile({ state: 'directory', path: `${dir}/` });
    const path = String(r.data?.['path']);
    assert.match(path, new RegExp(`^${dir}/ansible\\.[a-z0-9_]{8}$`));
    assert.equal(statSync(path).mode & 0o7777, 0o700);
    assert.equal(r.data?.['state'], 'directory');
  });

  it('is skipped in check mode, as Ansible skips a module without check mode, and creates nothing', async () => {
    const { r, host } = await tempfile({ path: dir }, { check: true });
    assert.deepEqual([r.changed, r.skipped, r.msg], [false, true, 'remote module (tempfile) does not support check mode']);
    assert.deepEqual([host.commands, readdirSync(dir)], [[], []]);
  });

  it('fails as mkstemp when the directory does not exist', async () => {
    const { r } = await tempfile({ path: join(dir, 'nope') });
    assert.equal(r.failed, true);
    assert.match(r.msg, new RegExp(`^\\[Errno 2\\] No such file or directory: '${dir}/nope/ansible\\.[a-z0-9_]{8}'$`));
  });

  it('tries the next name when one is taken, never following a link planted there', async () => {
    symlinkSync(join(dir, 'target'), join(dir, 'taken'));
    const r = await new LocalHost().run(script(TEMPFILE_SCRIPT, 'file', dir, 'taken', 'free'));
    assert.equal(r.stdout.split('\n')[0], join(dir, 'free'));
    assert.deepEqual(readdirSync(dir).sort(), ['free', 'taken']);
  });

  it("draws names from Python's alphabet", () => {
    assert.equal(randomName(() => 36), '________');
    assert.equal(randomName(() => 0), 'aaaaaaaa');
  });

  it('reads the path info of the result', () => {
    assert.deepEqual(tempfileResult('/tmp/ansible.abc\n1000 1000 600 1 0 regular empty file kvp kvp\n'), {
      path: '/tmp/ansible.abc', uid: 1000, gid: 1000, owner: 'kvp', group: 'kvp', mode: '0600', state: 'file', size: 0,
    });
  });
});
