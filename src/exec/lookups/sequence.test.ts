import assert from 'node:assert/strict';
import { MAX_RANGE } from '../../jinja/template-globals.js';
import { pyInt } from './sequence.js';
import { lookupContext, runLookup } from './test-support.js';

const seq = (terms: unknown[], options = {}): unknown[] => runLookup(lookupContext(['/nonexistent']), 'sequence', terms, options);

describe('lookup sequence', () => {
  // The examples of Ansible's documentation and outputs of ansible-core 2.14.
  const table: Array<[string, string[]]> = [
    ['5', ['1', '2', '3', '4', '5']],
    ['5-8', ['5', '6', '7', '8']],
    ['2-10/2', ['2', '4', '6', '8', '10']],
    ['4:host%02d', ['host01', 'host02', 'host03', 'host04']],
    ['2/2', ['1']],
    ['3:x%03X', ['x001', 'x002', 'x003']],
    ['0x0a-0x0c/1:%x', ['a', 'b', 'c']],
    ['start=5 end=11 stride=2 format=0x%02x', ['0x05', '0x07', '0x09', '0x0b']],
    ['start=1 end=10 format=vm%02d', ['vm01', 'vm02', 'vm03', 'vm04', 'vm05', 'vm06', 'vm07', 'vm08', 'vm09', 'vm10']],
    ['count=5', ['1', '2', '3', '4', '5']],
    ['start=0x0f00 count=4 format=%04x', ['0f00', '0f01', '0f02', '0f03']],
    ['start=0 count=5 stride=2', ['0', '2', '4', '6', '8']],
    ['start=1 count=5 stride=2', ['1', '3', '5', '7', '9']],
    ['start=5 end=1 stride=-2', ['5', '3', '1']],
    ['end=0o17 start=0x0d', ['13', '14', '15']],
    ['count=0', []],
    ['start=1 end=1 stride=0', []],
    ['end=3 format=%5.1f', ['  1.0', '  2.0', '  3.0']],
    ['end=2 format=%s', ['1', '2']],
    ['end=2 format=%c', ['\u0001', '\u0002']],
    ['end=2 format="a %d b"', ['a 1 b', 'a 2 b']],
    ['end=2 format=%ld', ['1', '2']],
  ];
  for (const [term, expected] of table) {
    it(`${term} → ${JSON.stringify(expected)}`, () => assert.deepEqual(seq([term]), expected));
  }

  it('joins the sequences of several terms, and takes an integer term as the shortcut', () => {
    assert.deepEqual(seq(['2', '8-9', 3]), ['1', '2', '8', '9', '1', '2', '3']);
  });

  it('takes the keyword options as defaults the terms override, or alone', () => {
    assert.deepEqual(seq([], { start: 1, end: 3, format: 'vm%02d' }), ['vm01', 'vm02', 'vm03']);
    assert.deepEqual(seq(['end=2'], { start: 0, format: 'n%d' }), ['n0', 'n1', 'n2']);
    assert.deepEqual(seq(['2-3'], { format: 'n%d' }), ['n2', 'n3']);
    assert.deepEqual(seq([], { end: '0x3' }), ['1', '2', '3']);
    assert.deepEqual(seq([]), []);
  });

  it('fails as Ansible does on bad arguments', () => {
    const failures: Array<[string, RegExp]> = [
      ['start=010 end=12', /can't parse start=010 as integer/],
      ['0o17', /unrecognized arguments to with_sequence: \['_raw_params'\]/],
      ['start=3 foo=1 end=5', /unrecognized arguments to with_sequence: \['foo'\]/],
      ['start=3', /must specify count or end in with_sequence/],
      ['', /must specify count or end in with_sequence/],
      ['end=3 count=3', /can't specify both count and end in with_sequence/],
      ['start=3 end=1', /to count backwards make stride negative/],
      ['start=1 end=3 stride=-1', /to count forward don't make stride negative/],
      ['end=3 format=%d%d', /bad formatting string: %d%d/],
      ['end=3 format=plain', /bad formatting string: plain/],
      ['end=1 format=%q', /problem formatting 1 with '%q'/],
      ['end=3 format="a', /unknown error parsing with_sequence arguments: 'end=3 format="a'/],
    ];
    for (const [term, message] of failures) assert.throws(() => seq([term]), message, term);
    assert.throws(() => seq(['end=3'], { stride: 'x' }), /can't parse stride=x as integer/);
    assert.throws(() => seq(['end=3'], { steps: 2 }), /has no option 'steps'/);
  });

  it(`refuses a sequence longer than range()'s limit of ${MAX_RANGE}`, () => {
    assert.throws(() => seq([`end=${MAX_RANGE + 1}`]), /longer than the limit/);
  });
});

describe("Python's int(x, 0)", () => {
  it('reads 0x, 0o, 0b, underscores and signs, and refuses a decimal with a leading zero', () => {
    assert.deepEqual(['42', '-7', '0x1F', '0o17', '0b101', '1_000', '000', ' 5 '].map(pyInt), [42, -7, 31, 15, 5, 1000, 0, 5]);
    assert.deepEqual(['010', '0x', '1__0', 'x10', '', '1.5'].map(pyInt), [undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
