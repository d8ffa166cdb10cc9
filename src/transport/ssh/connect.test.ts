// The mapping from OpenSSH's ServerAliveInterval/ServerAliveCountMax meaning ("dead after
// count × interval without an answer") to ssh2's keepalive settings, which give up one
// tick later than their count says (issue 11, item 10; over real sshd in
// test/e2e/transport-hardening.test.ts).
import assert from 'node:assert/strict';
import { ssh2Keepalive } from './connect.js';

describe('keepalive settings for ssh2', () => {
  it('gives ssh2 one unanswered probe less, so 5 s × 3 gives up 15 s after the last answer', () => {
    assert.deepEqual(ssh2Keepalive({ interval: 5, countMax: 3 }), { keepaliveInterval: 5000, keepaliveCountMax: 2 });
  });

  it('probes twice as often when a single miss is allowed (ssh2 count 0 would drop a live link)', () => {
    assert.deepEqual(ssh2Keepalive({ interval: 4, countMax: 1 }), { keepaliveInterval: 2000, keepaliveCountMax: 1 });
    assert.deepEqual(ssh2Keepalive({ interval: 4, countMax: 0 }), { keepaliveInterval: 2000, keepaliveCountMax: 1 });
  });

  it('turns probes off for interval 0', () => {
    assert.deepEqual(ssh2Keepalive({ interval: 0, countMax: 3 }), { keepaliveInterval: 0, keepaliveCountMax: 0 });
  });
});
