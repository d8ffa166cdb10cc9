import assert from 'node:assert/strict';
import { compileExpr } from './index.js';

describe('regular expressions in expressions run in linear time', () => {
  it('answers `(a+)+$` on 100,000 characters in well under a second', () => {
    const vars = { s: `${'a'.repeat(100_000)}!` };
    const started = Date.now();
    assert.equal(compileExpr("s is search('^(a+)+$')").evaluate(vars), false);
    assert.equal(compileExpr("s is match('(a|aa)+$')").evaluate(vars), false);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  it('keeps Python syntax: named groups, \\A and \\Z, flags', () => {
    assert.equal(compileExpr("'x=12' is search('(?P<n>\\\\d+)\\\\Z')").evaluate({}), true);
    assert.equal(compileExpr("'ab' is match('\\\\AAB', true)").evaluate({}), true);
    assert.equal(compileExpr("'a\\nb' is search('^b$', false, true)").evaluate({}), true);
  });

  it('refuses a backreference, saying why', () => {
    assert.throws(() => compileExpr("'aa' is search('(a)\\\\1')").evaluate({}), /invalid regular expression.*backreferences and lookaround are not supported/);
  });
});
