import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InterruptedError } from '../../errors.js';
import { LocalHost } from '../../transport/local/local-host.js';
import type { RunModuleContext } from '../module.js';
import { CHECK_MODE_SKIP, parseWaitOutput, planWaitFor, timeoutMessage, WAIT_SCRIPT, waitArgv, WaitForArgs, waitForModule, waitMode, type WaitOutcome } from './wait-for.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost, runsScript } from '../../../test/support/recorded-host.js';

const parse = (raw: Record<string, unknown>): WaitForArgs => WaitForArgs.parse(raw);
const refusal = (raw: Record<string, unknown>): string => {
  const r = WaitForArgs.safeParse(raw);
  assert.equal(r.success, false, JSON.stringify(raw));
  return r.error?.issues.map((i) => i.message).join('; ') ?? '';
};

describe('wait_for arguments', () => {
  it("has Ansible's defaults", () => {
    assert.deepEqual(parse({}), { host: '127.0.0.1', state: 'started', delay: 0, timeout: 300, sleep: 1, connect_timeout: 5 });
  });

  it("takes Ansible's int forms: numbers, text, whole floats; refuses fractions and negatives", () => {
    assert.equal(parse({ port: '22', timeout: 5.0, delay: ' 2 ' }).port, 22);
    assert.equal(parse({ timeout: '1e1' }).timeout, 10);
    assert.match(refusal({ timeout: 1.5 }), /whole number/);
    assert.match(refusal({ sleep: 'soon' }), /whole number/);
    assert.match(refusal({ delay: -1 }), /negative/);
    assert.match(refusal({ port: 70000 }), /1-65535/);
  });

  it("refuses what Ansible refuses, in Ansible's words", () => {
    assert.match(refusal({ port: 22, path: '/x' }), /^port and path parameter can not both be passed to wait_for$/);
    assert.match(refusal({ path: '/x', state: 'stopped' }), /^state=stopped should only be used for checking a port in the wait_for module$/);
  });

  it('refuses drained and its arguments by name as not supported', () => {
    assert.match(refusal({ port: 80, state: 'drained' }), /state=drained is not supported/);
    assert.match(refusal({ port: 80, exclude_hosts: ['10.0.0.1'] }), /exclude_hosts is not supported/);
    assert.match(refusal({ port: 80, active_connection_states: ['ESTABLISHED'] }), /active_connection_states is not supported/);
    assert.match(refusal({ prot: 80 }), /prot/);
  });

  it('waits for a port, a path, or just time, by state', () => {
    const table: Array<[Record<string, unknown>, string]> = [
      [{ port: 22 }, 'port-open'], [{ port: 22, state: 'present' }, 'port-open'],
      [{ port: 22, state: 'stopped' }, 'port-closed'], [{ port: 22, state: 'absent' }, 'port-closed'],
      [{ path: '/x' }, 'path-present'], [{ path: '/x', state: 'absent' }, 'path-absent'],
      [{ timeout: 3 }, 'sleep'], [{ search_regex: 'x' }, 'sleep'],
    ];
    for (const [raw, mode] of table) assert.equal(waitMode(parse(raw)), mode, JSON.stringify(raw));
  });
});

describe('wait_for results', () => {
  const ok: WaitOutcome = { kind: 'ok', elapsed: 3, groups: ['foo'], groupdict: { task: 'foo' } };

  it("returns Ansible's keys, with null for the arguments not given", () => {
    const a = parse({ path: '/tmp/foo', search_regex: 'completed (?P<task>\\w+)' });
    const r = planWaitFor(a, ok);
    assert.ok(!('fail' in r));
    assert.deepEqual(r.changes, []);
    assert.deepEqual(r.data, { state: 'started', port: null, search_regex: 'completed (?P<task>\\w+)', match_groups: ['foo'], match_groupdict: { task: 'foo' }, path: '/tmp/foo', elapsed: 3 });
    assert.equal(r.okMsg, 'search string completed (?P<task>\\w+) found in /tmp/foo (elapsed 3 s)');
  });

  it("fails a timeout with Ansible's message for each kind of wait", () => {
    const table: Array<[Record<string, unknown>, string]> = [
      [{ port: 22 }, 'Timeout when waiting for 127.0.0.1:22'],
      [{ port: 22, host: 'db', search_regex: 'OpenSSH' }, 'Timeout when waiting for search string OpenSSH in db:22'],
      [{ port: 22, state: 'stopped' }, 'Timeout when waiting for 127.0.0.1:22 to stop.'],
      [{ path: '/x' }, 'Timeout when waiting for file /x'],
      [{ path: '/x', search_regex: 'done' }, 'Timeout when waiting for search string done in /x'],
      [{ path: '/x', state: 'absent' }, 'Timeout when waiting for /x to be absent.'],
    ];
    for (const [raw, msg] of table) {
      assert.equal(timeoutMessage(parse(raw)), msg);
      assert.deepEqual(planWaitFor(parse(raw), { kind: 'timeout', elapsed: 2 }), { fail: msg, data: { elapsed: 2 } });
    }
  });

  it('lets msg replace the failure message, but not a setup error', () => {
    const a = parse({ path: '/x', msg: 'no /x' });
    assert.deepEqual(planWaitFor(a, { kind: 'timeout', elapsed: 2 }), { fail: 'no /x', data: { elapsed: 2 } });
    assert.deepEqual(planWaitFor(a, { kind: 'failed', elapsed: 0, text: 'Failed to stat /x, Permission denied' }), { fail: 'no /x', data: { elapsed: 0 } });
    assert.deepEqual(planWaitFor(a, { kind: 'error', elapsed: 0, text: 'Invalid regular expression: x' }), { fail: 'Invalid regular expression: x', data: { elapsed: 0 } });
  });

  it("reads the script's last lines", () => {
    assert.deepEqual(parseWaitOutput('groups {"groups": ["a", null], "groupdict": {"k": "a"}}\nelapsed 4\nresult ok\n'),
      { kind: 'ok', elapsed: 4, groups: ['a', null], groupdict: { k: 'a' } });
    assert.deepEqual(parseWaitOutput('elapsed 0\nresult ok\n'), { kind: 'ok', elapsed: 0, groups: [], groupdict: {} });
    assert.deepEqual(parseWaitOutput('elapsed 2\nresult timeout\n'), { kind: 'timeout', elapsed: 2 });
    assert.deepEqual(parseWaitOutput('elapsed 0\nresult failed\nerror Failed to stat /x, Not a directory\n'), { kind: 'failed', elapsed: 0, text: 'Failed to stat /x, Not a directory' });
    assert.equal(parseWaitOutput('sh: 1: syntax error\n'), undefined);
  });
});

describe('wait_for module (recorded host)', () => {
  it('sends one script with every value as a parameter, with become and a timeout past its own', async () => {
    const host = new RecordedHost().on(runsScript(WAIT_SCRIPT), { stdout: 'elapsed 0\nresult ok\n' });
    const a = parse({ port: 22, host: 'db $(x)', delay: 1, timeout: 10 });
    const r = await waitForModule.run(host, a, fakeContext({ become: true }));
    assert.deepEqual(r, { changed: false, msg: 'db $(x):22 is open (elapsed 0 s)', data: { state: 'started', port: 22, search_regex: null, match_groups: [], match_groupdict: {}, path: null, elapsed: 0 } });
    assert.deepEqual(host.commands(), [['sh', '-c', WAIT_SCRIPT, 'kvmplay', 'port-open', 'db $(x)', '22', '', '0', '', '1', '10', '1', '5']]);
    assert.deepEqual(host.commands()[0], waitArgv(a));
    assert.equal(host.calls[0]?.opts?.become, true);
    assert.equal(host.calls[0]?.opts?.timeoutMs, (1 + 10 + 1 + 5) * 1000 + 30_000);
  });

  it("keeps to the task's timeout when it is shorter", async () => {
    const host = new RecordedHost().on(runsScript(WAIT_SCRIPT), { stdout: 'elapsed 0\nresult ok\n' });
    await waitForModule.run(host, parse({ path: '/x' }), fakeContext({ timeoutMs: 7000 }));
    assert.equal(host.calls[0]?.opts?.timeoutMs, 7000);
  });

  it('is skipped in check mode without contacting the host, as Ansible skips it', async () => {
    const host = new RecordedHost();
    assert.deepEqual(await waitForModule.run(host, parse({ port: 22 }), fakeContext({ check: true })), { changed: false, skipped: true, msg: CHECK_MODE_SKIP });
    assert.equal(host.calls.length, 0);
  });

  it('fails with the output when the script itself fails', async () => {
    const host = new RecordedHost().on(runsScript(WAIT_SCRIPT), { rc: 2, stderr: 'sh: 1: Syntax error\n' });
    const r = await waitForModule.run(host, parse({ port: 22 }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.msg, 'wait_for: the wait script failed (rc=2): sh: 1: Syntax error');
    assert.equal(r.rc, 2);
  });
});

describe('wait_for script, run for real with /bin/sh', function () {
  this.timeout(30_000);
  const host = new LocalHost();
  let dir: string;
  let open: Server;
  let banner: Server;
  let openPort: number;
  let bannerPort: number;
  let closedPort: number;

  const listen = (server: Server): Promise<number> =>
    new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  const wait = (raw: Record<string, unknown>, over: Partial<RunModuleContext> = {}) => waitForModule.run(host, parse({ sleep: 0, ...raw }), fakeContext(over));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-wait-for-'));
    open = createServer((s) => s.end());
    openPort = await listen(open);
    banner = createServer((s) => setTimeout(() => s.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'), 100));
    bannerPort = await listen(banner);
    const gone = createServer();
    closedPort = await listen(gone);
    await close(gone);
  });

  after(async () => {
    await close(open);
    await close(banner);
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds an open port at once', async () => {
    const r = await wait({ port: openPort, timeout: 5 });
    assert.equal(r.failed, undefined, r.msg);
    assert.deepEqual(r.data, { state: 'started', port: openPort, search_regex: null, match_groups: [], match_groupdict: {}, path: null, elapsed: 0 });
  });

  it("times out on a closed port with Ansible's message, after timeout seconds", async () => {
    const started = Date.now();
    const r = await wait({ port: closedPort, timeout: 1 });
    assert.equal(r.failed, true);
    assert.equal(r.msg, `Timeout when waiting for 127.0.0.1:${closedPort}`);
    assert.deepEqual(r.data, { elapsed: 1 });
    assert.ok(Date.now() - started >= 900, 'waited about a second');
  });

  it('sees a closed port as stopped, and an open one as not stopping', async () => {
    assert.equal((await wait({ port: closedPort, state: 'stopped', timeout: 5 })).failed, undefined);
    const r = await wait({ port: openPort, state: 'stopped', timeout: 1 });
    assert.equal(r.msg, `Timeout when waiting for 127.0.0.1:${openPort} to stop.`);
  });

  it("matches search_regex in what the port sends; Ansible's match_groups stay empty for a port", async () => {
    const r = await wait({ port: bannerPort, search_regex: 'OpenSSH_(\\d+)', timeout: 5 });
    assert.equal(r.failed, undefined, r.msg);
    assert.deepEqual(r.data?.['match_groups'], []);
    const miss = await wait({ port: bannerPort, search_regex: 'nginx', timeout: 1 });
    assert.equal(miss.msg, `Timeout when waiting for search string nginx in 127.0.0.1:${bannerPort}`);
  });

  it('waits for a file to appear, and returns the groups of search_regex in it', async () => {
    const file = join(dir, 'late file');
    setTimeout(() => writeFileSync(file, 'starting\ncompleted build 42\n'), 1200);
    const r = await wait({ path: file, search_regex: '^completed (?P<task>\\w+) (\\d+)$', timeout: 10 });
    assert.equal(r.failed, undefined, r.msg);
    assert.deepEqual(r.data?.['match_groups'], ['build', '42']);
    assert.deepEqual(r.data?.['match_groupdict'], { task: 'build' });
    assert.ok(Number(r.data?.['elapsed']) >= 1, `elapsed ${String(r.data?.['elapsed'])}`);
  });

  it('waits for a file to go away, and fails on a path that can never be looked at', async () => {
    const file = join(dir, 'lock');
    writeFileSync(file, '');
    setTimeout(() => rmSync(file), 1200);
    assert.equal((await wait({ path: file, state: 'absent', timeout: 10 })).failed, undefined);
    assert.equal((await wait({ path: join(dir, 'never'), timeout: 1 })).msg, `Timeout when waiting for file ${join(dir, 'never')}`);
    const notDir = await wait({ path: '/etc/passwd/x', timeout: 10 });
    assert.deepEqual([notDir.msg, notDir.data], ['Failed to stat /etc/passwd/x, Not a directory', { elapsed: 0 }]);
  });

  it("refuses an invalid regex with Python's reason", async () => {
    const r = await wait({ path: '/etc/hostname', search_regex: '(unclosed' });
    assert.match(r.msg, /^Invalid regular expression: missing \), unterminated subpattern/);
  });

  it('without port or path, waits delay + timeout seconds and succeeds', async () => {
    const r = await wait({ delay: 1, timeout: 1 });
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.data?.['elapsed'], 2);
  });

  it('ends the remote wait when the run is interrupted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const started = Date.now();
    await assert.rejects(wait({ port: closedPort, timeout: 60 }, { signal: ac.signal }), InterruptedError);
    assert.ok(Date.now() - started < 5000);
  });

  it('checks a port with python3 where there is no bash', async () => {
    // A PATH with only what the script needs besides the shell's builtins, and no bash.
    const bin = join(dir, 'bin');
    execFileSync('mkdir', [bin]);
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
    symlinkSync(python, join(bin, 'python3'));
    for (const tool of ['sleep', 'ls', 'date']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim(), join(bin, tool));
    const run = async (raw: Record<string, unknown>): Promise<string> =>
      (await promisify(execFile)('/bin/sh', waitArgv(parse({ sleep: 0, ...raw })).slice(1), { env: { PATH: bin } })).stdout;
    assert.equal(await run({ port: openPort, timeout: 5 }), 'elapsed 0\nresult ok\n');
    assert.equal(await run({ port: closedPort, state: 'stopped', timeout: 5 }), 'elapsed 0\nresult ok\n');
    assert.equal(await run({ port: closedPort, timeout: 1 }), 'elapsed 1\nresult timeout\n');
  });
});
