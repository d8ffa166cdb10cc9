import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { RunEvent, TaskResultEvent } from './events.js';
import { PlainPlaybookReporter } from './plain-playbook.js';

function capture(events: RunEvent[], verbose = false): string {
  let text = '';
  const out = new Writable({ write: (c: Buffer, _e, cb) => { text += c.toString(); cb(); } });
  const r = new PlainPlaybookReporter({ out, verbose });
  events.forEach((e) => r.onEvent(e));
  return text;
}

const result = (host: string, task: string, status: TaskResultEvent['status'], extra: Partial<TaskResultEvent> = {}): TaskResultEvent =>
  ({ event: 'task', host, task, play: 'p', status, changed: status === 'changed', duration_ms: 1, msg: '', ...extra });

describe('plain playbook output', () => {
  it('prints Ansible-like lines under PLAY and TASK banners', () => {
    const text = capture([
      { event: 'play_start', play: 'p', hosts: ['a', 'b'] },
      result('a', 't1', 'ok'), result('b', 't1', 'changed'), result('a', 't2', 'skipped'),
    ]);
    assert.match(text, /^PLAY \[p\] \*{3,}$/m);
    assert.match(text, /^TASK \[t1\] \*+\nok: \[a\]\nchanged: \[b\]\n\nTASK \[t2\] \*+\nskipping: \[a\]$/m);
  });

  it('repeats the banner when hosts at different tasks interleave, so every line sits under its task', () => {
    const text = capture([result('a', 't2', 'ok'), result('b', 't1', 'ok'), result('a', 't3', 'ok')]);
    assert.deepEqual(text.match(/TASK \[\w+\]/g), ['TASK [t2]', 'TASK [t1]', 'TASK [t3]']);
  });

  it('prints a banner for each task, also for consecutive tasks of the same name', () => {
    const start = (host: string, task: string): RunEvent => ({ event: 'task_start', host, task, play: 'p' });
    const text = capture([
      start('a', 'debug'), start('b', 'debug'), result('a', 'debug', 'ok'), result('b', 'debug', 'ok'),
      start('a', 'debug'), start('b', 'debug'), result('b', 'debug', 'ok'), result('a', 'debug', 'ok'),
    ]);
    assert.deepEqual(text.match(/TASK \[\w+\]/g), ['TASK [debug]', 'TASK [debug]']);
  });

  it('prints the banner when the task starts, so a task that hangs is named before any result', () => {
    const text = capture([{ event: 'play_start', play: 'p', hosts: ['a'] }, { event: 'task_start', host: 'a', task: 'wait for ever', play: 'p' }]);
    assert.match(text, /TASK \[wait for ever\] \*+\n$/);
  });

  it('prints -vvv trace lines under the current task, without a new banner', () => {
    const text = capture([
      { event: 'task_start', host: 'a', task: 't', play: 'p' },
      { event: 'notice', level: 'info', msg: '<a> EXEC uname -r' },
      result('a', 't', 'ok'),
    ]);
    assert.match(text, /^\nTASK \[t\] \*+\n<a> EXEC uname -r\nok: \[a\]\n$/);
  });

  it("prints debug's message for every loop item", () => {
    const item = (i: string, show: boolean): RunEvent => ({ event: 'task_item', host: 'a', task: 'debug', play: 'p', handler: false, item: i, status: 'ok', changed: false, msg: `hello ${i}`, ...(show ? { show } : {}) });
    const text = capture([item('1', true), item('2', true), item('3', false)]);
    assert.match(text, /ok: \[a\] => \(item=1\)\n {2}msg: hello 1\nok: \[a\] => \(item=2\)\n {2}msg: hello 2\nok: \[a\] => \(item=3\)\n$/);
  });

  it('prints failures with their output, and ...ignoring for ignored ones', () => {
    const text = capture([result('a', 't', 'failed', { msg: 'non-zero return code', rc: 2, stderr: 'boom\n', ignored: true })]);
    assert.match(text, /fatal: \[a\]: FAILED! => non-zero return code\n {2}rc: 2\n {2}stderr:\n {4}boom\n\.\.\.ignoring/);
  });

  it('always prints what debug says (show), other messages only with -v', () => {
    const text = capture([result('a', 'debug', 'ok', { msg: 'count 3', show: true }), result('a', 'other', 'ok', { msg: 'quiet' })]);
    assert.match(text, /ok: \[a\]\n {2}msg: count 3\n/);
    assert.doesNotMatch(text, /quiet/);
  });

  it('prints loop items as they arrive and no summary for a loop that went well', () => {
    const text = capture([
      { event: 'task_item', host: 'a', task: 'l', play: 'p', handler: false, item: 'web01', status: 'changed', changed: true, msg: '' },
      result('a', 'l', 'changed', { items: [{ item: 'web01', status: 'changed', changed: true, msg: '' }] }),
    ]);
    assert.equal(text.trim().split('\n').slice(1).join('\n'), 'changed: [a] => (item=web01)');
  });

  it('prints unreachable hosts, handlers and diffs the Ansible way', () => {
    const text = capture([
      result('a', 'x', 'unreachable', { msg: 'connection refused' }),
      result('b', 'restart', 'changed', { handler: true, diff: '--- before\n+++ after\n' }),
    ]);
    assert.match(text, /fatal: \[a\]: UNREACHABLE! => connection refused/);
    assert.match(text, /RUNNING HANDLER \[restart\] \*+\n--- before\n\+\+\+ after\nchanged: \[b\]/);
  });
});
