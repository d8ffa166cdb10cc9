// One mocha test per row of a filter table (input, args, kwargs → what Ansible gives):
// the five filter test files share it instead of repeating the loop.
import assert from 'node:assert/strict';
import { describeCase, outcome, type FilterCase } from '../../src/jinja/filters-harness.js';

export function filterTable(title: string, cases: readonly FilterCase[]): void {
  describe(title, () => {
    for (const row of cases) {
      const expected = row[4];
      it(`${describeCase(row)} ${'ok' in expected ? 'gives what Ansible gives' : 'fails as in Ansible'}`, () => {
        const actual = outcome(row);
        if ('ok' in expected) assert.deepEqual(actual, expected);
        else assert.ok('err' in actual, `Ansible raises ${expected.err}, kvmplay gives ${JSON.stringify(actual)}`);
      });
    }
  });
}
