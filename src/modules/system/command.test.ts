import assert from 'node:assert/strict';
import type { RunOptions } from '../../transport/host.js';
import { commandModule } from './command.js';
import { GLOB_EXISTS_SCRIPT, pyDelta, pyTimestamp } from './command-run.js';
import type { ModuleContext } from '../module.js';
import { shellModule } from './shell.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { FakeHost } from '../../../test/support/fake-host.js';

const command = (host: FakeHost, raw: Record<string, unknown>, ctx: Partial<ModuleContext> = {}) =>
  commandModule.run(host, commandModule.args.parse(raw), fakeContext(ctx));
const shell = (host: FakeHost, raw: Record<string, unknown>, ctx: Partial<ModuleContext> = {}) =>
  shellModule.run(host, shellModule.args.parse(raw), fakeContext(ctx));

function echoHost(): { host: FakeHost; ran: Array<{ argv: readonly string[]; opts: RunOptions }> } {
  const host = new FakeHost({ '/srv/exists': 'x' });
  const ran: Array<{ argv: readonly string[]; opts: RunOptions }> = [];
  host.onCommand = (argv, opts) => {
    ran.push({ argv, opts });
    if (argv[0] === 'false') return { rc: 1, stdout: '', stderr: 'nope\n' };
    return { rc: 0, stdout: `${argv.slice(1).join('|')}\nline2\n\n`, stderr: '' };
  };
  return { host, ran };
}

describe('command module', () => {
  it('splits the free-form string like shlex and runs it without a shell', async () => {
    const { host, ran } = echoHost();
    const r = await command(host, { cmd: `echo "a b" 'c d' $HOME \\; *.txt >out` });
    assert.deepEqual(ran[0]?.argv, ['echo', 'a b', 'c d', '$HOME', ';', '*.txt', '>out']);
    assert.equal(r.changed, true);
    assert.equal(r.rc, 0);
    assert.equal(r.stdout, 'a b|c d|$HOME|;|*.txt|>out\nline2');
    assert.deepEqual(r.data?.stdout_lines, ['a b|c d|$HOME|;|*.txt|>out', 'line2']);
    assert.deepEqual(r.data?.cmd, ['echo', 'a b', 'c d', '$HOME', ';', '*.txt', '>out']);
    assert.match(String(r.data?.start), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.match(String(r.data?.delta), /^0:00:00\.\d{6}$/);
  });

  it('takes an argv list as is', async () => {
    const { host, ran } = echoHost();
    await command(host, { argv: ['printf', '%s', `it's "$(x)"`, 5] });
    assert.deepEqual(ran[0]?.argv, ['printf', '%s', `it's "$(x)"`, '5']);
  });

  it('fails with rc and stderr on a non-zero exit', async () => {
    const { host } = echoHost();
    const r = await command(host, { cmd: 'false' });
    assert.deepEqual([r.failed, r.rc, r.stderr, r.msg], [true, 1, 'nope', 'non-zero return code']);
    assert.deepEqual(r.data?.stderr_lines, ['nope']);
  });

  it('is skipped with a message when creates exists, and runs in chdir with stdin', async () => {
    const { host, ran } = echoHost();
    const skipped = await command(host, { cmd: 'touch x', creates: '/srv/ex*s' });
    assert.deepEqual([skipped.changed, skipped.msg, skipped.stdout], [false, "Did not run command since '/srv/ex*s' exists", 'skipped, since /srv/ex*s exists']);
    assert.equal(ran.length, 0);
    await command(host, { cmd: 'cat', creates: 'nothing', chdir: '/srv', stdin: 'hi' });
    assert.equal(ran[0]?.opts.cwd, '/srv');
    assert.equal(ran[0]?.opts.stdin, 'hi\n');
    const probe = host.calls.find((c) => c.argv?.[2] === GLOB_EXISTS_SCRIPT && c.argv?.[4] === 'nothing');
    assert.equal(probe?.opts?.cwd, '/srv');
  });

  it('is skipped when removes is missing', async () => {
    const { host, ran } = echoHost();
    const r = await command(host, { cmd: 'rm /srv/gone', removes: '/srv/gone' });
    assert.deepEqual([r.changed, r.msg], [false, "Did not run command since '/srv/gone' does not exist"]);
    assert.deepEqual(ran, []);
  });

  it('does not run in check mode: skipped, or changed when creates says it would run', async () => {
    const { host, ran } = echoHost();
    const plain = await command(host, { cmd: 'reboot' }, { check: true });
    assert.deepEqual([plain.changed, plain.skipped, plain.msg], [false, true, 'Command would have run if not in check mode']);
    const known = await command(host, { cmd: 'make', creates: '/srv/nothing' }, { check: true });
    assert.deepEqual([known.changed, known.skipped], [true, undefined]);
    const would = await command(host, { cmd: 'make', creates: '/srv/exists' }, { check: true });
    assert.deepEqual([would.changed, would.msg], [false, "Would not run command since '/srv/exists' exists"]);
    assert.deepEqual(ran, []);
  });

  it('reports a timeout as a failure', async () => {
    const host = new FakeHost();
    host.onCommand = () => ({ rc: null, stdout: '', stderr: '', timedOut: true });
    const r = await command(host, { cmd: 'sleep 100' }, { timeoutMs: 2000 });
    assert.equal(r.failed, true);
    assert.match(r.msg, /timed out after 2 seconds/);
  });

  it('passes become, timeout and the abort signal to the host', async () => {
    const { host, ran } = echoHost();
    const signal = new AbortController().signal;
    await command(host, { cmd: 'id' }, { become: true, timeoutMs: 5000, signal });
    assert.deepEqual([ran[0]?.opts.become, ran[0]?.opts.timeoutMs, ran[0]?.opts.signal], [true, 5000, signal]);
  });

  it('fails clearly on an unbalanced quote', async () => {
    const r = await command(new FakeHost(), { cmd: `echo "oops` });
    assert.equal(r.failed, true);
    assert.match(r.msg, /No closing quotation/);
  });

  it('needs exactly one of cmd or argv', () => {
    assert.throws(() => commandModule.args.parse({}), /exactly one of cmd/);
    assert.throws(() => commandModule.args.parse({ cmd: 'a', argv: ['a'] }), /exactly one of cmd/);
    assert.throws(() => commandModule.args.parse({ cmd: 'a', shell: true }), /shell/);
  });
});

describe('shell module', () => {
  it('runs the string through sh -c, as written', async () => {
    const { host, ran } = echoHost();
    const r = await shell(host, { cmd: 'echo ok > f && cat f | wc -l' });
    assert.deepEqual(ran[0]?.argv, ['/bin/sh', '-c', 'echo ok > f && cat f | wc -l']);
    assert.equal(r.data?.cmd, 'echo ok > f && cat f | wc -l');
  });

  it('uses executable when given', async () => {
    const { host, ran } = echoHost();
    await shell(host, { cmd: 'echo $BASH_VERSION', executable: '/bin/bash' });
    assert.deepEqual(ran[0]?.argv, ['/bin/bash', '-c', 'echo $BASH_VERSION']);
  });

  it('keeps stdout exactly with strip_empty_ends false and no newline added to stdin', async () => {
    const { host, ran } = echoHost();
    const r = await shell(host, { cmd: 'cat', stdin: 'x', stdin_add_newline: false, strip_empty_ends: false });
    assert.equal(ran[0]?.opts.stdin, 'x');
    assert.equal(r.stdout, 'cat\nline2\n\n'.replace(/^cat/, '-c|cat'));
  });
});

describe('command timestamps', () => {
  it('formats like Python datetime and timedelta', () => {
    assert.equal(pyTimestamp(new Date(2024, 0, 2, 3, 4, 5, 67)), '2024-01-02 03:04:05.067000');
    assert.equal(pyDelta(3_723_004), '1:02:03.004000');
  });
});
