import assert from 'node:assert/strict';
import { Gate } from './throttle.js';

describe('throttle gate', () => {
  it('lets at most its limit through at once, the others in arrival order', async () => {
    const gate = new Gate(2);
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const work = (i: number) => gate.through(async () => {
      inside++;
      most = Math.max(most, inside);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
      return i;
    });
    const results = await Promise.all([0, 1, 2, 3, 4].map(work));
    assert.deepEqual(results, [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it('frees the slot when the work fails', async () => {
    const gate = new Gate(1);
    await assert.rejects(gate.through(async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await gate.through(async () => 'next'), 'next');
  });
});
