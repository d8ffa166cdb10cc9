import assert from 'node:assert/strict';
import { parseImageInfo, parseSize, planDiskImage } from './disk-image.js';

describe('disk_image', () => {
  it('parses sizes into bytes and qemu-img spelling', () => {
    assert.deepEqual(parseSize('20GiB'), { bytes: 20 * 1024 ** 3, qemu: '20G' });
    assert.deepEqual(parseSize('512MiB'), { bytes: 512 * 1024 ** 2, qemu: '512M' });
    assert.deepEqual(parseSize('1T'), { bytes: 1024 ** 4, qemu: '1T' });
    assert.deepEqual(parseSize(1048576), { bytes: 1048576, qemu: '1048576' });
    assert.deepEqual(parseSize('64k'), { bytes: 65536, qemu: '64K' });
    for (const bad of ['20GB', 'lots', '-1G', '0', '1.5G', '20 G; rm']) assert.throws(() => parseSize(bad), /bad size/, bad);
  });

  const G = 1024 ** 3;
  const table: Array<[string, { format: string; bytes: number; resize: boolean }, { format: string; virtualSize: number } | null, string]> = [
    ['creates a missing image', { format: 'qcow2', bytes: G, resize: false }, null, 'create'],
    ['keeps an image of the wanted size', { format: 'qcow2', bytes: G, resize: true }, { format: 'qcow2', virtualSize: G }, 'keep'],
    ['never overwrites an image of another size without resize', { format: 'qcow2', bytes: 2 * G, resize: false }, { format: 'qcow2', virtualSize: G }, 'keep'],
    ['grows when asked', { format: 'raw', bytes: 2 * G, resize: true }, { format: 'raw', virtualSize: G }, 'resize'],
    ['refuses to shrink', { format: 'qcow2', bytes: G, resize: true }, { format: 'qcow2', virtualSize: 2 * G }, 'fail'],
    ['refuses another format', { format: 'qcow2', bytes: G, resize: false }, { format: 'raw', virtualSize: G }, 'fail'],
  ];
  for (const [title, want, cur, kind] of table) {
    it(`plan: ${title}`, () => assert.equal(planDiskImage(want, cur).kind, kind));
  }

  it('explains a refused shrink and a format mismatch', () => {
    const shrink = planDiskImage({ format: 'qcow2', bytes: G, resize: true }, { format: 'qcow2', virtualSize: 2 * G });
    assert.ok(shrink.kind === 'fail' && /refusing to shrink/.test(shrink.msg));
    const fmt = planDiskImage({ format: 'qcow2', bytes: G, resize: false }, { format: 'raw', virtualSize: G });
    assert.ok(fmt.kind === 'fail' && /format raw, not qcow2/.test(fmt.msg));
  });

  it('reads qemu-img info JSON', () => {
    assert.deepEqual(parseImageInfo('{"virtual-size": 1073741824, "filename": "a", "format": "qcow2", "actual-size": 200704}'), { format: 'qcow2', virtualSize: G });
    assert.throws(() => parseImageInfo('{"format": 1}'), /unexpected qemu-img info/);
  });
});
