import assert from 'node:assert/strict';
import { diskImageModule, parseImageInfo, parseSize, planDiskImage, planFromSource, planOverlay } from './disk-image.js';
import { isAllZero, localImageInfo, parseChecksum } from './disk-source.js';

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
    assert.deepEqual(issues({ path: '/a.qcow2' }), ['size: size is required (without backing_file or source)']);
    assert.deepEqual(issues({ path: '/a.img', format: 'raw', backing_file: base }), ['format: an image with a backing_file is a qcow2 overlay: format must be qcow2']);
    assert.deepEqual(issues({ path: '/a.qcow2', backing_file: 'base.qcow2' }), ['backing_file: must be an absolute path']);
  });

  it('reads qemu-img info JSON', () => {
    assert.deepEqual(parseImageInfo('{"virtual-size": 1073741824, "filename": "a", "format": "qcow2", "actual-size": 200704}'), { format: 'qcow2', virtualSize: G });
    assert.deepEqual(parseImageInfo(`{"virtual-size": 1073741824, "format": "qcow2", "backing-filename": "../b.qcow2", "full-backing-filename": "${base}"}`), { format: 'qcow2', virtualSize: G, backingFile: base });
    assert.throws(() => parseImageInfo('{"format": 1}'), /unexpected qemu-img info/);
  });

  const src = '/srv/images/debian12.raw';
  const sources: Array<[string, { format: string; bytes?: number; resize: boolean }, { format: string; virtualSize: number } | null, { format: string; virtualSize: number; hasBacking: boolean } | null, string]> = [
    ['copies a source to a missing disk, as large as the source', { format: 'qcow2', resize: false }, null, { format: 'raw', virtualSize: 2 * G, hasBacking: false }, 'create'],
    ['copies and grows to a larger size', { format: 'raw', bytes: 4 * G, resize: false }, null, { format: 'raw', virtualSize: 2 * G, hasBacking: false }, 'create'],
    ['refuses a size smaller than the source (never shrunk)', { format: 'qcow2', bytes: G, resize: false }, null, { format: 'raw', virtualSize: 2 * G, hasBacking: false }, 'fail'],
    ['refuses a missing source', { format: 'qcow2', resize: false }, null, null, 'fail'],
    ['refuses a source with a backing file', { format: 'qcow2', resize: false }, null, { format: 'qcow2', virtualSize: G, hasBacking: true }, 'fail'],
    ['keeps an existing disk whatever the source', { format: 'qcow2', resize: false }, { format: 'qcow2', virtualSize: 3 * G }, null, 'keep'],
    ['grows an existing disk only when asked', { format: 'qcow2', bytes: 4 * G, resize: true }, { format: 'qcow2', virtualSize: 3 * G }, null, 'resize'],
    ['never converts an existing disk', { format: 'qcow2', resize: false }, { format: 'raw', virtualSize: 2 * G }, { format: 'raw', virtualSize: 2 * G, hasBacking: false }, 'fail'],
  ];
  for (const [title, want, cur, image, kind] of sources) {
    it(`source plan: ${title}`, () => assert.equal(planFromSource(want, cur, { path: src, remote: false, image }).kind, kind));
  }

  it('explains a refused source', () => {
    const missing = planFromSource({ format: 'qcow2', resize: false }, null, { path: src, remote: true, image: null });
    assert.ok(missing.kind === 'fail' && missing.msg === `the source image ${src} does not exist on the host`, JSON.stringify(missing));
    const local = planFromSource({ format: 'qcow2', resize: false }, null, { path: src, remote: false, image: null });
    assert.ok(local.kind === 'fail' && local.msg.endsWith('does not exist on the control machine'));
    const small = planFromSource({ format: 'qcow2', bytes: G, resize: false }, null, { path: src, remote: false, image: { format: 'raw', virtualSize: 2 * G, hasBacking: false } });
    assert.ok(small.kind === 'fail' && /smaller than the source image's 2147483648/.test(small.msg));
  });

  it('takes source with checksum (get_url form), remote_src with an absolute source, never with backing_file', () => {
    const issues = (raw: Record<string, unknown>): string[] => diskImageModule.args.safeParse(raw).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    const sha = 'ab'.repeat(32);
    assert.deepEqual(issues({ path: '/a.qcow2', source: 'debian12.raw' }), []);
    assert.deepEqual(issues({ path: '/a.qcow2', source: '/srv/debian12.raw', remote_src: true, checksum: `sha256:${sha}`, size: '20GiB' }), []);
    assert.deepEqual(issues({ path: '/a.qcow2', source: 'debian12.raw', remote_src: true }), ['source: with remote_src, source must be an absolute path on the host']);
    assert.deepEqual(issues({ path: '/a.qcow2', source: '/b.raw', backing_file: '/b.raw' }), [
      'source: source and backing_file are mutually exclusive (copy the base with one task, make overlays on it with another)',
    ]);
    assert.deepEqual(issues({ path: '/a.qcow2', size: '1GiB', checksum: `sha256:${sha}` }), ['checksum: checksum is checked on a copied source: it needs source']);
    assert.deepEqual(issues({ path: '/a.qcow2', source: '/b.raw', checksum: 'sha256:abc' }), ['checksum: a sha256 checksum is 64 hex digits']);
    assert.match(issues({ path: '/a.qcow2', source: '/b.raw', checksum: sha })[0] ?? '', /^checksum: checksum must be ALGORITHM:HEX/);
  });

  it('parses get_url checksums', () => {
    const sha = 'AB'.repeat(32);
    assert.deepEqual(parseChecksum(`sha256:${sha}`), { algo: 'sha256', hex: sha.toLowerCase() });
    assert.deepEqual(parseChecksum(`SHA1:${'0'.repeat(40)}`), { algo: 'sha1', hex: '0'.repeat(40) });
    assert.equal(typeof parseChecksum('blake2b:00'), 'string');
    assert.equal(typeof parseChecksum(`sha256:${'g'.repeat(64)}`), 'string');
  });

  it('tells a local qcow2 by its header and takes anything else as raw', () => {
    const header = Buffer.alloc(32);
    header.writeUInt32BE(0x514649fb, 0);
    header.writeUInt32BE(3, 4);
    header.writeBigUInt64BE(BigInt(20 * G), 24);
    assert.deepEqual(localImageInfo(header, 200_000), { format: 'qcow2', virtualSize: 20 * G, hasBacking: false });
    header.writeBigUInt64BE(512n, 8);
    assert.equal(localImageInfo(header, 200_000).hasBacking, true);
    assert.deepEqual(localImageInfo(Buffer.from('\x7fELF'), 2 * G), { format: 'raw', virtualSize: 2 * G, hasBacking: false });
    assert.deepEqual(localImageInfo(Buffer.alloc(0), 0), { format: 'raw', virtualSize: 0, hasBacking: false });
  });

  it('skips all-zero pieces when uploading', () => {
    const zeros = Buffer.alloc(16);
    assert.equal(isAllZero(Buffer.alloc(16), zeros), true);
    assert.equal(isAllZero(Buffer.alloc(5), zeros), true);
    const b = Buffer.alloc(16);
    b[15] = 1;
    assert.equal(isAllZero(b, zeros), false);
  });
});
