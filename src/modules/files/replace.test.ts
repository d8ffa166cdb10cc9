import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplaceArgs, replaceModule } from './replace.js';
import type { RunModuleContext } from '../module.js';
import { PROBE_SCRIPT } from './remote-file.js';
import type { Host } from '../../transport/host.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';

const replace = (host: Host, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) =>
  replaceModule.run(host, replaceModule.args.parse(raw), fakeContext(ctx));
const isProbe = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === PROBE_SCRIPT;

describe('replace module', () => {
  let dir = '';
  let host: LocalHost;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-replace-'));
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces every match with backreferences, then is unchanged on the second run', async () => {
    const path = join(dir, 'conf');
    writeFileSync(path, 'port = 22\nuser = old\n');
    const args = { path, regexp: '^(\\w+) = (?P<v>\\w+)$', replace: '\\1: \\g<v>' };
    const r = await replace(host, args, { diff: true });
    assert.deepEqual([r.changed, r.msg, r.rc], [true, '2 replacements made', 0]);
    assert.equal(readFileSync(path, 'utf8'), 'port: 22\nuser: old\n');
    assert.match(r.diff ?? '', /-port = 22\n-user = old\n\+port: 22\n\+user: old\n/);
    const again = await replace(host, args);
    assert.deepEqual([again.changed, again.msg, again.rc], [false, '', 0]);
  });

  it('changes nothing in check mode and sends only the probe', async () => {
    const path = join(dir, 'conf');
    writeFileSync(path, 'a\n');
    const r = await replace(host, { path, regexp: 'a', replace: 'b' }, { check: true });
    assert.deepEqual([r.changed, r.msg], [true, '1 replacements made']);
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
    assert.deepEqual(host.commands.map(isProbe), [true]);
  });

  it('stops, unchanged, when after/before match nothing (no attribute check), as Ansible', async () => {
    const path = join(dir, 'conf');
    writeFileSync(path, 'a\n');
    chmodSync(path, 0o644);
    const r = await replace(host, { path, regexp: 'a', replace: 'b', after: 'zzz', mode: '0600' });
    assert.deepEqual([r.changed, r.rc], [false, 0]);
    assert.equal(r.msg, 'Pattern for before/after params did not match the given file: zzz(?P<subsection>.*)');
    assert.equal(statSync(path).mode & 0o777, 0o644);
  });

  it('reports an attribute change alone, and after the replacements', async () => {
    const path = join(dir, 'conf');
    writeFileSync(path, 'a\n');
    chmodSync(path, 0o644);
    const mode = await replace(host, { path, regexp: 'zzz', mode: '0600' });
    assert.deepEqual([mode.changed, mode.msg], [true, 'ownership, perms or SE linux context changed']);
    const both = await replace(host, { path, regexp: 'a', replace: 'b', mode: '0640' });
    assert.deepEqual([both.changed, both.msg], [true, '1 replacements made and ownership, perms or SE linux context changed']);
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  it('reads and writes the file in its encoding, other bytes kept as they were', async () => {
    const path = join(dir, 'latin1');
    writeFileSync(path, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0xff, 0x0a]));
    const r = await replace(host, { path, regexp: 'caf\\u00e9', replace: 'café!', encoding: 'latin-1' }, { diff: true });
    assert.equal(r.msg, '1 replacements made');
    assert.deepEqual(readFileSync(path), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x21, 0x0a, 0xff, 0x0a]));
    // The diff shows the text as decoded, not "binary".
    assert.match(r.diff ?? '', /-café\n\+café!\n/);
    // As UTF-8 (the default), the bytes that do not decode survive an edit of the rest.
    await replace(host, { path, regexp: '!', replace: '?' });
    assert.deepEqual(readFileSync(path), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x3f, 0x0a, 0xff, 0x0a]));
  });

  it('returns the backup file as backup_file', async () => {
    const path = join(dir, 'conf');
    writeFileSync(path, 'a\n');
    const r = await replace(host, { path, regexp: 'a', replace: 'b', backup: true });
    const backup = String(r.data?.backup_file);
    assert.equal(readFileSync(backup, 'utf8'), 'a\n');
    assert.equal(readdirSync(dir).length, 2);
  });

  it('fails a refused validate with the message alone and leaves the file', async () => {
    const path = join(dir, 'conf');
    writeFileSync(path, 'a\n');
    const r = await replace(host, { path, regexp: 'a', replace: 'b', validate: 'grep -q never %s' });
    assert.deepEqual([r.changed, r.failed, r.msg, r.rc], [false, true, 'failed to validate: rc:1 error:', undefined]);
    assert.equal(readFileSync(path, 'utf8'), 'a\n');
  });

  it('fails on a missing file (257) and on a directory (256)', async () => {
    const missing = await replace(host, { path: join(dir, 'none'), regexp: 'a' });
    assert.deepEqual([missing.failed, missing.rc, missing.msg], [true, 257, `Path ${join(dir, 'none')} does not exist !`]);
    mkdirSync(join(dir, 'd'));
    const d = await replace(host, { path: join(dir, 'd'), regexp: 'a' });
    assert.deepEqual([d.failed, d.rc, d.msg], [true, 256, `Path ${join(dir, 'd')} is a directory !`]);
  });

  it('checks its arguments the way Ansible does, and refuses by name what kvmplay lacks', () => {
    const parse = (raw: Record<string, unknown>) => ReplaceArgs.parse(raw);
    assert.throws(() => parse({ path: '/x' }), /regexp/);
    assert.throws(() => parse({ regexp: 'a' }), /missing required argument path/);
    assert.deepEqual(parse({ dest: '/x', regexp: 'a' }), parse({ path: '/x', regexp: 'a' }));
    assert.equal(parse({ name: '/x', regexp: 'a' }).replace, '');
    // Ansible's `str`: a YAML number is its text.
    assert.deepEqual([parse({ path: '/x', regexp: 22, replace: 2222 }).regexp, parse({ path: '/x', regexp: 22, replace: 2222 }).replace], ['22', '2222']);
    assert.throws(() => parse({ path: '/x', regexp: 'a', encoding: 'utf-16' }), /encoding .{1,2}utf-16.{1,2} is not supported by kvmplay/);
    assert.throws(() => parse({ path: '/x', regexp: 'a', setype: 'etc_t' }), /.{1,2}setype.{1,2} is not supported by kvmplay \(SELinux contexts\)/);
    assert.throws(() => parse({ path: '/x', regexp: 'a', attributes: '+i' }), /.{1,2}attributes.{1,2} is not supported by kvmplay/);
    assert.equal(parse({ path: '/x', regexp: 'a', unsafe_writes: 'yes' }).unsafe_writes, true);
  });
});
