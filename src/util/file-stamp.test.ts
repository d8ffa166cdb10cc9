import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStamp, StampedCache } from './file-stamp.js';

describe('file stamps', () => {
  it('change when a file is appended to or replaced, and keep a value only under its stamp', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-stamp-'));
    try {
      const file = join(dir, 'known_hosts');
      writeFileSync(file, 'a\n');
      const cache = new StampedCache<string>();
      const first = fileStamp(file);
      assert.equal(cache.set(file, first, 'parsed a'), 'parsed a');
      assert.equal(cache.get(file, fileStamp(file)), 'parsed a');
      appendFileSync(file, 'b\n');
      assert.equal(cache.get(file, fileStamp(file)), undefined);
      writeFileSync(join(dir, 'other'), 'a\n');
      renameSync(join(dir, 'other'), file);
      assert.notEqual(fileStamp(file), first);
      assert.throws(() => fileStamp(join(dir, 'missing')), /ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
