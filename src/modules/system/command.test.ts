import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host } from '../../transport/host.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { CommandArgs, commandModule } from './command.js';
import { GLOB_EXISTS_SCRIPT, planCommand, pyDelta, pyTimestamp, type CommandSpec } from './command-run.js';
import type { RunModuleContext } from '../module.js';
import { shellModule } from './shell.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost, runsScript } from '../../../test/support/recorded-host.js';

const command = (host: Host, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) =>
  commandModule.run(host, commandModule.args.parse(raw), fakeContext(ctx));
const shell = (host: Host, raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) =>
  shellModule.run(host, shellModule.args.parse(raw), fakeContext(ctx));
const isGlob = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === GLOB_EXISTS_SCRIPT;
/** The commands a LocalHost ran besides the creates/removes globs. */
const ran = (host: LocalHost): Array<readonly string[]> => host.commands.filter((argv) => !isGlob(argv));

describe('command module', () => {
  let dir = '';
  let host: LocalHost;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-command-'));
    writeFileSync(join(dir, 'exists'), 'x');
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('splits the free-form string like shlex and runs it without a shell', async () => {
    const r = await command(host, { cmd: `printf "%s|%s|%s|%s|%s|%s\\nline2\\n\\n" "a b" 'c d' $HOME \\; *.txt >out`, chdir: dir });
    const argv = ['printf', '%s|%s|%s|%s|%s|%s\\nline2\\n\\n', 'a b', 'c d', '$HOME', ';', '*.txt', '>out'];
    assert.deepEqual(ran(host), [argv]);
    assert.deepEqual([r.changed, r.failed, r.msg, r.rc], [true, undefined, '', 0]);
    assert.equal(r.stdout, 'a b|c d|$HOME|;|*.txt|>out\nline2');
    assert.deepEqual(r.data?.stdout_lines, ['a b|c d|$HOME|;|*.txt|>out', 'line2']);
    assert.deepEqual(r.data?.cmd, argv);
    assert.match(String(r.data?.start), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.match(String(r.data?.delta), /^0:00:0\d\.\d{6}$/);
  });

  it('takes an argv list as is', async () => {
    const r = await command(host, { argv: ['printf', '%s', `it's "$(x)"`, 5] });
    assert.deepEqual(ran(host), [['printf', '%s', `it's "$(x)"`, '5']]);
    // printf reuses its format for the last word: both reached it as words, nothing expanded.
    assert.equal(r.stdout, `it's "$(x)"5`);
  });

  it('fails with rc and stderr on a non-zero exit, still changed', async () => {
    const r = await command(host, { argv: ['sh', '-c', 'echo out; echo nope >&2; exit 3'] });
    assert.deepEqual([r.changed, r.failed, r.rc, r.stdout, r.stderr, r.msg], [true, true, 3, 'out', 'nope', 'non-zero return code']);
    assert.deepEqual(r.data?.stderr_lines, ['nope']);
    assert.deepEqual(r.data?.cmd, ['sh', '-c', 'echo out; echo nope >&2; exit 3']);
  });

  it('is skipped with a message when creates exists, and runs in chdir with stdin', async () => {
    const skipped = await command(host, { cmd: 'touch x', creates: join(dir, 'ex*s') });
    assert.deepEqual(
      [skipped.changed, skipped.msg, skipped.rc, skipped.stdout, skipped.stderr],
      [false, `Did not run command since '${join(dir, 'ex*s')}' exists`, 0, `skipped, since ${join(dir, 'ex*s')} exists`, ''],
    );
    assert.deepEqual(skipped.data, { cmd: ['touch', 'x'], stdout_lines: [`skipped, since ${join(dir, 'ex*s')} exists`], stderr_lines: [] });
    assert.deepEqual(ran(host), []);
    const r = await command(host, { cmd: 'cat', creates: 'nothing', chdir: dir, stdin: 'hi', strip_empty_ends: false });
    assert.equal(r.stdout, 'hi\n');
    const pwd = await command(host, { cmd: 'pwd', creates: 'exi*', chdir: dir });
    assert.equal(pwd.changed, false, 'the glob is matched in chdir');
  });

  it('sends chdir and stdin with the command and the creates probe', async () => {
    const rec = new RecordedHost().on(runsScript(GLOB_EXISTS_SCRIPT), { rc: 1 }).on(['cat'], { stdout: 'hi\n' });
    await command(rec, { cmd: 'cat', creates: 'nothing', chdir: '/srv', stdin: 'hi' });
    const [probe, cat] = rec.calls;
    assert.deepEqual([probe?.argv?.[4], probe?.opts?.cwd], ['nothing', '/srv']);
    assert.deepEqual([cat?.argv, cat?.opts?.cwd, cat?.opts?.stdin], [['cat'], '/srv', 'hi\n']);
  });

  it('is skipped when removes is missing', async () => {
    const gone = join(dir, 'gone');
    const r = await command(host, { cmd: `rm ${gone}`, removes: gone });
    assert.deepEqual([r.changed, r.msg, r.stdout], [false, `Did not run command since '${gone}' does not exist`, `skipped, since ${gone} does not exist`]);
    assert.deepEqual(ran(host), []);
  });

  it('does not run in check mode: skipped, or changed when creates says it would run', async () => {
    const plain = await command(host, { cmd: 'reboot' }, { check: true });
    assert.deepEqual([plain.changed, plain.skipped, plain.msg, plain.rc], [false, true, 'Command would have run if not in check mode', 0]);
    assert.deepEqual(plain.data, { cmd: ['reboot'] });
    const known = await command(host, { cmd: 'make', creates: join(dir, 'nothing') }, { check: true });
    assert.deepEqual([known.changed, known.skipped, known.msg], [true, undefined, 'Command would have run if not in check mode']);
    const would = await command(host, { cmd: 'make', creates: join(dir, 'exists') }, { check: true });
    assert.deepEqual([would.changed, would.msg], [false, `Would not run command since '${join(dir, 'exists')}' exists`]);
    const removes = await command(host, { cmd: 'make', removes: join(dir, 'nothing') }, { check: true });
    assert.deepEqual([removes.changed, removes.msg], [false, `Would not run command since '${join(dir, 'nothing')}' does not exist`]);
    assert.deepEqual(ran(host), []);
  });

  it('plans from what creates and removes matched', () => {
    const spec: CommandSpec = { argv: ['make'], display: ['make'], creates: 'out', removes: 'in', stdinAddNewline: true, stripEmptyEnds: true };
    assert.equal(planCommand(spec, { creates: false, removes: true }).changes.length, 1);
    assert.equal(planCommand(spec, { creates: true }).okMsg, "Did not run command since 'out' exists");
    assert.equal(planCommand(spec, { creates: false, removes: false }).okMsg, "Did not run command since 'in' does not exist");
    assert.equal(planCommand({ ...spec, creates: undefined, removes: undefined }, {}).skippedInCheck, true);
  });

  it('reports a timeout as a failure', async () => {
    const rec = new RecordedHost().on(['sleep'], { rc: null, timedOut: true });
    const r = await command(rec, { cmd: 'sleep 100' }, { timeoutMs: 2000 });
    assert.deepEqual([r.failed, r.rc], [true, null]);
    assert.match(r.msg, /timed out after 2 seconds/);
  });

  it('passes become, timeout and the abort signal to the host', async () => {
    const rec = new RecordedHost().on(['id'], { stdout: 'uid=0(root)\n' });
    const signal = new AbortController().signal;
    const r = await command(rec, { cmd: 'id' }, { become: true, timeoutMs: 5000, signal });
    const opts = rec.calls[0]?.opts;
    assert.deepEqual([opts?.become, opts?.timeoutMs, opts?.signal], [true, 5000, signal]);
    assert.equal(r.stdout, 'uid=0(root)');
  });

  it('fails clearly on an unbalanced quote, running nothing', async () => {
    const r = await command(host, { cmd: `echo "oops` });
    assert.equal(r.failed, true);
    assert.match(r.msg, /^cannot split the command: No closing quotation/);
    assert.deepEqual(r.data, { cmd: 'echo "oops' });
    assert.deepEqual(host.commands, []);
  });

  it('needs exactly one of cmd or argv', () => {
    assert.throws(() => CommandArgs.parse({}), /exactly one of cmd/);
    assert.throws(() => CommandArgs.parse({ cmd: 'a', argv: ['a'] }), /exactly one of cmd/);
    assert.throws(() => CommandArgs.parse({ cmd: 'a', shell: true }), /shell/);
  });
});

describe('shell module', () => {
  let dir = '';
  let host: LocalHost;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-shell-'));
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the string through sh -c, as written', async () => {
    const r = await shell(host, { cmd: 'echo ok > f && cat f | wc -l', chdir: dir });
    assert.deepEqual(host.commands, [['/bin/sh', '-c', 'echo ok > f && cat f | wc -l']]);
    assert.equal(r.stdout, '1');
    assert.equal(r.data?.cmd, 'echo ok > f && cat f | wc -l');
  });

  it('uses executable when given', async () => {
    const r = await shell(host, { cmd: 'echo ${BASH_VERSION:+bash}', executable: '/bin/bash' });
    assert.deepEqual(host.commands, [['/bin/bash', '-c', 'echo ${BASH_VERSION:+bash}']]);
    assert.equal(r.stdout, 'bash');
  });

  it('keeps stdout exactly with strip_empty_ends false and no newline added to stdin', async () => {
    const r = await shell(host, { cmd: 'cat; printf "\\nline2\\n\\n"', stdin: 'x', stdin_add_newline: false, strip_empty_ends: false });
    assert.equal(r.stdout, 'x\nline2\n\n');
  });
});

describe('command timestamps', () => {
  it('formats like Python datetime and timedelta', () => {
    assert.equal(pyTimestamp(new Date(2024, 0, 2, 3, 4, 5, 67)), '2024-01-02 03:04:05.067000');
    assert.equal(pyDelta(3_723_004), '1:02:03.004000');
  });
});
