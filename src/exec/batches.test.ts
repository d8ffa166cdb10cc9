import assert from 'node:assert/strict';
import { batchStopsRollout, serialBatches, serialSize } from './batches.js';

const hosts = (n: number): string[] => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const sizes = (n: number, serial: (number | string)[]): number[] => serialBatches(hosts(n), serial).map((b) => b.length);

describe('serial batches', () => {
  it('runs every host in one batch when serial is not given', () => {
    assert.deepEqual(serialBatches(hosts(4), []), [hosts(4)]);
  });

  it('splits hosts into batches of a fixed number, the last one smaller', () => {
    assert.deepEqual(sizes(10, [3]), [3, 3, 3, 1]);
    assert.deepEqual(serialBatches(hosts(3), [2]), [['h1', 'h2'], ['h3']]);
  });

  it('takes a percentage of all the play hosts, truncated as Ansible does', () => {
    assert.deepEqual(sizes(10, ['30%']), [3, 3, 3, 1]);
    assert.deepEqual(sizes(3, ['50%']), [1, 1, 1]);
    assert.deepEqual(sizes(7, ['50%']), [3, 3, 1]);
  });

  it('never makes a batch of zero from a small percentage', () => {
    assert.deepEqual(sizes(10, ['1%']), Array(10).fill(1));
    assert.equal(serialSize('1%', 10), 1);
  });

  it('repeats the last step of a list until every host ran', () => {
    assert.deepEqual(sizes(20, [1, 5, 10]), [1, 5, 10, 4]);
    assert.deepEqual(sizes(12, [1, '20%']), [1, 2, 2, 2, 2, 2, 1]);
  });

  it('stops the list early when the hosts run out', () => {
    assert.deepEqual(sizes(3, [1, 5, 10]), [1, 2]);
  });

  it('treats zero or less as all remaining hosts', () => {
    assert.deepEqual(sizes(5, [0]), [5]);
    assert.deepEqual(sizes(5, [2, 0]), [2, 3]);
  });

  it('makes no batch for a play without hosts', () => {
    assert.deepEqual(serialBatches([], [1]), []);
  });
});

describe('max_fail_percentage after a batch', () => {
  it('stops the rollout when the failed share is above the percentage', () => {
    assert.equal(batchStopsRollout(1, 1, 0), true);
    assert.equal(batchStopsRollout(2, 4, 25), true);
  });

  it('goes on when the failed share equals the percentage (Ansible compares with >)', () => {
    assert.equal(batchStopsRollout(1, 4, 25), false);
    assert.equal(batchStopsRollout(4, 4, 100), false);
  });

  it('goes on after a batch without failures, even with a limit of 0', () => {
    assert.equal(batchStopsRollout(0, 3, 0), false);
  });

  it('without a percentage, stops only when every host of the batch failed', () => {
    assert.equal(batchStopsRollout(2, 3, undefined), false);
    assert.equal(batchStopsRollout(3, 3, undefined), true);
  });
});
