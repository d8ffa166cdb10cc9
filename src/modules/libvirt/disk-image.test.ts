import assert from 'node:assert/strict';
import { diskImageModule, parseImageInfo, parseSize, planDiskImage, planOverlay } from './disk-image.js';

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

  const base = '/var/lib/images/debian-12.qcow2';
  const overlays: Array<[string, { format: string; bytes?: number; resize: boolean }, { format: string; virtualSize: number; backingFile?: string } | null, { format: string; virtualSize: number } | null, string]> = [
    ['makes an overlay as large as its base', { format: 'qcow2', resize: false }, null, { format: 'qcow2', virtualSize: 2 * G }, 'create'],
    ['makes a larger overlay', { format: 'qcow2', bytes: 4 * G, resize: false }, null, { format: 'raw', virtualSize: 2 * G }, 'create'],
    ['refuses an overlay smaller than its base', { format: 'qcow2', bytes: G, resize: false }, null, { format: 'qcow2', virtualSize: 2 * G }, 'fail'],
    ['refuses a missing base', { format: 'qcow2', resize: false }, null, null, 'fail'],
    ['keeps an overlay on its base', { format: 'qcow2', resize: false }, { format: 'qcow2', virtualSize: 3 * G, backingFile: base }, null, 'keep'],
    ['grows an overlay when asked', { format: 'qcow2', bytes: 4 * G, resize: true }, { format: 'qcow2', virtualSize: 3 * G, backingFile: base }, null, 'resize'],
    ['never rebases an overlay made on another base', { format: 'qcow2', resize: false }, { format: 'qcow2', virtualSize: 3 * G, backingFile: '/other.qcow2' }, null, 'fail'],
    ['never turns a plain image into an overlay', { format: 'qcow2', resize: false }, { format: 'qcow2', virtualSize: 3 * G }, null, 'fail'],
  ];
  for (const [title, want, cur, baseInfo, kind] of overlays) {
    it(`overlay plan: ${title}`, () => assert.equal(planOverlay(want, cur, { file: base, base: baseInfo }).kind, kind));
  }

  it('explains a refused overlay', () => {
    const other = planOverlay({ format: 'qcow2', resize: false }, { format: 'qcow2', virtualSize: G, backingFile: '/other.qcow2' }, { file: base, base: null });
    assert.ok(other.kind === 'fail' && other.msg.includes(`on the backing file /other.qcow2, not on ${base}; it is never rebased or overwritten`), JSON.stringify(other));
    const small = planOverlay({ format: 'qcow2', bytes: G, resize: false }, null, { file: base, base: { format: 'qcow2', virtualSize: 2 * G } });
    assert.ok(small.kind === 'fail' && /smaller than the backing file's 2147483648/.test(small.msg));
  });

  it('takes a size or a backing file, and a backing file only for qcow2', () => {
    const issues = (raw: Record<string, unknown>): string[] => diskImageModule.args.safeParse(raw).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    assert.deepEqual(issues({ path: '/a.qcow2', size: '1GiB' }), []);
    assert.deepEqual(issues({ path: '/a.qcow2', backing_file: base }), []);
    assert.deepEqual(issues({ path: '/a.qcow2' }), ['size: size is required (without backing_file)']);
    assert.deepEqual(issues({ path: '/a.img', format: 'raw', backing_file: base }), ['format: an image with a backing_file is a qcow2 overlay: format must be qcow2']);
    assert.deepEqual(issues({ path: '/a.qcow2', backing_file: 'base.qcow2' }), ['backing_file: must be an absolute path']);
  });

  it('reads qemu-img info JSON', () => {
    assert.deepEqual(parseImageInfo('{"virtual-size": 1073741824, "filename": "a", "format": "qcow2", "actual-size": 200704}'), { format: 'qcow2', virtualSize: G });
    assert.deepEqual(parseImageInfo(`{"virtual-size": 1073741824, "format": "qcow2", "backing-filename": "../b.qcow2", "full-backing-filename": "${base}"}`), { format: 'qcow2', virtualSize: G, backingFile: base });
    assert.throws(() => parseImageInfo('{"format": 1}'), /unexpected qemu-img info/);
  });
});
