import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { LiveScreen } from './live-screen.js';

describe('live screen', () => {
  it('redraws over the previous frame in one write, skips unchanged frames and erases itself', () => {
    const writes: string[] = [];
    const out = new Writable({ write: (c: Buffer, _e, cb) => { writes.push(c.toString()); cb(); } });
    const screen = new LiveScreen(out);
    screen.draw(['a', 'b', 'c']);
    screen.draw(['a', 'b', 'c']);
    screen.draw(['x']);
    screen.clear();
    assert.deepEqual(writes, [
      '\x1b[?2026h\x1b[?25l\ra\x1b[K\nb\x1b[K\nc\x1b[K\n\x1b[J\x1b[?2026l',
      // Up over the three lines, one line written, the two below it erased.
      '\x1b[?2026h\r\x1b[3Ax\x1b[K\n\x1b[J\x1b[?2026l',
      '\r\x1b[1A\x1b[J\x1b[?25h',
    ]);
  });
});
