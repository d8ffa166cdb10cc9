import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FETCH_SCRIPT, FetchArgs, fetchDest, fetchModule, localPath } from './fetch.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost, runsScript } from '../../../test/support/recorded-host.js';
import type { RunModuleContext } from '../module.js';

const sha1 = (s: string | Buffer): string => createHash('sha1').update(s).digest('hex');

describe('fetch module', () => {
  let remote = '';
  let local = '';
  const fetch = async (raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) => {
    const host = new LocalHost();
    const r = await fetchModule.run(host, fetchModule.args.parse(raw), fakeContext({ hostName: 'web01', taskSearchPath: { taskDir: local, playDir: local }, ...ctx }));
    return { r, host };
  };
  beforeEach(() => {
    remote = mkdtempSync(join(tmpdir(), 'kvmplay-fetch-remote-'));
    local = mkdtempSync(join(tmpdir(), 'kvmplay-fetch-local-'));
    writeFileSync(join(remote, 'app.conf'), 'port=80\n');
    chmodSync(join(remote, 'app.conf'), 0o640);
  });
  afterEach(() => {
    rmSync(remote, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  });

  it('copies into DEST/<host>/<src path>, then is unchanged', async () => {
    const src = join(remote, 'app.conf');
    const { r } = await fetch({ src, dest: 'backup' });
    const dest = join(local, 'backup', 'web01', src);
    assert.deepEqual([r.changed, readFileSync(dest, 'utf8')], [true, 'port=80\n']);
    assert.deepEqual(r.data, {
      md5sum: createHash('md5').update('port=80\n').digest('hex'), dest, remote_md5sum: null, checksum: sha1('port=80\n'), remote_checksum: sha1('port=80\n'),
    });
    // As sftp's get makes it: the remote mode with u+w, less the umask.
    writeFileSync(join(remote, 'ref'), '', { mode: 0o640 });
    assert.equal(statSync(dest).mode & 0o777, statSync(join(remote, 'ref')).mode & 0o777);
    const again = await fetch({ src, dest: 'backup' });
    assert.deepEqual([again.r.changed, again.r.data], [false, { md5sum: createHash('md5').update('port=80\n').digest('hex'), file: src, dest, checksum: sha1('port=80\n') }]);
  });

  it('with flat, writes dest itself, or into it with a trailing slash; a directory without slash fails', async () => {
    const src = join(remote, 'app.conf');
    assert.equal((await fetch({ src, dest: join(local, 'one.conf'), flat: true })).r.changed, true);
    assert.equal(readFileSync(join(local, 'one.conf'), 'utf8'), 'port=80\n');
    await fetch({ src, dest: `${local}/into/`, flat: 'yes' });
    assert.ok(existsSync(join(local, 'into', 'app.conf')));
    const { r } = await fetch({ src, dest: join(local, 'into'), flat: true });
    assert.deepEqual([r.failed, r.msg], [true, 'dest is an existing directory, use a trailing slash if you want to fetch src into that directory']);
  });

  it('rewrites a changed local copy, keeping its mode, and shows the diff', async () => {
    const dest = join(local, 'c.conf');
    writeFileSync(dest, 'port=8080\n');
    chmodSync(dest, 0o604);
    const { r } = await fetch({ src: join(remote, 'app.conf'), dest, flat: true }, { diff: true });
    assert.equal(r.changed, true);
    assert.match(r.diff ?? '', /-port=8080\n\+port=80/);
    assert.equal(statSync(dest).mode & 0o777, 0o604);
    assert.deepEqual(readdirSync(local), ['c.conf']);
  });

  it('writes nothing in check mode and says what it would fetch', async () => {
    const { r } = await fetch({ src: join(remote, 'app.conf'), dest: local }, { check: true, diff: true });
    assert.deepEqual([r.changed, r.msg], [true, `would fetch to ${join(local, 'web01', remote, 'app.conf')}`]);
    assert.match(r.diff ?? '', /\+port=80/);
    assert.deepEqual(readdirSync(local), []);
  });

  it('writes through a symlink at dest, as Ansible opens it', async () => {
    writeFileSync(join(local, 'real'), 'old\n');
    symlinkSync('real', join(local, 'link'));
    await fetch({ src: join(remote, 'app.conf'), dest: join(local, 'link'), flat: true });
    assert.equal(readFileSync(join(local, 'real'), 'utf8'), 'port=80\n');
  });

  it('fails on a missing file or a directory, or reports them as ignored without fail_on_missing', async () => {
    const missing = await fetch({ src: join(remote, 'nope'), dest: local });
    assert.deepEqual([missing.r.failed, missing.r.msg], [true, 'the remote file does not exist, not transferring, ignored']);
    const ignored = await fetch({ src: join(remote, 'nope'), dest: local, fail_on_missing: false });
    assert.deepEqual([ignored.r.failed, ignored.r.changed, ignored.r.data], [undefined, false, { file: join(remote, 'nope') }]);
    const dir = await fetch({ src: remote, dest: local });
    assert.deepEqual([dir.r.failed, dir.r.msg], [true, 'remote file is a directory, fetch cannot work on directories']);
    const dirOk = await fetch({ src: remote, dest: local, fail_on_missing: false });
    assert.equal(dirOk.r.msg, 'remote file is a directory, fetch cannot work on directories, not transferring, ignored');
    writeFileSync(join(remote, 'f'), '');
    const err = await fetch({ src: join(remote, 'f', 'x'), dest: local });
    assert.equal(err.r.msg, `Failed to get information on remote file (${join(remote, 'f', 'x')}): Not a directory`);
    assert.deepEqual(readdirSync(local), []);
  });

  it('fetches an empty file', async () => {
    writeFileSync(join(remote, 'empty'), '');
    const { r } = await fetch({ src: join(remote, 'empty'), dest: join(local, 'e'), flat: true });
    assert.deepEqual([r.changed, readFileSync(join(local, 'e'), 'utf8')], [true, '']);
    assert.equal((await fetch({ src: join(remote, 'empty'), dest: join(local, 'e'), flat: true })).r.changed, false);
  });

  it('refuses a src that would climb out of DEST/<host>', () => {
    const a = FetchArgs.parse({ src: '/../../etc/passwd', dest: '/b' });
    assert.deepEqual(fetchDest(a, 'web01', '/play', false), { error: "Detected directory traversal, expected to be contained in '/b/web01' but got '/etc/passwd'" });
    assert.deepEqual(fetchDest(FetchArgs.parse({ src: '/etc/hosts', dest: 'b/' }), 'web01', '/play', false), { path: '/play/b/web01/etc/hosts' });
  });

  it('resolves a local dest as Ansible: relative to the playbook, ~ and $VARS expanded', () => {
    process.env['KVMPLAY_FETCH_T'] = 'vv';
    assert.equal(localPath('x/$KVMPLAY_FETCH_T/../y', '/play'), '/play/x/y');
    assert.equal(localPath('/a/${KVMPLAY_FETCH_T}', '/play'), '/a/vv');
    delete process.env['KVMPLAY_FETCH_T'];
  });

  it('fails a checksum mismatch and keeps the written file, as Ansible; not without validate_checksum', async () => {
    const dest = join(local, 'x');
    const host = new RecordedHost().on(runsScript(FETCH_SCRIPT), { stdout: `file 644\n${sha1('a')}\n${Buffer.from('b').toString('base64')}` });
    const run = (more: Record<string, unknown>) => fetchModule.run(host, fetchModule.args.parse({ src: '/x', dest, flat: true, ...more }), fakeContext());
    const r = await run({});
    assert.deepEqual([r.failed, r.msg, r.data?.['checksum'], r.data?.['remote_checksum'], r.data?.['file']], [true, 'checksum mismatch', sha1('b'), sha1('a'), '/x']);
    assert.equal(readFileSync(dest, 'utf8'), 'b');
    rmSync(dest);
    assert.deepEqual([(await run({ validate_checksum: false })).failed, readFileSync(dest, 'utf8')], [undefined, 'b']);
  });

  it('requires src and dest', () => {
    assert.equal(FetchArgs.safeParse({ src: '/x' }).success, false);
    assert.equal(FetchArgs.safeParse({ dest: '/x' }).success, false);
  });
});
