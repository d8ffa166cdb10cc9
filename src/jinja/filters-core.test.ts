// Dict and value filters against Ansible's answers.
// The expected values are ansible-core 2.14.18's own (Debian 12, Jinja 3.1): each row was
// rendered as `v | filter(args, kwargs)` by Ansible's Templar environment; "err" rows
// are calls Ansible refuses, with the Python exception it raised.
import assert from 'node:assert/strict';
import { describeCase, type FilterCase, outcome } from './filters-harness.js';

const CASES: FilterCase[] = [
  ["dict2items", {"b": 1, "a": [2]}, [], {}, {"ok": [{"key": "b", "value": 1}, {"key": "a", "value": [2]}]}],
  ["dict2items", {"a": 1}, [], {"key_name": "k", "value_name": "v"}, {"ok": [{"k": "a", "v": 1}]}],
  ["dict2items", [1], [], {}, {"err": "AnsibleFilterTypeError"}],
  ["items2dict", [{"key": "a", "value": 1}, {"key": "b", "value": 2}], [], {}, {"ok": {"a": 1, "b": 2}}],
  ["items2dict", [{"k": "a", "v": 1}], [], {"key_name": "k", "value_name": "v"}, {"ok": {"a": 1}}],
  ["items2dict", [{"key": "a"}], [], {}, {"err": "AnsibleFilterTypeError"}],
  ["combine", {"a": 1, "b": {"x": 1}}, [{"b": {"y": 2}, "c": 3}], {}, {"ok": {"a": 1, "b": {"y": 2}, "c": 3}}],
  ["combine", {"a": 1, "b": {"x": 1}}, [{"b": {"y": 2}}], {"recursive": true}, {"ok": {"a": 1, "b": {"x": 1, "y": 2}}}],
  ["combine", {"a": 1}, [{"a": 2}, {"a": 3, "d": 4}], {}, {"ok": {"a": 3, "d": 4}}],
  ["combine", [{"a": 1}, {"b": 2}], [], {}, {"ok": {"a": 1, "b": 2}}],
  ["combine", {}, [], {}, {"ok": {}}],
  ["combine", {"l": [1, 2], "n": {"l": [1]}}, [{"l": [2, 3], "n": {"l": [2]}}], {"recursive": true, "list_merge": "append"}, {"ok": {"l": [1, 2, 2, 3], "n": {"l": [1, 2]}}}],
  ["combine", {"l": [1, 2]}, [{"l": [2, 3]}], {"recursive": true, "list_merge": "prepend"}, {"ok": {"l": [2, 3, 1, 2]}}],
  ["combine", {"l": [1, 2]}, [{"l": [2, 3]}], {"recursive": true, "list_merge": "append_rp"}, {"ok": {"l": [1, 2, 3]}}],
  ["combine", {"l": [1, 2]}, [{"l": [2, 3]}], {"recursive": true, "list_merge": "prepend_rp"}, {"ok": {"l": [2, 3, 1]}}],
  ["combine", {"l": [1, 2]}, [{"l": [2, 3]}], {"recursive": true, "list_merge": "keep"}, {"ok": {"l": [1, 2]}}],
  ["combine", {"l": [1, 2]}, [{"l": [2, 3]}], {"list_merge": "append"}, {"ok": {"l": [1, 2, 2, 3]}}],
  ["combine", {"a": {"x": 1, "y": 2}}, [{"a": {"y": 3}, "b": 1}], {"recursive": true}, {"ok": {"a": {"x": 1, "y": 3}, "b": 1}}],
  ["combine", {"a": 1}, [2], {}, {"err": "AnsibleError"}],
  ["dictsort", {"b": 1, "A": 2, "c": 0}, [], {}, {"ok": [["A", 2], ["b", 1], ["c", 0]]}],
  ["dictsort", {"b": 1, "A": 2, "c": 0}, [true], {}, {"ok": [["A", 2], ["b", 1], ["c", 0]]}],
  ["dictsort", {"b": 1, "A": 2, "c": 0}, [], {"by": "value"}, {"ok": [["c", 0], ["b", 1], ["A", 2]]}],
  ["dictsort", {"b": 1, "A": 2, "c": 0}, [], {"reverse": true}, {"ok": [["c", 0], ["b", 1], ["A", 2]]}],
  ["default", null, [], {}, {"ok": null}],
  ["default", "", ["x"], {}, {"ok": ""}],
  ["default", "", ["x", true], {}, {"ok": "x"}],
  ["default", 0, ["x"], {"boolean": true}, {"ok": "x"}],
  ["ternary", true, ["y", "n"], {}, {"ok": "y"}],
  ["ternary", 0, ["y", "n"], {}, {"ok": "n"}],
  ["ternary", null, ["y", "n", "none"], {}, {"ok": "none"}],
  ["ternary", null, ["y", "n"], {}, {"ok": "n"}],
  ["type_debug", "a", [], {}, {"ok": "str"}],
  ["type_debug", 1, [], {}, {"ok": "int"}],
  ["type_debug", 1.5, [], {}, {"ok": "float"}],
  ["type_debug", true, [], {}, {"ok": "bool"}],
  ["type_debug", [1], [], {}, {"ok": "list"}],
  ["type_debug", {}, [], {}, {"ok": "dict"}],
  ["type_debug", null, [], {}, {"ok": "NoneType"}],
  ["bool", "yes", [], {}, {"ok": true}],
  ["bool", "Off", [], {}, {"ok": false}],
  ["bool", " yes", [], {}, {"ok": false}],
  ["bool", 1, [], {}, {"ok": true}],
  ["bool", 0, [], {}, {"ok": false}],
  ["bool", null, [], {}, {"ok": null}],
  ["bool", "TRUE", [], {}, {"ok": true}],
  ["bool", 2, [], {}, {"ok": false}],
  ["int", "42", [], {}, {"ok": 42}],
  ["int", "42.7", [], {}, {"ok": 42}],
  ["int", " 12 ", [], {}, {"ok": 12}],
  ["int", "abc", [], {}, {"ok": 0}],
  ["int", "abc", [7], {}, {"ok": 7}],
  ["int", "0x1A", [0, 16], {}, {"ok": 26}],
  ["int", "ff", [], {"base": 16}, {"ok": 255}],
  ["int", "0b101", [0, 0], {}, {"ok": 5}],
  ["int", "1_000", [], {}, {"ok": 1000}],
  ["int", true, [], {}, {"ok": 1}],
  ["int", -3.9, [], {}, {"ok": -3}],
  ["int", "1e3", [], {}, {"ok": 1000}],
  ["int", "077", [0, 8], {}, {"ok": 63}],
  ["float", "1.5", [], {}, {"ok": 1.5}],
  ["float", "abc", [], {}, {"ok": 0.0}],
  ["float", "abc", [2.5], {}, {"ok": 2.5}],
  ["float", " 3 ", [], {}, {"ok": 3.0}],
  ["round", 2.675, [2], {}, {"ok": 2.67}],
  ["round", 3.14159, [3], {}, {"ok": 3.142}],
  ["round", 2.5, [], {}, {"ok": 2.0}],
  ["round", 3.5, [], {}, {"ok": 4.0}],
  ["round", -2.5, [], {}, {"ok": -2.0}],
  ["round", 1.25, [1], {}, {"ok": 1.2}],
  ["round", 2.1, [0, "ceil"], {}, {"ok": 3.0}],
  ["round", 2.9, [0, "floor"], {}, {"ok": 2.0}],
  ["round", 1234.5678, [-2], {}, {"ok": 1200.0}],
  ["round", 12.345, [1], {"method": "ceil"}, {"ok": 12.4}],
  ["abs", -3, [], {}, {"ok": 3}],
  ["abs", -2.5, [], {}, {"ok": 2.5}],
];

describe('dict and value filters answer as Ansible does', () => {
  for (const row of CASES) {
    const expected = row[4];
    it(`${describeCase(row)} ${'ok' in expected ? 'gives what Ansible gives' : 'fails as in Ansible'}`, () => {
      const actual = outcome(row);
      if ('ok' in expected) assert.deepEqual(actual, expected);
      else assert.ok('err' in actual, `Ansible raises ${expected.err}, kvmplay gives ${JSON.stringify(actual)}`);
    });
  }
});
