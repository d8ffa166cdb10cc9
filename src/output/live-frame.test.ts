import assert from 'node:assert/strict';
import { painter } from './color.js';
import type { RunEvent, TaskResultEvent } from './events.js';
import { HEADROOM, liveFrame } from './live-frame.js';
import { applyLiveEvent, newLiveState, type LiveState } from './live-state.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `lab${String(i + 1).padStart(2, '0')}`);
const start = (host: string, task: string): RunEvent => ({ event: 'task_start', host, task, play: 'p' });
const result = (host: string, task: string, status: TaskResultEvent['status'], extra: Partial<TaskResultEvent> = {}): RunEvent =>
  ({ event: 'task', host, task, play: 'p', status, changed: status === 'changed', duration_ms: 1, msg: '', ...extra });

/** Feed EVENTS, the i-th at time i seconds. */
function stateOf(events: RunEvent[]): LiveState {
  const state = newLiveState();
  events.forEach((e, i) => applyLiveEvent(state, e, i * 1000));
  return state;
}

const plain = { rows: 20, columns: 120, now: 100_000, paint: painter(false) };
const rowOf = (lines: string[], host: string): string | undefined => lines.find((l) => l.startsWith(`${host} `));

describe('live view frame', () => {
  const hosts = names(50);
  const begin: RunEvent[] = [{ event: 'run_start', hosts }, { event: 'play_start', play: 'sleepers', hosts }];

  it('shows the play and every host on its task before any result', () => {
    const lines = liveFrame(stateOf([begin[0]!, { event: 'play_start', play: 'web', hosts: names(3) },
      ...names(3).map((h) => start(h, 'install nginx'))]), plain);
    // 50 hosts in the run, 3 in the play: the three on the task are picked, the rest summarised.
    assert.equal(lines[0], 'PLAY [web]  50 hosts: 3 running, 47 waiting');
    assert.equal(lines[1], 'TASK [install nginx] 3 hosts');
    for (const h of names(3)) assert.match(rowOf(lines, h) ?? '', /ok=0 changed=0 +TASK \[install nginx\]/, lines.join('\n'));
    assert.doesNotMatch(lines.join('\n'), /lab01 .*waiting/);
  });

  it('fits 50 hosts into 20 rows: failed and running hosts shown, one line counting the rest', () => {
    const events = [...begin];
    // lab50 fails at once; lab41-lab49 then start a slow task; the others finish it.
    events.push(start('lab50', 'check'), result('lab50', 'check', 'failed', { msg: 'no disk\nmore text' }));
    for (const h of hosts.slice(0, 40)) events.push(start(h, 'sleep'), result(h, 'sleep', 'changed'));
    for (const h of hosts.slice(40, 49)) events.push(start(h, 'sleep'));
    const lines = liveFrame(stateOf(events), plain);

    assert.ok(lines.length <= 20 - HEADROOM, `${lines.length} lines`);
    assert.equal(lines[0], 'PLAY [sleepers]  50 hosts: 1 failed, 9 running, 40 ok');
    assert.equal(lines[1], 'TASK [sleep] 9 hosts');
    assert.match(lines[2] ?? '', /^lab50 +ok=0 changed=0 failed=1 +FAILED at \[check\]: no disk$/, 'the failed host comes first');
    for (const h of hosts.slice(40, 49)) assert.match(rowOf(lines, h) ?? '', /TASK \[sleep\] \d+s$/, `${h} is running`);
    const shown = lines.filter((l) => /^lab\d\d /.test(l)).length;
    assert.equal(lines.at(-1), `… ${50 - shown} more: ${50 - shown} ok`);
    assert.equal(lines.length, 20 - HEADROOM);
  });

  it('picks the longest running hosts when running hosts alone do not fit', () => {
    const events = [...begin, ...hosts.map((h) => start(h, 'sleep'))];
    const lines = liveFrame(stateOf(events), { ...plain, rows: 10 });
    assert.equal(lines.length, 10 - HEADROOM);
    // 8 lines: play, task, 5 hosts, summary — the first five to start.
    assert.deepEqual(lines.slice(2, 7).map((l) => l.split(' ')[0]), names(5));
    assert.equal(lines.at(-1), '… 45 more: 45 running');
  });

  it('shows unreachable hosts before running ones and counts waiting hosts in the summary', () => {
    const events = [...begin, start('lab30', 'ping'), result('lab30', 'ping', 'unreachable', { msg: 'connection refused' }), start('lab02', 'sleep')];
    const lines = liveFrame(stateOf(events), { ...plain, rows: 8 });
    assert.equal(lines.length, 8 - HEADROOM);
    assert.match(lines[2] ?? '', /^lab30 .*UNREACHABLE at \[ping\]: connection refused$/);
    // Room for three hosts: the unreachable, the running and one waiting, shown in the run's order below the stopped one.
    assert.deepEqual(lines.slice(3, 5).map((l) => l.split(' ')[0]), ['lab01', 'lab02']);
    assert.match(rowOf(lines, 'lab02') ?? '', /TASK \[sleep\] 1m36s$/);
    assert.equal(lines.at(-1), '… 47 more: 47 waiting');
  });

  it('never writes more lines than the terminal has, nor lines wider than it', () => {
    const events = [...begin, ...hosts.map((h) => start(h, `a task with a long name ${'x'.repeat(200)}`))];
    for (const rows of [1, 2, 3, 4, 5, 20, 60]) {
      for (const columns of [5, 40, 120]) {
        const lines = liveFrame(stateOf(events), { ...plain, rows, columns });
        assert.ok(lines.length <= Math.max(1, rows - HEADROOM), `${rows}x${columns}: ${lines.length} lines`);
        assert.ok(lines.length >= 1);
        for (const l of lines) assert.ok([...l].length <= Math.max(10, columns - 1), `${rows}x${columns}: ${l}`);
      }
    }
    // Enough rows: every host has its row, and no summary line.
    const all = liveFrame(stateOf(events), { ...plain, rows: 60 });
    assert.equal(all.length, 2 + 50);
    assert.ok(all.at(-1)?.startsWith('lab50 '));
  });

  it('lets an ignored failure pass, and shows a host going on after a rescued failure', () => {
    const events = [...begin.slice(0, 1), { event: 'play_start', play: 'p', hosts: ['lab01', 'lab02'] } as RunEvent,
      result('lab01', 't', 'failed', { ignored: true }), result('lab02', 't', 'failed', { rescued: true }), start('lab02', 'fix')];
    const lines = liveFrame(stateOf(events), { ...plain, rows: 60 });
    assert.match(rowOf(lines, 'lab01') ?? '', /ok=1 changed=0 +ok$/);
    assert.match(rowOf(lines, 'lab02') ?? '', /TASK \[fix\]/);
    assert.doesNotMatch(lines.join('\n'), /FAILED/);
  });

  it('paints the status words, and nothing without colours', () => {
    const events = [...begin, start('lab01', 'a'), result('lab01', 'a', 'failed', { msg: 'boom' }), start('lab02', 'a'), result('lab02', 'a', 'changed')];
    const coloured = liveFrame(stateOf(events), { ...plain, paint: painter(true) }).join('\n');
    assert.match(coloured, /\x1b\[31mFAILED at \[a\]\x1b\[0m: boom/);
    assert.match(coloured, /\x1b\[33mchanged=1\x1b\[0m/);
    assert.match(coloured, /\x1b\[32m1 ok\x1b\[0m/);
    assert.doesNotMatch(liveFrame(stateOf(events), plain).join('\n'), /\x1b/);
  });

  it('shows how long a task has been running, and a handler as such', () => {
    const state = newLiveState();
    applyLiveEvent(state, { event: 'run_start', hosts: ['lab01', 'lab02'] }, 0);
    applyLiveEvent(state, start('lab01', 'sleep'), 0);
    applyLiveEvent(state, { event: 'task_start', host: 'lab02', task: 'restart', handler: true }, 0);
    const lines = liveFrame(state, { ...plain, now: 125_000 });
    assert.match(rowOf(lines, 'lab01') ?? '', /TASK \[sleep\] 2m05s$/);
    assert.match(rowOf(lines, 'lab02') ?? '', /HANDLER \[restart\] 2m05s$/);
    assert.equal(lines[1], 'TASK [sleep] 1 host, HANDLER [restart] 1 host');
  });

  it('shows the hosts before the first play starts', () => {
    assert.deepEqual(liveFrame(stateOf([begin[0]!]), { ...plain, rows: 6 }), ['50 hosts: 50 waiting', 'lab01  ok=0 changed=0  waiting',
      'lab02  ok=0 changed=0  waiting', '… 48 more: 48 waiting']);
    assert.deepEqual(liveFrame(newLiveState(), plain), ['0 hosts']);
  });
});
