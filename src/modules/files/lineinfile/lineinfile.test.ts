import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineinfileArgs, lineinfileModule } from './lineinfile.js';
import type { RunModuleContext } from '../../module.js';
import { PROBE_SCRIPT } from '../remote-file.js';
import type { Host } from '../../../transport/host.js';
import { LocalHost } from '../../../transport/local/local-host.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';

const lineinfile = (host: Host, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) =>
  lineinfileModule.run(host, lineinfileModule.args.parse(raw), fakeContext(ctx));
const isProbe = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === PROBE_SCRIPT;

describe('lineinfile module', () => {
  let dir = '';
  let host: LocalHost;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-lineinfile-'));
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the matching line, then is unchanged on the second run', async () => {
    const path = join(dir, 'sshd_config');
    writeFileSync(path, 'Port 22\nPermitRootLogin yes\n');
    const args = { path, regexp: '^PermitRootLogin', line: 'PermitRootLogin no' };
    const r = await lineinfile(host, args, { diff: true });
    assert.deepEqual([r.changed, r.msg], [true, 'line replaced']);
    assert.equal(readFileSync(path, 'utf8'), 'Port 22\nPermitRootLogin no\n');
    assert.match(r.diff ?? '', /-PermitRootLogin yes\n\+PermitRootLogin no\n/);
    assert.equal(r.data?.backup, '');
    const sent = host.commands.length;
    const again = await lineinfile(host, args);
    assert.deepEqual([again.changed, again.msg], [false, '']);
    assert.deepEqual(host.commands.slice(sent).map(isProbe), [true]);
  });

  it('changes nothing in check mode, with Ansible\'s message', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\n');
    const r = await lineinfile(host, { path, line: 'b' }, { check: true });
    assert.deepEqual([r.changed, r.msg], [true, 'line added']);
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
    assert.deepEqual(host.commands.map(isProbe), [true]);
  });

  it('sends only the recorded probe in check mode', async () => {
    const c = loadProbeCases('file-probe').find((x) => x.name === 'file-with-content');
    assert.ok(c);
    const rec = new RecordedHost().on(runsScript(PROBE_SCRIPT), { stdout: c.stdout });
    const r = await lineinfile(rec, { path: c.params[0], regexp: '^b=', line: 'b=3' }, { check: true, diff: true });
    assert.deepEqual([r.changed, r.msg], [true, 'line replaced']);
    assert.match(r.diff ?? '', /-b=2\n\+b=3\n/);
    assert.deepEqual(rec.calls.map((call) => call.op), ['run']);
    assert.ok(rec.commands().every(isProbe));
  });

  it('fails on a missing file unless create, then creates it (and its directory)', async () => {
    const path = join(dir, 'new', 'conf');
    const missing = await lineinfile(host, { path, line: 'a=1' });
    assert.deepEqual([missing.failed, missing.rc, missing.msg], [true, 257, `Destination ${path} does not exist !`]);
    const created = await lineinfile(host, { path, line: 'a=1', create: true, mode: '0600' });
    // As Ansible: the new file gets 0666 & ~umask, then the wanted mode (an attribute change).
    assert.deepEqual([created.changed, created.msg], [true, 'line added and ownership, perms or SE linux context changed']);
    assert.equal(readFileSync(path, 'utf8'), 'a=1\n');
    assert.equal(statSync(path).mode & 0o7777, 0o600);
  });

  it('removes matching lines and counts them', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, '#a\nb\n#c\n');
    const r = await lineinfile(host, { dest: path, regexp: '^#', state: 'absent' });
    assert.equal(r.msg, '2 line(s) removed');
    assert.equal(r.data?.found, 2);
    assert.equal(readFileSync(path, 'utf8'), 'b\n');
  });

  it('reports "file not present" for absent on a missing file', async () => {
    const r = await lineinfile(host, { path: join(dir, 'none'), line: 'x', state: 'absent' });
    // As Ansible's: neither `found` nor `backup` in this result.
    assert.deepEqual([r.changed, r.msg, r.data], [false, 'file not present', undefined]);
  });

  it('writes bytes that are not UTF-8 back unchanged', async () => {
    const path = join(dir, 'x');
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café\n" in Latin-1
    writeFileSync(path, latin1);
    await lineinfile(host, { path, line: 'ünï' });
    assert.deepEqual(readFileSync(path), Buffer.concat([latin1, Buffer.from('ünï\n')]));
  });

  it('adds the attribute change to the message', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\n');
    chmodSync(path, 0o644);
    const r = await lineinfile(host, { path, line: 'a', mode: '0600' });
    assert.deepEqual([r.changed, r.msg], [true, 'ownership, perms or SE linux context changed']);
    const both = await lineinfile(host, { path, line: 'b', owner: 'nobody' });
    assert.deepEqual([both.changed, both.msg], [true, 'line added and ownership, perms or SE linux context changed']);
    assert.equal(statSync(path).uid, 65534);
  });

  it('returns the backup file as `backup`', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\n');
    const r = await lineinfile(host, { path, line: 'b', backup: true });
    const backup = String(r.data?.backup);
    assert.equal(r.data?.backup_file, backup);
    assert.equal(readFileSync(backup, 'utf8'), 'a\n');
    assert.equal(readdirSync(dir).length, 2);
  });

  it('fails on a directory', async () => {
    mkdirSync(join(dir, 'd'));
    const r = await lineinfile(host, { path: join(dir, 'd'), line: 'x' });
    assert.deepEqual([r.failed, r.rc], [true, 256]);
    assert.match(r.msg, /is a directory/);
  });

  it('fails on a bad regexp and leaves the file alone', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\n');
    const r = await lineinfile(host, { path, regexp: '(', line: 'b' });
    assert.equal(r.failed, true);
    assert.match(r.msg, /error parsing regexp/);
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
    assert.deepEqual(readdirSync(dir), ['x']);
  });

  it('checks its arguments the way Ansible does', () => {
    const parse = (raw: Record<string, unknown>) => LineinfileArgs.parse(raw);
    assert.throws(() => parse({ path: '/x' }), /line is required with state=present/);
    assert.throws(() => parse({ path: '/x', line: 'a', insertafter: 'a', insertbefore: 'b' }), /mutually exclusive: insertbefore\|insertafter/);
    assert.throws(() => parse({ path: '/x', line: 'a', regexp: 'a', search_string: 'b' }), /mutually exclusive: regexp\|search_string/);
    assert.throws(() => parse({ path: '/x', line: 'a', backrefs: false, search_string: 'b' }), /mutually exclusive: backrefs\|search_string/);
    assert.throws(() => parse({ path: '/x', line: 'a', backrefs: true }), /regexp is required with backrefs/);
    assert.throws(() => parse({ path: '/x', state: 'absent' }), /one of line, search_string, or regexp/);
    assert.throws(() => parse({ line: 'a' }), /missing required argument path/);
    assert.equal(parse({ path: '/x', line: 'a', create: 'yes' }).create, true);
    assert.equal(parse({ path: '/x', line: 8080 }).line, '8080');
    assert.deepEqual(parse({ destfile: '/x', value: 'a', regex: '^a' }), parse({ path: '/x', line: 'a', regexp: '^a' }));
    // The common file arguments: unsafe_writes changes nothing (kvmplay always writes atomically), the rest is refused by name.
    assert.equal(parse({ path: '/x', line: 'a', unsafe_writes: 'yes' }).unsafe_writes, true);
    assert.throws(() => parse({ path: '/x', line: 'a', seuser: 'system_u' }), /.{1,2}seuser.{1,2} is not supported by kvmplay \(SELinux contexts\)/);
    assert.throws(() => parse({ path: '/x', line: 'a', attributes: 'i' }), /.{1,2}attributes.{1,2} is not supported by kvmplay \(chattr file attributes\)/);
  });

  it('warns, as Ansible, that an empty regexp matches every line', async () => {
    const path = join(dir, 'x');
    writeFileSync(path, 'a\nb\n');
    const r = await lineinfile(host, { path, regexp: '', line: 'c' });
    assert.deepEqual([r.msg, readFileSync(path, 'utf8')], ['line replaced', 'a\nc\n']);
    assert.match(String((r.data?.warnings as string[])[0]), /^The regular expression is an empty string, which will match every line in the file\..* use '\^' to match every line/);
  });

  it('says only what happened to the line in check mode for a new file (Ansible stops before the attribute check)', async () => {
    const path = join(dir, 'new');
    const r = await lineinfile(host, { path, line: 'a', create: true, mode: '0600' }, { check: true });
    assert.deepEqual([r.changed, r.msg], [true, 'line added']);
  });
});
