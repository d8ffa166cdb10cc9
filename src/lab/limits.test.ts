import assert from 'node:assert/strict';
import { hardOpenFilesLimit, labNeeds, neighbourNeeds, openFilesNeeded, settingsToRaise } from './limits.js';

const DEFAULTS = new Map([
  ['net/ipv4/neigh/default/gc_thresh2', 512], ['net/ipv4/neigh/default/gc_thresh3', 1024],
  ['net/ipv6/neigh/default/gc_thresh2', 512], ['net/ipv6/neigh/default/gc_thresh3', 1024],
]);

describe('lab kernel limits', () => {
  it('changes nothing for the test lab or a 240-host lab on the kernel defaults', () => {
    assert.deepEqual(settingsToRaise(neighbourNeeds(5), DEFAULTS), []);
    assert.deepEqual(settingsToRaise(neighbourNeeds(240), DEFAULTS), []);
  });

  it('raises the neighbour table limits for 1,000 hosts, gc_thresh3 before gc_thresh2', () => {
    const raised = settingsToRaise(neighbourNeeds(1000), DEFAULTS);
    assert.deepEqual(raised.map((n) => [n.key, n.raiseTo]), [
      ['net/ipv4/neigh/default/gc_thresh3', 5024], ['net/ipv4/neigh/default/gc_thresh2', 3512],
      ['net/ipv6/neigh/default/gc_thresh3', 5024], ['net/ipv6/neigh/default/gc_thresh2', 3512],
    ]);
    for (const n of raised) assert.ok(n.raiseTo > n.atLeast);
  });

  it('leaves settings that are already high enough, or that the kernel does not have', () => {
    const high = new Map([...DEFAULTS].map(([k]) => [k, 100_000]));
    assert.deepEqual(settingsToRaise(neighbourNeeds(1000), high), []);
    assert.deepEqual(settingsToRaise(neighbourNeeds(1000), new Map()), []);
  });

  it('raises pid_max only on a machine set below what the hosts need', () => {
    const pidMax = (v: number) => new Map([...DEFAULTS, ['kernel/pid_max', v]]);
    assert.deepEqual(settingsToRaise(labNeeds(1000), pidMax(32_768)).map((n) => n.key).filter((k) => k.startsWith('kernel/')), []);
    assert.deepEqual(settingsToRaise(labNeeds(1000), pidMax(2048)).filter((n) => n.key === 'kernel/pid_max').map((n) => n.raiseTo), [32_768]);
    assert.deepEqual(settingsToRaise(labNeeds(5), pidMax(2048)), []);
  });

  it('reads the hard open-files limit from /proc/PID/limits', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units\n'
      + 'Max processes             96368                96368                processes\n'
      + 'Max open files            1024                 20000                files\n';
    assert.equal(hardOpenFilesLimit(text), 20000);
    assert.equal(hardOpenFilesLimit('Max open files            unlimited            unlimited            files\n'), null);
    assert.ok(openFilesNeeded(1000) > 1000 && openFilesNeeded(1000) <= 20000);
  });
});
