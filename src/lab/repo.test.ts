import assert from 'node:assert/strict';
import { aptOptions, releaseText } from './repo.js';

describe('lab package repository', () => {
  it('points apt at the rootfs status and the repository, never at the control machine state', () => {
    const o = aptOptions('/w', '/r', '/repo');
    assert.ok(o.includes('Dir::State::status=/r/var/lib/dpkg/status'));
    assert.ok(o.includes('Dir::Cache::archives=/repo'));
    assert.ok(o.includes('Dir::State::Lists=/w/lists'));
    assert.ok(o.includes('Dir::Etc::sourcelist=/w/sources.list'));
    assert.ok(o.includes('DPkg::Lock::Timeout=600'));
  });

  it('lists each index with its hash and size in Release', () => {
    const text = releaseText([{ name: 'Packages', size: 10, sha256: 'ab' }], new Date(Date.UTC(2025, 0, 2, 3, 4, 5)));
    assert.match(text, /^Date: Thu, 02 Jan 2025 03:04:05 \+0000$/m);
    assert.match(text, /^SHA256:\n ab 10 Packages$/m);
  });
});
