import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { colorEnabled, paintDiff, painter } from './color.js';
import { PlainPlaybookReporter } from './plain-playbook.js';
import { Recap } from './recap.js';

const stream = (isTTY: boolean): NodeJS.WritableStream => Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY });

describe('colours', () => {
  it('are on for a terminal, off for a pipe, and NO_COLOR / FORCE_COLOR decide over both', () => {
    assert.equal(colorEnabled(stream(true), {}), true);
    assert.equal(colorEnabled(stream(false), {}), false);
    assert.equal(colorEnabled(stream(true), { NO_COLOR: '1' }), false);
    assert.equal(colorEnabled(stream(true), { NO_COLOR: '' }), true, 'an empty NO_COLOR is not set (no-color.org)');
    assert.equal(colorEnabled(stream(false), { FORCE_COLOR: '1' }), true);
    assert.equal(colorEnabled(stream(true), { FORCE_COLOR: '0' }), true);
    assert.equal(colorEnabled(stream(false), { FORCE_COLOR: '0' }), false);
    assert.equal(colorEnabled(stream(false), { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
  });

  it('paint diffs green, red and cyan, leaving the file headers alone', () => {
    const diff = paintDiff('--- before: f\n+++ after: f\n@@ -1 +1 @@\n-old\n+new\n same', painter(true));
    assert.equal(diff, '--- before: f\n+++ after: f\n\x1b[36m@@ -1 +1 @@\x1b[0m\n\x1b[31m-old\x1b[0m\n\x1b[32m+new\x1b[0m\n same');
    assert.equal(paintDiff('-a\n+b', painter(false)), '-a\n+b');
  });

  it('paint result lines and the recap, whose columns stay where they are without colour', () => {
    let text = '';
    const out = Object.assign(new Writable({ write: (c: Buffer, _e, cb) => { text += c.toString(); cb(); } }), { isTTY: false });
    const r = new PlainPlaybookReporter({ out, verbose: false, color: true });
    r.onEvent({ event: 'task', host: 'web', task: 't', play: 'p', status: 'changed', changed: true, duration_ms: 1, msg: '' });
    r.onEvent({ event: 'task', host: 'db', task: 't', play: 'p', status: 'failed', changed: false, duration_ms: 1, msg: 'boom' });
    assert.match(text, /\x1b\[33mchanged: \[web\]\x1b\[0m/);
    assert.match(text, /\x1b\[31mfatal: \[db\]: FAILED! => boom\x1b\[0m/);

    const recap = new Recap();
    recap.record({ event: 'task', host: 'web', task: 't', status: 'changed', changed: true, duration_ms: 1, msg: '' });
    const strip = (s: string): string => s.replace(/\x1b\[\d+m/g, '');
    assert.equal(strip(recap.format(painter(true))), recap.format());
    assert.match(recap.format(painter(true)), /\x1b\[33mweb\x1b\[0m/);
  });
});
