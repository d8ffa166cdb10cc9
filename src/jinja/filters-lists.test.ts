// List filters against Ansible's answers.
// The expected values are ansible-core 2.14.18's own (Debian 12, Jinja 3.1): each row was
// rendered as `v | filter(args, kwargs)` by Ansible's Templar environment; "err" rows
// are calls Ansible refuses, with the Python exception it raised.
import assert from 'node:assert/strict';
import { describeCase, type FilterCase, outcome } from './filters-harness.js';

const CASES: FilterCase[] = [
  ["first", [3, 1], [], {}, {"ok": 3}],
  ["first", "abc", [], {}, {"ok": "a"}],
  ["last", [3, 1], [], {}, {"ok": 1}],
  ["last", "abc", [], {}, {"ok": "c"}],
  ["list", "ab", [], {}, {"ok": ["a", "b"]}],
  ["list", {"a": 1, "b": 2}, [], {}, {"ok": ["a", "b"]}],
  ["join", ["a", 1, null], [], {}, {"ok": "a1None"}],
  ["join", ["a", "b"], [", "], {}, {"ok": "a, b"}],
  ["join", [{"n": "x"}, {"n": "y"}], ["-"], {"attribute": "n"}, {"ok": "x-y"}],
  ["min", [3, 1, 2], [], {}, {"ok": 1}],
  ["max", ["b", "A", "C"], [], {}, {"ok": "C"}],
  ["min", ["b", "A", "C"], [], {"case_sensitive": true}, {"ok": "A"}],
  ["max", [{"n": 1}, {"n": 5}, {"n": 3}], [], {"attribute": "n"}, {"ok": {"n": 5}}],
  ["sum", [1, 2, 3.5], [], {}, {"ok": 6.5}],
  ["sum", [[1], [2]], [], {"start": []}, {"ok": [1, 2]}],
  ["sum", [{"n": 1}, {"n": 5}], [], {"attribute": "n"}, {"ok": 6}],
  ["sum", [1, 2], [], {"start": 10}, {"ok": 13}],
  ["sort", ["b", "A", "a", "C"], [], {}, {"ok": ["A", "a", "b", "C"]}],
  ["sort", ["b", "A", "a", "C"], [], {"case_sensitive": true}, {"ok": ["A", "C", "a", "b"]}],
  ["sort", [3, 1, 2], [true], {}, {"ok": [3, 2, 1]}],
  ["sort", [{"n": "b", "i": 1}, {"n": "a", "i": 2}, {"n": "B", "i": 3}], [], {"attribute": "n"}, {"ok": [{"n": "a", "i": 2}, {"n": "b", "i": 1}, {"n": "B", "i": 3}]}],
  ["sort", [{"n": "b", "i": 1}, {"n": "a", "i": 2}, {"n": "b", "i": 0}], [], {"attribute": "n,i"}, {"ok": [{"n": "a", "i": 2}, {"n": "b", "i": 0}, {"n": "b", "i": 1}]}],
  ["sort", [{"n": "b", "i": 1}, {"n": "a", "i": 2}, {"n": "B", "i": 3}], [], {"attribute": "n", "reverse": true}, {"ok": [{"n": "b", "i": 1}, {"n": "B", "i": 3}, {"n": "a", "i": 2}]}],
  ["sort", [[2, "a"], [1, "b"], [1, "a"]], [], {}, {"ok": [[1, "a"], [1, "b"], [2, "a"]]}],
  ["sort", [1, "a"], [], {}, {"err": "TypeError"}],
  ["reverse", [1, 2, 3], [], {}, {"ok": [3, 2, 1]}],
  ["reverse", "abc", [], {}, {"ok": "cba"}],
  ["unique", ["a", "A", "b", "a"], [], {}, {"ok": ["a", "b"]}],
  ["unique", ["a", "A", "b"], [], {"case_sensitive": true}, {"ok": ["a", "A", "b"]}],
  ["unique", [1, 1.0, true, 2], [], {}, {"ok": [1, 2]}],
  ["unique", [[1], [1], {"a": 1}, {"a": 1}], [], {}, {"ok": [[1], {"a": 1}]}],
  ["unique", [{"n": "a", "i": 1}, {"n": "A", "i": 2}], [], {"attribute": "n"}, {"ok": [{"n": "a", "i": 1}]}],
  ["union", [1, 2, 2], [[2, 3]], {}, {"ok": [1, 2, 3]}],
  ["union", ["a"], [["A"]], {}, {"ok": ["a", "A"]}],
  ["intersect", [1, 2, 2, 3], [[2, 3, 4]], {}, {"ok": [2, 3]}],
  ["difference", [1, 2, 2, 3], [[2]], {}, {"ok": [1, 3]}],
  ["symmetric_difference", [1, 2, 3], [[3, 4, 4]], {}, {"ok": [1, 2, 4]}],
  ["union", [[1], [2]], [[[1], [3]]], {}, {"ok": [[1], [2], [3]]}],
  ["map", ["a", "B"], ["upper"], {}, {"ok": ["A", "B"]}],
  ["map", [{"a": {"b": 1}}, {"a": {"b": 2}}], [], {"attribute": "a.b"}, {"ok": [1, 2]}],
  ["map", [{"a": 1}, {}], [], {"attribute": "a", "default": 0}, {"ok": [1, 0]}],
  ["map", ["a,b", "c"], ["split", ","], {}, {"ok": [["a", "b"], ["c"]]}],
  ["map", [["x", "y"]], [], {"attribute": "1"}, {"ok": ["y"]}],
  ["map", [{"a": 1}, {}], [], {"attribute": "a"}, {"err": "UndefinedError"}],
  ["select", [0, 1, "", "a", null], [], {}, {"ok": [1, "a"]}],
  ["select", [1, 2, 3, 4], ["odd"], {}, {"ok": [1, 3]}],
  ["reject", [1, 2, 3, 4], ["odd"], {}, {"ok": [2, 4]}],
  ["select", [1, 5, 10], ["gt", 3], {}, {"ok": [5, 10]}],
  ["select", ["a", "ab", "b"], ["match", "a"], {}, {"ok": ["a", "ab"]}],
  ["reject", [1, null, 2], ["none"], {}, {"ok": [1, 2]}],
  ["selectattr", [{"a": 1}, {"a": 0}, {"b": 1}], ["a", "defined"], {}, {"ok": [{"a": 1}, {"a": 0}]}],
  ["selectattr", [{"a": 1}, {"a": 0}], ["a"], {}, {"ok": [{"a": 1}]}],
  ["selectattr", [{"a": 1}, {"a": 2}], ["a", "equalto", 2], {}, {"ok": [{"a": 2}]}],
  ["rejectattr", [{"a": 1}, {"a": 0}, {"b": 1}], ["a", "defined"], {}, {"ok": [{"b": 1}]}],
  ["selectattr", [{"a": 1}, {"b": 2}], ["a", "equalto", 1], {}, {"err": "UndefinedError"}],
  ["flatten", [1, [2, [3, [4]]], null, "None"], [], {}, {"ok": [1, 2, 3, 4]}],
  ["flatten", [1, [2, [3, [4]]]], [1], {}, {"ok": [1, 2, [3, [4]]]}],
  ["flatten", [1, [2, [3]]], [0], {}, {"ok": [1, [2, [3]]]}],
  ["flatten", [1, null, [null]], [], {"skip_nulls": false}, {"ok": [1, null, null]}],
  ["batch", [1, 2, 3, 4, 5], [2], {}, {"ok": [[1, 2], [3, 4], [5]]}],
  ["batch", [1, 2, 3, 4, 5], [2, "x"], {}, {"ok": [[1, 2], [3, 4], [5, "x"]]}],
  ["slice", [1, 2, 3, 4, 5, 6, 7], [3], {}, {"ok": [[1, 2, 3], [4, 5], [6, 7]]}],
  ["slice", [1, 2, 3, 4, 5, 6, 7], [3, 0], {}, {"ok": [[1, 2, 3], [4, 5, 0], [6, 7, 0]]}],
  ["slice", [1, 2], [4], {}, {"ok": [[1], [2], [], []]}],
  ["zip", [1, 2, 3], [["a", "b"]], {}, {"ok": [[1, "a"], [2, "b"]]}],
  ["zip", [1, 2], [["a", "b"], [true, false]], {}, {"ok": [[1, "a", true], [2, "b", false]]}],
  ["zip_longest", [1, 2, 3], [["a"]], {}, {"ok": [[1, "a"], [2, null], [3, null]]}],
  ["zip_longest", [1, 2], [["a"]], {"fillvalue": "-"}, {"ok": [[1, "a"], [2, "-"]]}],
  ["product", [1, 2], [["a", "b"]], {}, {"ok": [[1, "a"], [1, "b"], [2, "a"], [2, "b"]]}],
  ["product", [1, 2], [], {"repeat": 2}, {"ok": [[1, 1], [1, 2], [2, 1], [2, 2]]}],
  ["length", "héllo", [], {}, {"ok": 5}],
  ["length", {"a": 1}, [], {}, {"ok": 1}],
  ["count", [1, 2], [], {}, {"ok": 2}],
  ["first", [], [], {}, {"err": "UndefinedError"}],
];

describe('list filters answer as Ansible does', () => {
  for (const row of CASES) {
    const expected = row[4];
    it(`${describeCase(row)} ${'ok' in expected ? 'gives what Ansible gives' : 'fails as in Ansible'}`, () => {
      const actual = outcome(row);
      if ('ok' in expected) assert.deepEqual(actual, expected);
      else assert.ok('err' in actual, `Ansible raises ${expected.err}, kvmplay gives ${JSON.stringify(actual)}`);
    });
  }
});
