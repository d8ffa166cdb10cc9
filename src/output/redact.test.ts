import assert from 'node:assert/strict';
import { Redactor } from './redact.js';

describe('Redactor', () => {
  it('masks every occurrence of a secret in nested values', () => {
    const r = new Redactor();
    r.add('s3cret-pw');
    const out = r.redactValue({ msg: 'pw is s3cret-pw', list: ['x s3cret-pw s3cret-pw'], n: 3 });
    assert.deepEqual(out, { msg: 'pw is ********', list: ['x ******** ********'], n: 3 });
  });

  it('masks the longer secret whole when one secret contains another', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('abcdef');
    assert.equal(r.redact('abcdef abc'), '******** ********');
  });

  it('ignores empty and very short values that would mangle output', () => {
    const r = new Redactor();
    r.add('');
    r.add('a');
    r.add(undefined);
    assert.equal(r.redact('a banana'), 'a banana');
  });
});
