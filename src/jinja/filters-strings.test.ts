// String and regex filters against Ansible's answers.
// The expected values are ansible-core 2.14.18's own (Debian 12, Jinja 3.1): each row was
// rendered as `v | filter(args, kwargs)` by Ansible's Templar environment; "err" rows
// are calls Ansible refuses, with the Python exception it raised.
import assert from 'node:assert/strict';
import { describeCase, type FilterCase, outcome } from './filters-harness.js';

const CASES: FilterCase[] = [
  ["lower", "ÀbC", [], {}, {"ok": "àbc"}],
  ["upper", "straße", [], {}, {"ok": "STRASSE"}],
  ["capitalize", "hELLO wORLD", [], {}, {"ok": "Hello world"}],
  ["title", "hello-world foo(bar) o'neil x_y", [], {}, {"ok": "Hello-World Foo(Bar) O'neil X_y"}],
  ["trim", "  a b \n", [], {}, {"ok": "a b"}],
  ["trim", "xxaxx", ["x"], {}, {"ok": "a"}],
  ["replace", "aaaa", ["a", "b"], {}, {"ok": "bbbb"}],
  ["replace", "aaaa", ["a", "b", 2], {}, {"ok": "bbaa"}],
  ["replace", "abc", ["", "-"], {}, {"ok": "-a-b-c-"}],
  ["split", "a,b,,c", [","], {}, {"ok": ["a", "b", "", "c"]}],
  ["split", "  a  b  ", [], {}, {"ok": ["a", "b"]}],
  ["split", "a b c", [" ", 1], {}, {"ok": ["a", "b c"]}],
  ["center", "abc", [8], {}, {"ok": "  abc   "}],
  ["center", "abc", [9], {}, {"ok": "   abc   "}],
  ["center", "ab", [8], {}, {"ok": "   ab   "}],
  ["center", "toolong", [3], {}, {"ok": "toolong"}],
  ["center", "x", [], {}, {"ok": "                                       x                                        "}],
  ["indent", "a\nb\n\nc", [], {}, {"ok": "a\n    b\n\n    c"}],
  ["indent", "a\nb\n\nc", [2, true], {}, {"ok": "  a\n  b\n\n  c"}],
  ["indent", "a\nb\n\nc", [2, false, true], {}, {"ok": "a\n  b\n  \n  c"}],
  ["indent", "a\nb\n", [], {"width": 3, "first": true}, {"ok": "   a\n   b\n"}],
  ["indent", "a\nb", [">>"], {}, {"ok": "a\n>>b"}],
  ["indent", "", [], {}, {"ok": ""}],
  ["format", "%s and %s", ["a", 1], {}, {"ok": "a and 1"}],
  ["format", "%d|%5d|%-5d|%05d|%+d", [3, 42, 42, 42, 7], {}, {"ok": "3|   42|42   |00042|+7"}],
  ["format", "%.2f|%8.3f|%e|%x|%X|%o|%%", [3.14159, 2.5, 12345.678, 255, 255, 8], {}, {"ok": "3.14|   2.500|1.234568e+04|ff|FF|10|%"}],
  ["format", "%r %s", ["a", null], {}, {"ok": "'a' None"}],
  ["format", "%s", [[1, "a"]], {}, {"ok": "[1, 'a']"}],
  ["format", "%g %g %g", [0.0001, 123456789, 1.5], {}, {"ok": "0.0001 1.23457e+08 1.5"}],
  ["quote", "abc", [], {}, {"ok": "abc"}],
  ["quote", "a b", [], {}, {"ok": "'a b'"}],
  ["quote", "it's", [], {}, {"ok": "'it'\"'\"'s'"}],
  ["quote", "", [], {}, {"ok": "''"}],
  ["quote", "a=b,c:d@e%f+g/h.i-j", [], {}, {"ok": "a=b,c:d@e%f+g/h.i-j"}],
  ["quote", "$HOME", [], {}, {"ok": "'$HOME'"}],
  ["string", null, [], {}, {"ok": "None"}],
  ["string", true, [], {}, {"ok": "True"}],
  ["string", [1, "a", null], [], {}, {"ok": "[1, 'a', None]"}],
  ["string", {"a": 1}, [], {}, {"ok": "{'a': 1}"}],
  ["regex_replace", "hello world", ["o", "0"], {}, {"ok": "hell0 w0rld"}],
  ["regex_replace", "hello world", ["(\\w+) (\\w+)", "\\2 \\1"], {}, {"ok": "world hello"}],
  ["regex_replace", "hello world", ["(?P<a>\\w+) (?P<b>\\w+)", "\\g<b>-\\g<a>"], {}, {"ok": "world-hello"}],
  ["regex_replace", "abc", ["x*", "-"], {}, {"ok": "-a-b-c-"}],
  ["regex_replace", "Hello", ["hello", "bye"], {"ignorecase": true}, {"ok": "bye"}],
  ["regex_replace", "a\nb", ["^", "> "], {"multiline": true}, {"ok": "> a\n> b"}],
  ["regex_replace", "a.b", ["\\.", "\\n"], {}, {"ok": "a\nb"}],
  ["regex_replace", "aaa", ["a", "b"], {"count": 2}, {"err": "TypeError"}],
  ["regex_search", "foo 123 bar", ["\\d+"], {}, {"ok": "123"}],
  ["regex_search", "foo bar", ["\\d+"], {}, {"ok": null}],
  ["regex_search", "key=val", ["(\\w+)=(\\w+)", "\\2", "\\1"], {}, {"ok": ["val", "key"]}],
  ["regex_search", "key=val", ["(?P<k>\\w+)=", "\\g<k>"], {}, {"ok": ["key"]}],
  ["regex_search", "ABC", ["b"], {"ignorecase": true}, {"ok": "B"}],
  ["regex_findall", "a1b22c333", ["\\d+"], {}, {"ok": ["1", "22", "333"]}],
  ["regex_findall", "k1=v1 k2=v2", ["(\\w+)=(\\w+)"], {}, {"ok": [["k1", "v1"], ["k2", "v2"]]}],
  ["regex_findall", "k1=v1 k2=v2", ["(\\w+)="], {}, {"ok": ["k1", "k2"]}],
  ["regex_findall", "a(b)?", ["(x)?a"], {}, {"ok": [""]}],
  ["regex_escape", "a.b*c[d] e-f/g", [], {}, {"ok": "a\\.b\\*c\\[d\\]\\ e\\-f/g"}],
  ["wordcount", "hello, big world", [], {}, {"ok": 3}],
];

describe('string and regex filters answer as Ansible does', () => {
  for (const row of CASES) {
    const expected = row[4];
    it(`${describeCase(row)} ${'ok' in expected ? 'gives what Ansible gives' : 'fails as in Ansible'}`, () => {
      const actual = outcome(row);
      if ('ok' in expected) assert.deepEqual(actual, expected);
      else assert.ok('err' in actual, `Ansible raises ${expected.err}, kvmplay gives ${JSON.stringify(actual)}`);
    });
  }
});
