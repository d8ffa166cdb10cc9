import assert from 'node:assert/strict';
import { renderString } from '../value.js';
import { dict2items, subelements } from './collections.js';

describe('dict2items helper', () => {
  it('turns a map into key/value items in order', () => {
    assert.deepEqual(dict2items({ namespaces: [], user: 'qemu', n: 1 }), [
      { key: 'namespaces', value: [] }, { key: 'user', value: 'qemu' }, { key: 'n', value: 1 },
    ]);
    assert.deepEqual(dict2items({}), []);
  });

  it('refuses what is not a map', () => {
    assert.throws(() => dict2items([1]), /dict2items needs a map, not a list/);
    assert.throws(() => dict2items('x'), /not a string/);
    assert.throws(() => dict2items(null), /not a null/);
  });

  it('keeps its list type in a task argument, so `loop` can use it', () => {
    assert.deepEqual(renderString('{{ dict2items s }}', { s: { a: true } }, { name: 't' }), [{ key: 'a', value: true }]);
  });
});

describe('subelements helper', () => {
  const vms = [
    { name: 'a', disks: [{ size: '1GiB' }, { size: '2GiB' }] },
    { name: 'b', disks: [] },
    { name: 'c', disks: [{ size: '3GiB' }] },
  ];

  it('pairs each item with each element of its list, with the element\'s own index', () => {
    assert.deepEqual(subelements(vms, 'disks').map(([vm, d, i]) => [(vm as { name: string }).name, (d as { size: string }).size, i]), [
      ['a', '1GiB', 0], ['a', '2GiB', 1], ['c', '3GiB', 0],
    ]);
    assert.deepEqual(subelements([], 'disks'), []);
  });

  it('refuses an item without the key unless skip_missing', () => {
    assert.throws(() => subelements([{ name: 'x' }], 'disks'), /item 0 has no "disks"/);
    assert.deepEqual(subelements([{ name: 'x' }, ...vms.slice(2)], 'disks', true).length, 1);
    assert.throws(() => subelements([{ disks: 'no' }], 'disks'), /"disks" of item 0 is a string, not a list/);
    assert.throws(() => subelements({ a: 1 }, 'disks'), /needs a list, not a map/);
    assert.throws(() => subelements([1], 'disks'), /item 0 is a number/);
  });

  it('is usable from a task argument, item.0 and item.[1], item.[2] (a trailing number needs brackets in Handlebars)', () => {
    const items = renderString("{{ subelements vms 'disks' }}", { vms }, { name: 't' }) as unknown[][];
    assert.equal(items.length, 3);
    assert.equal(renderString('{{item.0.name}}-{{item.[2]}}: {{item.[1].size}}', { item: items[1] }, { name: 't' }), 'a-1: 2GiB');
    assert.equal((renderString("{{ subelements vms 'disks' skip_missing=true }}", { vms: [{}] }, { name: 't' }) as unknown[]).length, 0);
  });
});
