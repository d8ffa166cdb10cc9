import assert from 'node:assert/strict';
import { kib } from './kib.js';

describe('kib helper', () => {
  const table: Array<[unknown, number]> = [
    ['4GiB', 4194304],
    ['2048MiB', 2097152],
    ['512M', 524288],
    ['1G', 1048576],
    ['1T', 1073741824],
    ['1TiB', 1073741824],
    ['64K', 64],
    ['64KiB', 64],
    ['1.5GiB', 1572864],
    ['0.5M', 512],
    ['2 GiB', 2097152],
    ['4gib', 4194304],
    ['4g', 4194304],
    ['1048576B', 1024],
    ['2048', 2048],
    [2048, 2048],
    [0, 0],
  ];
  for (const [input, want] of table) {
    it(`converts ${JSON.stringify(input)} to ${want} KiB`, () => {
      assert.equal(kib(input), want);
    });
  }

  it('refuses the decimal spellings GB and MB instead of guessing', () => {
    assert.throws(() => kib('4GB'), /ambiguous size "4GB": write GiB/);
    assert.throws(() => kib('512MB'), /write MiB/);
  });

  it('refuses sizes that are not a whole number of KiB', () => {
    assert.throws(() => kib('1.3M'), /not a whole number of KiB/);
    assert.throws(() => kib('100B'), /not a whole number of KiB/);
    assert.throws(() => kib(1.5), /whole number/);
  });

  it('refuses garbage, negative numbers, unknown units and non-strings', () => {
    for (const bad of ['', 'lots', '-1G', '4 X', '1e3', '4GiBs']) assert.throws(() => kib(bad), RangeError, bad);
    assert.throws(() => kib(-1), RangeError);
    assert.throws(() => kib(null), TypeError);
    assert.throws(() => kib({ size: 1 }), TypeError);
  });

  it('refuses sizes too large to be exact in a JavaScript number', () => {
    assert.throws(() => kib('99999999P'), /too large/);
  });
});
