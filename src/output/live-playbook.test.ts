import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { RunEvent, TaskResultEvent } from './events.js';
import { LivePlaybookReporter } from './live-playbook.js';
import { Recap } from './recap.js';

/** A terminal of ROWS lines that records what is written to it. */
function terminal(rows: number): Writable & { rows: number; columns: number; text: () => string } {
  let text = '';
  const out = new Writable({ write: (c: Buffer, _e, cb) => { text += c.toString(); cb(); } });
  return Object.assign(out, { rows, columns: 100, isTTY: true, text: () => text });
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const start = (host: string, task: string): RunEvent => ({ event: 'task_start', host, task, play: 'p' });
const result = (host: string, task: string, status: TaskResultEvent['status'], msg = ''): RunEvent =>
  ({ event: 'task', host, task, play: 'p', status, changed: status === 'changed', duration_ms: 1, msg });

// Frames, cut where the cursor moves up over the previous one.
const framesOf = (text: string): string[] => text.split(/\x1b\[\d+A/);

describe('live playbook reporter', function () {
  this.timeout(10_000);
  const hosts = Array.from({ length: 50 }, (_, i) => `h${String(i + 1).padStart(2, '0')}`);

  async function run(color: boolean): Promise<string> {
    const out = terminal(20);
    const recap = new Recap();
    const reporter = new LivePlaybookReporter({ out, verbose: false, color });
    const feed = (e: RunEvent): void => { recap.record(e); reporter.onEvent(e); };
    for (const h of hosts) recap.addHost(h);
    feed({ event: 'run_start', hosts });
    feed({ event: 'play_start', play: 'p', hosts });
    for (const h of hosts) feed(start(h, 'check'));
    await wait(250);
    feed(result('h07', 'check', 'failed', 'no disk'));
    for (const h of hosts.filter((h) => h !== 'h07')) { feed(result(h, 'check', 'ok')); feed(start(h, 'sleep')); }
    await wait(250);
    for (const h of hosts.filter((h) => h !== 'h07')) feed(result(h, 'sleep', 'changed'));
    await reporter.finish(recap);
    return out.text();
  }

  it('redraws in place, never taller than the terminal, then erases itself before the details and the recap', async () => {
    const text = await run(false);
    const ups = [...text.matchAll(/\x1b\[(\d+)A/g)].map((m) => Number(m[1]));
    assert.ok(ups.length >= 2, 'at least two redraws and the final erase');
    assert.ok(ups.every((n) => n <= 18), `cursor moved up ${ups.join(', ')}`);
    const frames = framesOf(text);
    for (const f of frames.slice(0, -1)) assert.ok(f.split('\n').length - 1 <= 18, `a frame of ${f.split('\n').length - 1} lines`);
    // Titles from the start: the first frame already shows the task.
    assert.match(frames[0] ?? '', /TASK \[check\] 50 hosts/);
    assert.match(text, /h07 +ok=0 changed=0 failed=1 +FAILED at \[check\]: no disk/);
    assert.match(text, /TASK \[sleep\] 49 hosts/);
    // The end: the view erased, the cursor back, then the failure's details and the recap.
    const end = frames.at(-1) ?? '';
    assert.match(end, /^\x1b\[J\x1b\[\?25h\n?PLAY \[p\][\s\S]*fatal: \[h07\]: FAILED! => no disk[\s\S]*PLAY RECAP[\s\S]*h50 +: ok=2 +changed=1/);
    assert.doesNotMatch(text, /\x1b\[[0-9;]*m/, 'no colours when not wanted');
  });

  it('paints the status words when colours are on', async () => {
    const text = await run(true);
    assert.match(text, /\x1b\[31mFAILED at \[check\]\x1b\[0m/);
  });
});
