import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyModule } from './copy.js';
import type { RunModuleContext } from '../module.js';
import { WRITE_SCRIPT } from './put-file.js';
import { PROBE_SCRIPT } from './remote-file.js';
import { templateModule } from './template.js';
import type { Host } from '../../transport/host.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../test/support/recorded-host.js';

type Ctx = Partial<RunModuleContext> & { files?: Record<string, string> };
const parse = (raw: Record<string, unknown>): unknown => copyModule.args.parse(raw);
const copy = (host: Host, raw: Record<string, unknown>, ctx: Ctx = {}) => copyModule.run(host, parse(raw), fakeContext(ctx));
const isProbe = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === PROBE_SCRIPT;
/** What a LocalHost ran besides the read-only file probe. */
const mutating = (host: LocalHost): Array<readonly string[]> => host.commands.filter((argv) => !isProbe(argv));
const probeCase = (name: string) => {
  const c = loadProbeCases('file-probe').find((x) => x.name === name);
  assert.ok(c, name);
  return c;
};

describe('copy module', () => {
  let dir = '';
  let host: LocalHost;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-copy-'));
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes new content, then reports unchanged on the second run, sending only the probe', async () => {
    const dest = join(dir, 'app.conf');
    const first = await copy(host, { dest, content: 'a=1\n', mode: '0640' });
    assert.equal(first.changed, true, first.msg);
    assert.equal(first.msg, 'created');
    assert.equal(readFileSync(dest, 'utf8'), 'a=1\n');
    assert.equal(statSync(dest).mode & 0o7777, 0o640);
    const sent = host.commands.length;
    const second = await copy(host, { dest, content: 'a=1\n', mode: '0640' });
    assert.deepEqual([second.changed, second.msg], [false, 'up to date']);
    assert.deepEqual(host.commands.slice(sent).map(isProbe), [true]);
  });

  it('changes nothing in check mode but reports the change and the diff', async () => {
    const dest = join(dir, 'app.conf');
    writeFileSync(dest, 'a=1\nb=2\n');
    const r = await copy(host, { dest, content: 'a=1\nb=3\n' }, { check: true, diff: true });
    assert.deepEqual([r.changed, r.msg], [true, `would rewrite ${dest}`]);
    assert.equal(readFileSync(dest, 'utf8'), 'a=1\nb=2\n');
    assert.deepEqual(readdirSync(dir), ['app.conf']);
    assert.deepEqual(mutating(host), []);
    assert.equal(r.diff, `--- before: ${dest}\n+++ after: ${dest}\n@@ -1,2 +1,2 @@\n a=1\n-b=2\n+b=3\n`);
  });

  it('sends only the recorded probe in check mode', async () => {
    const c = probeCase('file-with-content');
    const rec = new RecordedHost().on(runsScript(PROBE_SCRIPT), { stdout: c.stdout });
    const r = await copy(rec, { dest: c.params[0], content: 'a=1\nb=3\n' }, { check: true, diff: true });
    assert.equal(r.changed, true);
    assert.match(r.diff ?? '', /-b=2\n\+b=3\n/);
    assert.deepEqual(rec.calls.map((call) => call.op), ['run']);
    assert.ok(rec.commands().every(isProbe));
  });

  it('shows a mode-only change as a file attributes diff', async () => {
    const dest = join(dir, 'f');
    writeFileSync(dest, 'same\n', { mode: 0o644 });
    chmodSync(dest, 0o644);
    const r = await copy(host, { dest, content: 'same\n', mode: '0600' }, { diff: true });
    assert.deepEqual([r.changed, r.msg], [true, 'mode 0644 → 0600']);
    assert.match(r.diff ?? '', /-mode: 0644\n\+mode: 0600/);
    // Never a chmod by name (it would follow a link swapped in): the same bytes are put with the new mode.
    assert.deepEqual(mutating(host).map((argv) => argv[2] === WRITE_SCRIPT ? argv.slice(4, 6) : argv), [[dest, '0600']]);
    assert.equal(statSync(dest).mode & 0o7777, 0o600);
    assert.equal(readFileSync(dest, 'utf8'), 'same\n');
  });

  it('does not print a diff of binary content', async () => {
    const dest = join(dir, 'bin');
    writeFileSync(dest, Buffer.from([0, 1, 2]));
    const r = await copy(host, { dest, content: 'text\n' }, { diff: true });
    assert.match(r.diff ?? '', /^Binary files/);
  });

  it('neither fetches nor diffs a file bigger than Ansible\'s max diff size', async () => {
    const dest = join(dir, 'big');
    writeFileSync(dest, 'x'.repeat(200_000));
    const r = await copy(host, { dest, content: 'small\n' }, { diff: true });
    assert.equal(r.diff, `diff skipped: ${dest} is larger than 104448 bytes\n`);
  });

  it('writes with one script fed on stdin as the login user, never over SFTP', async () => {
    const c = probeCase('regular-file');
    const dest = c.params[0] ?? '';
    const rec = new RecordedHost().on(runsScript(PROBE_SCRIPT), { stdout: c.stdout }).on(runsScript(WRITE_SCRIPT), {});
    const r = await copy(rec, { dest, content: 'new' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(rec.calls.some((call) => call.op === 'writeAtomic'), false);
    const write = rec.calls.find((call) => call.argv?.[2] === WRITE_SCRIPT);
    // dest, mode, owner, the replaced file's owner, backup name, mkdir the parent
    assert.deepEqual(write?.argv?.slice(4), [dest, '0640', '', '0:0', '', 'no']);
    assert.equal(write?.opts?.stdin?.toString(), 'new');
    assert.equal(write?.opts?.become, false);
  });

  it('writes through sudo on stdin with become, never with the content on a command line', async () => {
    const c = probeCase('regular-file');
    const rec = new RecordedHost().on(runsScript(PROBE_SCRIPT), { stdout: c.stdout }).on(runsScript(WRITE_SCRIPT), {});
    const content = `secret "$(reboot)"; rm -rf / & <x>\n'q'\n`;
    await copy(rec, { dest: c.params[0], content }, { become: true });
    const write = rec.calls.find((call) => call.argv?.[2] === WRITE_SCRIPT);
    assert.equal(write?.opts?.become, true);
    assert.equal(write?.opts?.stdin?.toString(), content);
    assert.equal(rec.calls.some((call) => call.op === 'writeAtomic'), false);
    assert.equal(rec.commands().some((argv) => argv.some((w) => w.includes('secret'))), false);
    assert.ok(rec.calls.filter((call) => call.op === 'run').every((call) => call.opts?.become === true));
  });

  it('writes the content byte-exact through the staging script with become', async () => {
    const dest = join(dir, 'x');
    writeFileSync(dest, 'old');
    const content = `secret "$(reboot)"; rm -rf / & <x>\n'q'\n`;
    const r = await copy(host, { dest, content }, { become: true });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(dest, 'utf8'), content);
    assert.deepEqual(readdirSync(dir), ['x']);
  });

  it('keeps the owner of the file it replaces', async () => {
    const dest = join(dir, 'x');
    writeFileSync(dest, 'old');
    chmodSync(dest, 0o600);
    chownSync(dest, 65534, 65534);
    await copy(host, { dest, content: 'new' }, { become: true });
    const st = statSync(dest);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [65534, 65534, 0o600]);
  });

  it('backs the old file up before replacing it and returns backup_file', async () => {
    const dest = join(dir, 'x');
    writeFileSync(dest, 'old\n');
    const r = await copy(host, { dest, content: 'new\n', backup: true });
    const backup = String(r.data?.backup_file);
    assert.match(backup, /\/x\.[0-9a-f]{12}\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    assert.equal(readFileSync(backup, 'utf8'), 'old\n');
    assert.equal(readFileSync(dest, 'utf8'), 'new\n');
  });

  it('replaces nothing when validate fails, and removes the staged file', async () => {
    const dest = join(dir, 'x');
    writeFileSync(dest, 'old\n');
    const check = 'echo parse error >&2; exit 1';
    const r = await copy(host, { dest, content: 'bad\n', validate: `sh -c "${check}" %s` });
    assert.deepEqual([r.changed, r.failed], [false, true]);
    assert.match(r.msg, /failed to validate: rc:1 error:parse error/);
    assert.equal(r.rc, 1);
    assert.equal(readFileSync(dest, 'utf8'), 'old\n');
    assert.deepEqual(readdirSync(dir), ['x']);
    // The validator gets the staged file inside the write's private directory, never a name others can swap.
    const write = host.commands.find((argv) => argv[2] === WRITE_SCRIPT);
    assert.deepEqual(write?.slice(-4), ['sh', '-c', check, '/proc/self/cwd/new']);
  });

  it('leaves an existing file alone with force: no', async () => {
    const dest = join(dir, 'x');
    writeFileSync(dest, 'mine\n');
    const r = await copy(host, { dest, content: 'theirs\n', force: 'no' });
    // Ansible's copy action runs no module then: the result has no message.
    assert.deepEqual([r.changed, r.msg], [false, '']);
    assert.equal(readFileSync(dest, 'utf8'), 'mine\n');
  });

  it('copies a local src into a directory dest under its own name', async () => {
    const conf = join(dir, 'conf');
    mkdirSync(conf);
    const r = await copy(host, { src: 'files/app.ini', dest: conf }, { files: { 'files/app.ini': '[a]\n' } });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(join(conf, 'app.ini'), 'utf8'), '[a]\n');
    assert.deepEqual([r.data?.dest, r.data?.src], [join(conf, 'app.ini'), 'files/app.ini']);
  });

  it('refuses content with a directory dest', async () => {
    const r = await copy(host, { content: 'x', dest: `${dir}/` });
    assert.deepEqual([r.failed, r.msg], [true, 'can not use content with a dir as dest']);
    assert.deepEqual(host.commands, []);
    const probed = await copy(host, { content: 'x', dest: dir });
    assert.deepEqual([probed.failed, probed.msg], [true, 'can not use content with a dir as dest']);
  });

  it('fails when the local src cannot be read, before touching the host', async () => {
    const r = await copy(host, { src: 'files/none', dest: join(dir, 'x') });
    assert.equal(r.failed, true);
    assert.match(r.msg, /^cannot read src files\/none: no such local file/);
    assert.deepEqual(host.commands, []);
  });

  it('needs src for mode: preserve', async () => {
    const r = await copy(host, { content: 'x', dest: join(dir, 'x'), mode: 'preserve' });
    assert.deepEqual([r.failed, r.msg], [true, 'mode: preserve needs src']);
  });

  it('fails when the destination directory does not exist', async () => {
    const r = await copy(host, { dest: join(dir, 'nope', 'x'), content: 'a' });
    assert.equal(r.failed, true);
    assert.equal(r.msg, `Destination directory ${join(dir, 'nope')} does not exist`);
  });

  it('writes a map content as JSON, as Ansible does (Python json.dumps: spaced separators, ASCII escapes)', async () => {
    await copy(host, { dest: join(dir, 'x.json'), content: { a: [1, 2], u: 'ü' } });
    assert.equal(readFileSync(join(dir, 'x.json'), 'utf8'), '{"a": [1, 2], "u": "\\u00fc"}');
  });

  it('returns Ansible-shaped result fields', async () => {
    const dest = join(dir, 'x');
    const r = await copy(host, { dest, content: 'abc', mode: 'u=rw,go=' });
    assert.deepEqual(
      { ...r.data },
      {
        dest,
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
    assert.throws(() => parse({ dest: '/x', content: 'a', src: 'b' }), /parameters are mutually exclusive: content\|src/);
    assert.throws(() => parse({ dest: '/x' }), /one of the following is required: content, src/);
    assert.throws(() => parse({ dest: 'relative', content: 'a' }), /absolute/);
    assert.throws(() => parse({ dest: '/x', content: 'a', mode: '0999' }), /octal mode/);
  });
});

describe('template module', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-template-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('renders and writes through the same writer as copy, unchanged the second time', async () => {
    const host = new LocalHost();
    const dest = join(dir, 'ifcfg-br0');
    const args = templateModule.args.parse({ src: 'ifcfg-bridge.hbs', dest, mode: 420 });
    const ctx = fakeContext({ files: { 'ifcfg-bridge.hbs': 'DEVICE=br0\nTYPE=Bridge\n' }, diff: true });
    const first = await templateModule.run(host, args, ctx);
    assert.equal(first.changed, true);
    assert.equal(first.data?.src, 'ifcfg-bridge.hbs');
    assert.match(first.diff ?? '', /\+DEVICE=br0/);
    assert.equal(readFileSync(dest, 'utf8'), 'DEVICE=br0\nTYPE=Bridge\n');
    assert.equal(statSync(dest).mode & 0o7777, 0o644);
    const second = await templateModule.run(host, args, ctx);
    assert.equal(second.changed, false);
    assert.equal(second.diff, undefined);
  });

  it('fails the task when the template does not render', async () => {
    const host = new RecordedHost();
    const r = await templateModule.run(host, templateModule.args.parse({ src: 'missing.hbs', dest: '/x' }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /missing\.hbs/);
    assert.deepEqual(host.calls, []);
  });
});
