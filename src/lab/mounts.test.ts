import assert from 'node:assert/strict';
import { parseMountPoints } from './mounts.js';

describe('lab mount table', () => {
  it('reads mount points from mountinfo and decodes escaped spaces', () => {
    const info = [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '41 26 0:4 / /run/netns/kvp-lab01 rw shared:2 - nsfs nsfs rw',
      '50 22 0:40 / /srv/a\\040b rw - tmpfs tmpfs rw',
    ].join('\n');
    assert.deepEqual(parseMountPoints(info), ['/', '/run/netns/kvp-lab01', '/srv/a b']);
  });
});
