import assert from 'node:assert/strict';
import { networkDeadline } from './network-clock.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Keep the event loop busy, as a controller templating for many hosts does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* the loop reads no socket meanwhile */ }
}

describe('network deadlines', function () {
  this.timeout(10_000);
  it('expire after their time when the event loop is free', async () => {
    const t0 = performance.now();
    let at = 0;
    networkDeadline(300, () => (at = performance.now() - t0));
    await sleep(700);
    assert.ok(at >= 290 && at < 600, `expired after ${at.toFixed(0)} ms`);
  });

  it('do not count the time the event loop was busy elsewhere', async () => {
    let expired = false;
    const d = networkDeadline(500, () => (expired = true));
    await sleep(50);
    busy(1_500); // a wall-time timer of 500 ms would have expired three times over
    await sleep(150);
    assert.equal(expired, false);
    await sleep(600);
    assert.equal(expired, true);
    d.cancel();
  });

  it('never fire once cancelled', async () => {
    let expired = false;
    networkDeadline(100, () => (expired = true)).cancel();
    await sleep(300);
    assert.equal(expired, false);
  });
});
