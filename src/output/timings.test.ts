import assert from 'node:assert/strict';
import { Timings } from './timings.js';

describe('--timings', () => {
  it('shows each task\'s wall-clock time slowest first, then each host\'s time in tasks', () => {
    let clock = 0;
    const t = new Timings(() => clock);
    const start = (host: string, task: string): void => t.record({ event: 'task_start', host, task, play: 'site' });
    const done = (host: string, task: string, ms: number): void => t.record({ event: 'task', host, task, play: 'site', status: 'ok', changed: false, duration_ms: ms, msg: '' });
    start('a', 'quick'); start('b', 'quick'); clock = 100; done('a', 'quick', 100); clock = 300; done('b', 'quick', 300);
    start('a', 'install packages'); clock = 2300; done('a', 'install packages', 2000);
    const text = t.format();
    const lines = text.split('\n');
    assert.match(lines[0] ?? '', /^TASK TIMINGS =+$/);
    assert.match(lines[1] ?? '', /^site : install packages -+ 2\.00s$/);
    assert.match(lines[2] ?? '', /^site : quick -+ 0\.30s$/);
    assert.equal(lines[1]?.length, 79);
    assert.match(text, /HOST TIMINGS[^\n]*\na -+ 2\.10s\nb -+ 0\.30s\n$/);
  });
});
