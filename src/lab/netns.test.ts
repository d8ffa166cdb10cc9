import assert from 'node:assert/strict';
import { hostNetworkLines } from './netns.js';

describe('lab host network', () => {
  it('makes the namespace, em1 and em2 inside it, and plugs the outer ends into the two switches', () => {
    assert.deepEqual(hostNetworkLines(2), [
      'netns add kvp-lab02',
      'link add kvp1-lab02 type veth peer name em1 address 02:6b:76:01:00:02 netns kvp-lab02',
      'link add kvp2-lab02 type veth peer name em2 address 02:6b:76:02:00:02 netns kvp-lab02',
      'link set kvp1-lab02 master kvpsw1 up',
      'link set kvp2-lab02 master kvpsw2 up',
    ]);
  });

  it('never adds a route or an address on the control side of a host', () => {
    for (const line of hostNetworkLines(7)) assert.doesNotMatch(line, /route|addr /);
  });
});
