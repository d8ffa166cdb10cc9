import assert from 'node:assert/strict';
import { pyStr } from '../../jinja/values.js';
import { lookupContext, runLookup } from './test-support.js';

const run = (plugin: string, terms: unknown[], options = {}): unknown[] => runLookup(lookupContext(['/nonexistent']), plugin, terms, options);

describe('lookups items, list, indexed_items and dict', () => {
  it('items spreads lists among the terms one level; list keeps the terms as they are', () => {
    assert.deepEqual(run('items', [[1, [2, 3]], 4]), [1, [2, 3], 4]);
    assert.deepEqual(run('list', [[1, 2], 3]), [[1, 2], 3]);
    assert.deepEqual(run('items', []), []);
  });

  it('indexed_items pairs each flattened item with its index, as Python tuples', () => {
    const out = run('indexed_items', [['a', 'b'], 'c']);
    assert.deepEqual(out, [[0, 'a'], [1, 'b'], [2, 'c']]);
    assert.equal(pyStr(out[0]), "(0, 'a')");
  });

  it('dict gives {key, value} per entry of each dict, and fails on anything else', () => {
    assert.deepEqual(run('dict', [{ a: 1, b: [2] }, { c: null }]), [{ key: 'a', value: 1 }, { key: 'b', value: [2] }, { key: 'c', value: null }]);
    assert.throws(() => run('dict', [[1]]), /with_dict expects a dict, not list \[1\]/);
  });

  it('take no options', () => {
    assert.throws(() => run('items', [1], { flat: true }), /lookup plugin 'items' has no option 'flat'; it takes no options/);
  });
});

describe('lookups together and nested', () => {
  it('together zips the lists, None where one is shorter', () => {
    assert.deepEqual(run('together', [[1, 2], [3]]), [[1, 3], [2, null]]);
    assert.deepEqual(run('together', [[1, [2, 3]], ['a', 'b']]), [[1, 'a'], [2, 3, 'b']]);
    assert.deepEqual(run('together', ['x', [1, 2]]), [['x', 1], [null, 2]]);
    assert.throws(() => run('together', []), /with_together requires at least one element/);
  });

  it('nested gives every combination, the first list outermost', () => {
    assert.deepEqual(run('nested', [[1, 2], ['a', 'b']]), [[1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']]);
    assert.deepEqual(run('nested', [[1], ['a'], [true, false]]), [[1, 'a', true], [1, 'a', false]]);
    assert.deepEqual(run('nested', [[1, 2], []]), []);
    assert.throws(() => run('nested', []), /with_nested requires at least one element/);
  });

  it("nested of one list flattens each item by iterating it, so strings become characters, as Ansible's does", () => {
    assert.deepEqual(run('nested', [[['a', 'b'], 'cd']]), [['a', 'b'], ['c', 'd']]);
  });
});

describe('lookup subelements', () => {
  const users = (): unknown[] => [
    { name: 'alice', keys: ['k1', 'k2'], spec: { disks: ['vda'] } },
    { name: 'bob', keys: ['k3'], spec: { disks: [] } },
  ];

  it('pairs each item with each element of its list; the item lacks the list, as Ansible pops it', () => {
    const input = users();
    const out = run('subelements', [input, 'keys']);
    assert.deepEqual(out, [
      [{ name: 'alice', spec: { disks: ['vda'] } }, 'k1'],
      [{ name: 'alice', spec: { disks: ['vda'] } }, 'k2'],
      [{ name: 'bob', spec: { disks: [] } }, 'k3'],
    ]);
    assert.deepEqual(input, users(), 'the variable itself is unchanged');
    assert.match(pyStr(out[2]), /^\(\{'name': 'bob'/);
  });

  it('follows a dotted path to a nested list', () => {
    assert.deepEqual(run('subelements', [users(), 'spec.disks']), [[{ name: 'alice', keys: ['k1', 'k2'], spec: {} }, 'vda']]);
  });

  it('takes the values of a dict, and leaves out skipped items and a skipped registered result', () => {
    const byName = { a: { name: 'a', keys: [1] }, b: { name: 'b', keys: [2], skipped: true } };
    assert.deepEqual(run('subelements', [byName, 'keys']), [[{ name: 'a' }, 1]]);
    assert.deepEqual(run('subelements', [{ skipped: true, results: [] }, 'keys']), []);
  });

  it('fails on an item without the key unless skip_missing, given as a third term or as an option', () => {
    const list = [{ name: 'a', keys: [1] }, { name: 'b' }];
    assert.throws(() => run('subelements', [list, 'keys']), /could not find 'keys' key in iterated item \{'name': 'b'\}/);
    assert.deepEqual(run('subelements', [list, 'keys', { skip_missing: true }]), [[{ name: 'a' }, 1]]);
    assert.deepEqual(run('subelements', [list, 'keys'], { skip_missing: 'yes' }), [[{ name: 'a' }, 1]]);
  });

  it('fails on terms of the wrong shape, as Ansible words it', () => {
    assert.throws(() => run('subelements', [[]]), /expects a list of two or three items/);
    assert.throws(() => run('subelements', [[], 3]), /first a dict or a list, second a string/);
    assert.throws(() => run('subelements', [[], 'keys', { bogus: 1 }]), /the optional third item must be a dict with flags/);
    assert.throws(() => run('subelements', [[1], 'keys']), /expects a dictionary, got 1/);
    assert.throws(() => run('subelements', [[{ keys: 'k' }], 'keys']), /the key keys should point to a list, got 'k'/);
    assert.throws(() => run('subelements', [[{ spec: 1 }], 'spec.disks']), /the key spec should point to a dictionary, got 1/);
  });
});
