import assert from 'node:assert/strict';
import { fanout } from './fanout.js';

describe('fanout', () => {
  it('never runs more than `forks` jobs at once', async () => {
    let running = 0;
    let peak = 0;
    await fanout(['a', 'b', 'c', 'd', 'e'], 2, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
    });
    assert.equal(peak, 2);
  });

  it("keeps one host's failure to that host", async () => {
    const results = await fanout(['ok1', 'bad', 'ok2'], 3, async (h) => {
      if (h === 'bad') throw new Error('boom');
      return h.toUpperCase();
    });
    assert.deepEqual(results.get('ok1'), { status: 'fulfilled', value: 'OK1' });
    assert.equal(results.get('bad')?.status, 'rejected');
    assert.deepEqual(results.get('ok2'), { status: 'fulfilled', value: 'OK2' });
  });
});
