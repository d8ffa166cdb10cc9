import assert from 'node:assert/strict';
import { NEEDS_TERMINAL, PauseArgs, pauseModule, pauseSeconds, planPause, pyRound2 } from './pause.js';
import type { RunModuleContext } from '../module.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

const args = (raw: Record<string, unknown>): PauseArgs => PauseArgs.parse(raw);

async function pause(raw: Record<string, unknown>, over: Partial<RunModuleContext> = {}) {
  const host = new RecordedHost();
  const r = await pauseModule.run(host, args(raw), fakeContext(over));
  assert.equal(host.calls.length, 0, 'pause never contacts the host');
  return r;
}

describe('pause arguments', () => {
  it("reads seconds and minutes as Python's int() does, at least 1 s", () => {
    const table: Array<[Record<string, unknown>, number | undefined]> = [
      [{ seconds: 10 }, 10], [{ seconds: '10' }, 10], [{ seconds: ' 3 ' }, 3], [{ seconds: 1.9 }, 1],
      [{ seconds: 0 }, 1], [{ seconds: -5 }, 1], [{ minutes: 2 }, 120], [{ minutes: '1' }, 60], [{ minutes: 0 }, 1],
      [{}, undefined], [{ prompt: 'Continue?' }, undefined],
    ];
    for (const [raw, seconds] of table) assert.equal(pauseSeconds(args(raw)), seconds, JSON.stringify(raw));
  });

  it('refuses text that is not a whole number, both durations, and unknown arguments', () => {
    assert.equal(PauseArgs.safeParse({ seconds: '1.5' }).success, false);
    assert.match(JSON.stringify(PauseArgs.safeParse({ seconds: 1, minutes: 1 }).error?.issues), /parameters are mutually exclusive: minutes\|seconds/);
    assert.equal(PauseArgs.safeParse({ duration: '1m' }).success, false);
    assert.equal(args({ echo: 'no' }).echo, false);
    assert.equal(args({}).echo, true);
  });
});

describe('pause results', () => {
  const start = new Date(2024, 4, 1, 12, 0, 0, 0);
  const after = (ms: number): Date => new Date(start.getTime() + ms);

  it("formats the time as Python's round(x, 2)", () => {
    assert.deepEqual([pyRound2(1.0004), pyRound2(2.5), pyRound2(0.016), pyRound2(60)], ['1.0', '2.5', '0.02', '60.0']);
  });

  it("says Paused for N seconds (or minutes, when given in minutes), with Ansible's keys", () => {
    const r = planPause(args({ seconds: 2 }), { kind: 'paused', start, stop: after(2004) });
    assert.deepEqual(r, {
      changes: [], okMsg: 'Paused for 2.0 seconds', rc: 0, stdout: 'Paused for 2.0 seconds', stderr: '',
      data: { start: '2024-05-01 12:00:00.000000', stop: '2024-05-01 12:00:02.004000', delta: 2, echo: true, user_input: '' },
    });
    const m = planPause(args({ minutes: 1, echo: false }), { kind: 'paused', start, stop: after(60_400) });
    assert.ok(!('fail' in m));
    assert.equal(m.stdout, 'Paused for 1.01 minutes');
    assert.deepEqual([m.data?.['delta'], m.data?.['echo']], [60, false]);
  });

  it('shows a prompt given with a duration before the result, as the message it is', () => {
    const r = planPause(args({ seconds: 1, prompt: 'Check the console' }), { kind: 'paused', start, stop: after(1000) });
    assert.ok(!('fail' in r));
    assert.equal(r.okMsg, 'Check the console\nPaused for 1.0 seconds');
  });
});

describe('pause module', function () {
  this.timeout(10_000);

  it('waits the seconds given, in check mode too, never changed', async () => {
    const started = Date.now();
    const r = await pause({ seconds: 1 }, { check: true });
    assert.ok(Date.now() - started >= 990, 'waited a second');
    assert.equal(r.changed, false);
    assert.equal(r.failed, undefined);
    // The time it really paused, rounded as Ansible does: a busy machine adds a few hundredths.
    assert.match(String(r.stdout), /^Paused for 1\.(0|[0-4]\d?) seconds$/);
    assert.deepEqual([r.rc, r.stderr, r.data?.['delta'], r.data?.['echo'], r.data?.['user_input']], [0, '', 1, true, '']);
    assert.match(String(r.data?.['start']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('fails at once without a duration: waiting for Enter needs a terminal', async () => {
    const started = Date.now();
    const r = await pause({});
    assert.ok(Date.now() - started < 500);
    assert.deepEqual(r, { changed: false, failed: true, msg: NEEDS_TERMINAL, data: { echo: true, user_input: '' } });
    const prompted = await pause({ prompt: 'Type yes to go on' });
    assert.equal(prompted.failed, true);
    assert.match(prompted.msg, /needs a terminal|waits for Enter at a terminal/);
    assert.match(prompted.msg, /give seconds: or minutes:/);
    assert.match(prompted.msg, /Type yes to go on/);
  });

  it('ends the wait on Ctrl-C', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const r = await pause({ minutes: 5 }, { signal: ac.signal });
    assert.ok(Date.now() - started < 2000);
    assert.equal(r.failed, true);
  });
});
