import assert from 'node:assert/strict';
import { TaskError, UnreachableError } from '../../errors.js';
import type { ModuleContext } from '../module.js';
import type { Clock } from './pause.js';
import { CHECK_MODE_SKIP, planWaitForConnection, waitForConnection, WaitForConnectionArgs, waitForConnectionModule } from './wait-for-connection.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

/** Simulated time: sleeps and failed connects move it on at once. */
class FakeClock implements Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.t += ms;
  }
}

const REFUSED = 'lab01 (10.213.0.11:22): connect ECONNREFUSED 10.213.0.11:22';
const args = (raw: Record<string, unknown> = {}): WaitForConnectionArgs => WaitForConnectionArgs.parse(raw);

/** A host whose first `failures` connects fail as unreachable after their connect timeout (simulated). */
function flakyHost(clock: FakeClock, failures: number): { host: RecordedHost; connectTimeouts: Array<number | undefined> } {
  const host = new RecordedHost('lab01').on(['true'], { rc: 0 });
  const connectTimeouts: Array<number | undefined> = [];
  let left = failures;
  host.onReconnect = (opts) => {
    connectTimeouts.push(opts.timeoutMs);
    if (left <= 0) return;
    left -= 1;
    clock.t += opts.timeoutMs ?? 0;
    throw new UnreachableError('lab01', REFUSED);
  };
  return { host, connectTimeouts };
}

describe('wait_for_connection arguments', () => {
  it("has Ansible's defaults and reads numbers as Python's int() does", () => {
    assert.deepEqual(args(), { connect_timeout: 5, delay: 0, sleep: 1, timeout: 600 });
    assert.deepEqual(args({ timeout: '30', delay: 2.7, sleep: ' 0 ' }), { connect_timeout: 5, delay: 2, sleep: 0, timeout: 30 });
    assert.equal(WaitForConnectionArgs.safeParse({ timeout: '1.5' }).success, false);
    assert.equal(WaitForConnectionArgs.safeParse({ timeout: -1 }).success, false);
    assert.equal(WaitForConnectionArgs.safeParse({ port: 22 }).success, false);
  });
});

describe('wait_for_connection', () => {
  const ctx = (over: Partial<ModuleContext> = {}): ModuleContext => fakeContext({ hostName: 'lab01', ...over });

  it('opens a new connection and runs true on it, with the task\'s become', async () => {
    const clock = new FakeClock();
    const { host, connectTimeouts } = flakyHost(clock, 0);
    assert.deepEqual(await waitForConnection(host, args(), ctx({ become: true }), clock), { elapsed: 0 });
    assert.deepEqual(host.calls.map((c) => c.op), ['reconnect', 'run']);
    assert.deepEqual(host.commands(), [['true']]);
    assert.equal(host.calls[1]?.opts?.become, true);
    assert.deepEqual(connectTimeouts, [5000]);
  });

  it('retries an unreachable host every sleep seconds until it answers', async () => {
    const clock = new FakeClock();
    const { host } = flakyHost(clock, 3);
    const r = await waitForConnection(host, args({ sleep: 2 }), ctx(), clock);
    // Three failed connects of 5 s, each followed by a 2 s sleep.
    assert.deepEqual(r, { elapsed: 21 });
    assert.equal(host.calls.filter((c) => c.op === 'reconnect').length, 4);
    assert.deepEqual(planWaitForConnection(r), { changes: [], okMsg: 'connected after 21 s', data: { elapsed: 21 } });
  });

  it("fails (not unreachable) when the timeout passes, with Ansible's message and the last error", async () => {
    const clock = new FakeClock();
    const { host, connectTimeouts } = flakyHost(clock, Infinity);
    const r = await waitForConnection(host, args({ timeout: 15, connect_timeout: 10 }), ctx(), clock);
    // Connects of 10 s, then of the 4 s left, each followed by a 1 s sleep.
    assert.deepEqual(r, { elapsed: 16, timedOut: true, lastError: REFUSED });
    assert.deepEqual(connectTimeouts, [10_000, 4000]);
    assert.deepEqual(planWaitForConnection(r), { fail: `timed out waiting for ping module test: ${REFUSED}`, data: { elapsed: 16 } });
  });

  it('retries a host that connects but cannot run the command', async () => {
    const clock = new FakeClock();
    const host = new RecordedHost('lab01').on(['true'], { rc: 1, stderr: 'sudo: a password is required\n' }, 2).on(['true'], { rc: 0 });
    assert.deepEqual(await waitForConnection(host, args(), ctx({ become: true }), clock), { elapsed: 2 });
  });

  it('starts after delay, which does not count against the timeout (as in Ansible)', async () => {
    const clock = new FakeClock();
    const { host } = flakyHost(clock, 0);
    const started = clock.t;
    let firstTry = 0;
    host.onReconnect = () => { firstTry = clock.t - started; };
    assert.deepEqual(await waitForConnection(host, args({ delay: 10, timeout: 5 }), ctx(), clock), { elapsed: 10 });
    assert.equal(firstTry, 10_000);
  });

  it('ends on Ctrl-C or the task deadline without calling the host unreachable', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const host = new RecordedHost('lab01');
    host.onReconnect = () => {
      ac.abort();
      throw new UnreachableError('lab01', REFUSED);
    };
    await assert.rejects(waitForConnection(host, args(), ctx({ signal: ac.signal }), clock), (err) => err instanceof TaskError && !(err instanceof UnreachableError));
  });

  it('is a failed task, not an unreachable host, through the module too', async () => {
    const host = new RecordedHost('lab01');
    host.onReconnect = () => {
      throw new UnreachableError('lab01', REFUSED);
    };
    const r = await waitForConnectionModule.run(host, args({ timeout: 1, connect_timeout: 1 }), fakeContext());
    assert.deepEqual(r, { changed: false, failed: true, msg: `timed out waiting for ping module test: ${REFUSED}`, data: { elapsed: 1 } });
  });

  it('is skipped in check mode without contacting the host, as Ansible skips it', async () => {
    const host = new RecordedHost('lab01');
    assert.deepEqual(await waitForConnectionModule.run(host, args(), fakeContext({ check: true })), { changed: false, skipped: true, msg: CHECK_MODE_SKIP });
    assert.equal(host.calls.length, 0);
  });
});
