import assert from 'node:assert/strict';
import { Recap } from './recap.js';
import type { TaskResultEvent } from './events.js';

function result(host: string, status: TaskResultEvent['status']): TaskResultEvent {
  return { event: 'task', host, task: 't', status, changed: status === 'changed', duration_ms: 1, msg: '' };
}

describe('Recap', () => {
  it('counts a changed task in both ok and changed, as Ansible does', () => {
    const r = new Recap();
    r.record(result('a', 'changed'));
    r.record(result('a', 'ok'));
    assert.deepEqual(r.toJson().hosts.a, { ok: 2, changed: 1, failed: 0, skipped: 0, unreachable: false });
  });

  it('is not ok when a host failed or was unreachable', () => {
    const failed = new Recap();
    failed.record(result('a', 'failed'));
    assert.equal(failed.toJson().ok, false);
    assert.equal(failed.anyFailed(), true);
    const unreachable = new Recap();
    unreachable.record(result('b', 'unreachable'));
    assert.equal(unreachable.toJson().ok, false);
    assert.equal(unreachable.anyUnreachable(), true);
    assert.equal(unreachable.anyFailed(), false);
  });

  it('lists hosts that never ran a task, sorted by name', () => {
    const r = new Recap();
    r.addHost('zeta');
    r.record(result('alpha', 'ok'));
    assert.deepEqual(Object.keys(r.toJson().hosts), ['alpha', 'zeta']);
    assert.equal(r.toJson().ok, true);
  });

  it('counts a failure that ignore_errors let pass as ok and ignored, not failed', () => {
    const r = new Recap();
    r.record({ ...result('a', 'failed'), ignored: true });
    assert.deepEqual(r.toJson().hosts.a, { ok: 1, changed: 0, failed: 0, skipped: 0, unreachable: false });
    assert.equal(r.anyFailed(), false);
    assert.match(r.format(), /ignored=1$/m);
  });

  it('formats a PLAY RECAP line per host', () => {
    const r = new Recap();
    r.record(result('lab01', 'changed'));
    const text = r.format();
    assert.match(text, /^PLAY RECAP \*+/);
    assert.match(text, /lab01\s+: ok=1\s+changed=1\s+unreachable=0\s+failed=0\s+skipped=0\s+rescued=0\s+ignored=0$/m);
  });
});
