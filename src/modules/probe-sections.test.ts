import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SECTION_FN, sectionMarker, splitSections } from './probe-sections.js';

describe('probe sections', () => {
  it('splits what `sec NAME` printed, even after output without a final newline', () => {
    const out = execFileSync('sh', ['-c', `${SECTION_FN}\nsec one; printf 'a=1'\nsec route4; printf '[]\\n'\nsec empty`], { encoding: 'utf8' });
    const s = splitSections(out);
    assert.deepEqual([...s.keys()], ['one', 'route4', 'empty']);
    assert.equal(s.get('one'), 'a=1');
    assert.equal(s.get('route4')?.trim(), '[]');
    assert.equal(s.get('empty'), '');
  });

  it('reads output built with sectionMarker, and ignores text before the first marker', () => {
    const s = splitSections(`noise\n${sectionMarker('kv')}\nhostname=h1\n${sectionMarker('os-release')}\nID=debian\n`);
    assert.deepEqual(Object.fromEntries(s), { kv: 'hostname=h1', 'os-release': 'ID=debian\n' });
  });
});
