// Number, text, grouping, seeded random and Windows-path filters against Ansible's answers.
// The expected values are ansible-core 2.14.18's own (Debian 12, Jinja 3.1): each row was
// rendered as `v | filter(args, kwargs)` by Ansible's Templar environment; "err" rows
// are calls Ansible refuses, with the Python exception it raised.
import assert from 'node:assert/strict';
import { describeCase, type FilterCase, outcome } from './filters-harness.js';

const CASES: FilterCase[] = [
  ["random", [1, 2, 3, 4, 5], [], {"seed": "abc"}, {"ok": 5}],
  ["random", [1, 2, 3, 4, 5], [], {"seed": "web01"}, {"ok": 3}],
  ["random", 100, [], {"seed": 42}, {"ok": 81}],
  ["random", 100, [10, 5], {"seed": "x"}, {"ok": 60}],
  ["random", ["a", "b"], [], {"seed": 0}, {"ok": "b"}],
  ["random", 1000000, [], {"seed": "hv01"}, {"ok": 345779}],
  ["random", "abcdef", [], {"seed": "s"}, {"ok": "d"}],
  ["random", 0, [], {"seed": 1}, {"err": "ValueError"}],
  ["random", [1], [1], {"seed": 1}, {"err": "AnsibleFilterError"}],
  ["shuffle", [1, 2, 3, 4, 5, 6, 7, 8], [], {"seed": "x"}, {"ok": [8, 3, 2, 1, 4, 7, 5, 6]}],
  ["shuffle", [1, 2, 3, 4, 5, 6, 7, 8], [], {"seed": 12345}, {"ok": [4, 2, 8, 5, 3, 1, 6, 7]}],
  ["shuffle", ["a", "b", "c"], [], {"seed": "héllo"}, {"ok": ["c", "b", "a"]}],
  ["root", 16, [], {}, {"ok": 4.0}],
  ["root", 27, [3], {}, {"ok": 3.0}],
  ["log", 8, [2], {}, {"ok": 3.0}],
  ["log", 100, [10], {}, {"ok": 2.0}],
  ["log", 1, [], {}, {"ok": 0.0}],
  ["pow", 2, [8], {}, {"ok": 256.0}],
  ["pow", 2, [0.5], {}, {"ok": 1.4142135623730951}],
  ["filesizeformat", 1024, [], {}, {"ok": "1.0 kB"}],
  ["filesizeformat", 1500000, [], {}, {"ok": "1.5 MB"}],
  ["filesizeformat", 1048576, [true], {}, {"ok": "1.0 MiB"}],
  ["filesizeformat", 1, [], {}, {"ok": "1 Byte"}],
  ["filesizeformat", 999, [], {}, {"ok": "999 Bytes"}],
  ["filesizeformat", 1e+30, [], {}, {"ok": "1000000.0 YB"}],
  ["filesizeformat", "2048", [true], {}, {"ok": "2.0 KiB"}],
  ["truncate", "abcdefghij", [8], {}, {"ok": "abcdefghij"}],
  ["truncate", "hello big world of text here", [10], {}, {"ok": "hello..."}],
  ["truncate", "hello big world of text here", [10, true], {}, {"ok": "hello b..."}],
  ["truncate", "hello big world of text here", [10, false, "!", 0], {}, {"ok": "hello!"}],
  ["truncate", "hello", [2], {}, {"err": "AssertionError"}],
  ["escape", "<b>&\"'", [], {}, {"ok": "&lt;b&gt;&amp;&#34;&#39;"}],
  ["e", "x", [], {}, {"ok": "x"}],
  ["comment", "a\nb", [], {}, {"ok": "#\n# a\n# b\n#"}],
  ["comment", "a\n\nb", ["c"], {}, {"ok": "//\n// a\n//\n// b\n//"}],
  ["comment", "a", ["cblock"], {}, {"ok": "/*\n *\n * a\n *\n */"}],
  ["comment", "a", ["xml"], {}, {"ok": "<!--\n -\n - a\n -\n-->"}],
  ["comment", "a", [], {"decoration": "; ", "prefix_count": 2}, {"ok": ";\n;\n; a\n;"}],
  ["comment", "a", ["erlang"], {}, {"ok": "%\n% a\n%"}],
  ["groupby", [{"n": "a", "v": 1}, {"n": "B", "v": 2}, {"n": "A", "v": 3}], ["n"], {}, {"ok": [["a", [{"n": "a", "v": 1}, {"n": "A", "v": 3}]], ["B", [{"n": "B", "v": 2}]]]}],
  ["groupby", [{"n": "a", "v": 1}, {"n": "B", "v": 2}, {"n": "A", "v": 3}], ["n"], {"case_sensitive": true}, {"ok": [["A", [{"n": "A", "v": 3}]], ["B", [{"n": "B", "v": 2}]], ["a", [{"n": "a", "v": 1}]]]}],
  ["groupby", [{"n": 2}, {"n": 1}, {"n": 2}], ["n"], {}, {"ok": [[1, [{"n": 1}]], [2, [{"n": 2}, {"n": 2}]]]}],
  ["groupby", [{"n": 2}, {}], ["n"], {"default": 0}, {"ok": [[0, [{}]], [2, [{"n": 2}]]]}],
  ["extract", 1, [["a", "b", "c"]], {}, {"ok": "b"}],
  ["extract", "x", [{"x": {"y": [5, 6]}}, ["y", 1]], {}, {"ok": 6}],
  ["extract", "x", [{"x": {"y": 3}}, "y"], {}, {"ok": 3}],
  ["extract", "q", [{"x": 1}], {}, {"err": "UndefinedError"}],
  ["combinations", [1, 2, 3], [2], {}, {"ok": [[1, 2], [1, 3], [2, 3]]}],
  ["combinations", [1, 2], [3], {}, {"ok": []}],
  ["permutations", [1, 2, 3], [], {}, {"ok": [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]]}],
  ["permutations", [1, 2, 3], [2], {}, {"ok": [[1, 2], [1, 3], [2, 1], [2, 3], [3, 1], [3, 2]]}],
  ["md5", "abc", [], {}, {"ok": "900150983cd24fb0d6963f7d28e17f72"}],
  ["sha1", "abc", [], {}, {"ok": "a9993e364706816aba3e25717850c26c9cd0d89d"}],
  ["to_uuid", "web01", [], {}, {"ok": "1366e976-9f5c-56fc-89f3-793cbaf36534"}],
  ["to_uuid", "x", ["11111111-2222-3333-4444-555555555555"], {}, {"ok": "ae643dff-6199-5c7f-b5fe-bf3250d1d468"}],
  ["win_basename", "C:\\a\\b.txt", [], {}, {"ok": "b.txt"}],
  ["win_dirname", "C:\\a\\b.txt", [], {}, {"ok": "C:\\a"}],
  ["win_basename", "/etc/hosts", [], {}, {"ok": "hosts"}],
  ["win_dirname", "C:\\", [], {}, {"ok": "C:\\"}],
  ["win_splitdrive", "C:\\a", [], {}, {"ok": ["C:", "\\a"]}],
  ["win_splitdrive", "\\\\srv\\share\\x", [], {}, {"ok": ["\\\\srv\\share", "\\x"]}],
  ["win_dirname", "\\\\srv\\share\\x\\y", [], {}, {"ok": "\\\\srv\\share\\x"}],
  ["path_join", ["/a", "b", "c.txt"], [], {}, {"ok": "/a/b/c.txt"}],
  ["path_join", ["/a", "/b"], [], {}, {"ok": "/b"}],
  ["path_join", ["a", "", "b"], [], {}, {"ok": "a/b"}],
  ["path_join", ["a/", "b"], [], {}, {"ok": "a/b"}],
  ["path_join", "/x", [], {}, {"ok": "/x"}],
];

describe('number, text, grouping, random and path filters answer as Ansible does', () => {
  for (const row of CASES) {
    const expected = row[4];
    it(`${describeCase(row)} ${'ok' in expected ? 'gives what Ansible gives' : 'fails as in Ansible'}`, () => {
      const actual = outcome(row);
      if ('ok' in expected) assert.deepEqual(actual, expected);
      else assert.ok('err' in actual, `Ansible raises ${expected.err}, kvmplay gives ${JSON.stringify(actual)}`);
    });
  }
});
