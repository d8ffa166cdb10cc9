// Data-format, hash and path filters against Ansible's answers.
// The expected values are ansible-core 2.14.18's own (Debian 12, Jinja 3.1): each row was
// rendered as `v | filter(args, kwargs)` by Ansible's Templar environment; "err" rows
// are calls Ansible refuses, with the Python exception it raised.
import assert from 'node:assert/strict';
import { describeCase, type FilterCase, outcome } from './filters-harness.js';

const CASES: FilterCase[] = [
  ["to_json", {"b": [1, 2.5, null, true], "a": "é\"\n\u0001😀", "c": {}}, [], {}, {"ok": "{\"b\": [1, 2.5, null, true], \"a\": \"\\u00e9\\\"\\n\\u0001\\ud83d\\ude00\", \"c\": {}}"}],
  ["to_json", [1, "a"], [], {"sort_keys": true}, {"ok": "[1, \"a\"]"}],
  ["to_json", {"b": 1, "a": {"d": [], "c": 2}}, [], {"indent": 2}, {"ok": "{\n  \"b\": 1,\n  \"a\": {\n    \"d\": [],\n    \"c\": 2\n  }\n}"}],
  ["to_json", "x", [], {}, {"ok": "\"x\""}],
  ["to_json", 1.5e-07, [], {}, {"ok": "1.5e-07"}],
  ["to_nice_json", {"b": [1, {"z": 1, "y": []}], "a": "é"}, [], {}, {"ok": "{\n    \"a\": \"\\u00e9\",\n    \"b\": [\n        1,\n        {\n            \"y\": [],\n            \"z\": 1\n        }\n    ]\n}"}],
  ["to_nice_json", {"b": 1, "a": 2}, [2], {}, {"ok": "{\n  \"a\": 2,\n  \"b\": 1\n}"}],
  ["to_nice_json", [], [], {}, {"ok": "[]"}],
  ["from_json", "{\"a\": [1, 2.5, null, true]}", [], {}, {"ok": {"a": [1, 2.5, null, true]}}],
  ["from_json", "nope", [], {}, {"err": "JSONDecodeError"}],
  ["from_yaml", "a: yes\nb: [1, 2]\nc: 0755\nd: ~\ne: '1'\n", [], {}, {"ok": {"a": true, "b": [1, 2], "c": 493, "d": null, "e": "1"}}],
  ["from_yaml", "- x\n- y: 1\n", [], {}, {"ok": ["x", {"y": 1}]}],
  ["to_yaml", "abc", [], {}, {"ok": "abc\n"}],
  ["to_yaml", "yes", [], {}, {"ok": "'yes'\n"}],
  ["to_yaml", "", [], {}, {"ok": "''\n"}],
  ["to_yaml", 1, [], {}, {"ok": "1\n"}],
  ["to_yaml", null, [], {}, {"ok": "null\n"}],
  ["to_yaml", true, [], {}, {"ok": "true\n"}],
  ["to_yaml", 2.5, [], {}, {"ok": "2.5\n"}],
  ["to_yaml", [1, "a", null], [], {}, {"ok": "[1, a, null]\n"}],
  ["to_yaml", [], [], {}, {"ok": "[]\n"}],
  ["to_yaml", {}, [], {}, {"ok": "{}\n"}],
  ["to_yaml", {"b": [1, 2], "a": {"c": "x", "d": [{"e": 1}]}}, [], {}, {"ok": "a:\n  c: x\n  d:\n  - {e: 1}\nb: [1, 2]\n"}],
  ["to_yaml", {"s": "a: b", "t": "- x", "u": "#c", "v": "x #y", "w": "1.0", "x": "0755", "y": "2024-01-02", "z": "null", "q": "it's", "n": "a\nb\n", "sp": " lead", "tr": "trail ", "ctl": "a\u0001b", "uni": "héllo 😀", "col": "a:b", "star": "*x", "dash": "-x", "pct": "%x", "ex": "!x", "amp": "&x", "q2": "\"x\"", "brace": "{x}", "bracket": "x[0]", "comma": "a, b", "q3": "?", "tilde": "~", "eq": "=", "merge": "<<", "on": "on", "dots": "...x", "dashes": "---"}, [], {}, {"ok": "{amp: '&x', brace: '{x}', bracket: 'x[0]', col: 'a:b', comma: 'a, b', ctl: \"a\\x01b\",\n  dash: -x, dashes: '---', dots: '...x', eq: '=', ex: '!x', merge: '<<', n: 'a\n\n    b\n\n    ', 'on': 'on', pct: '%x', q: it's, q2: '\"x\"', q3: '?', s: 'a: b', sp: ' lead',\n  star: '*x', t: '- x', tilde: '~', tr: 'trail ', u: '#c', uni: \"héllo \\U0001F600\",\n  v: 'x #y', w: '1.0', x: '0755', y: '2024-01-02', z: 'null'}\n"}],
  ["to_yaml", {"long": "word word word word word word word word word word word word word word word word word word word word word word word"}, [], {}, {"ok": "{long: word word word word word word word word word word word word word word word\n    word word word word word word word word}\n"}],
  ["to_yaml", ["word word word word word word word word word word word word word word word word word word word word word word word", "b"], [], {}, {"ok": "[word word word word word word word word word word word word word word word word word\n    word word word word word word, b]\n"}],
  ["to_yaml", {"k": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yy"}, [], {}, {"ok": "{k: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n    yy}\n"}],
  ["to_yaml", {"q": "it's a long long long long long long long long long long long long long long long long long line"}, [], {}, {"ok": "{q: it's a long long long long long long long long long long long long long long long\n    long long line}\n"}],
  ["to_yaml", {"d": "tab\there and a long long long long long long long long long long long long long long long long line"}, [], {}, {"ok": "{d: \"tab\\there and a long long long long long long long long long long long long long\n    long long long line\"}\n"}],
  ["to_yaml", {"a": ["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccc", "dddddddddddddddddddddd", "eeeeeeeee"]}, [], {}, {"ok": "a: [aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccccccccc,\n  dddddddddddddddddddddd, eeeeeeeee]\n"}],
  ["to_nice_yaml", {"b": [1, 2], "a": {"c": "x", "d": [{"e": 1, "f": [1, 2]}]}, "e": [], "f": {}}, [], {}, {"ok": "a:\n    c: x\n    d:\n    -   e: 1\n        f:\n        - 1\n        - 2\nb:\n- 1\n- 2\ne: []\nf: {}\n"}],
  ["to_nice_yaml", [{"name": "x", "list": ["a", "b"]}, "s"], [], {}, {"ok": "-   list:\n    - a\n    - b\n    name: x\n- s\n"}],
  ["to_nice_yaml", "abc", [], {}, {"ok": "abc\n"}],
  ["to_nice_yaml", {"a": 1}, [2], {}, {"ok": "a: 1\n"}],
  ["to_nice_yaml", [[1, 2], [3]], [], {}, {"ok": "-   - 1\n    - 2\n-   - 3\n"}],
  ["to_yaml", [[1, 2], [3, [4]]], [], {}, {"ok": "- [1, 2]\n- - 3\n  - [4]\n"}],
  ["to_yaml", {"a": "multi\nline\n\ntext"}, [], {}, {"ok": "{a: 'multi\n\n    line\n\n\n    text'}\n"}],
  ["to_yaml", {"a": "x"}, [], {"default_flow_style": false}, {"ok": "a: x\n"}],
  ["to_yaml", {"a": [1]}, [], {"default_flow_style": true}, {"ok": "{a: [1]}\n"}],
  ["b64encode", "hello é", [], {}, {"ok": "aGVsbG8gw6k="}],
  ["b64decode", "aGVsbG8gw6k=", [], {}, {"ok": "hello é"}],
  ["b64encode", "x", [], {"encoding": "utf-16-le"}, {"ok": "eAA="}],
  ["hash", "hello", [], {}, {"ok": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"}],
  ["hash", "hello", ["md5"], {}, {"ok": "5d41402abc4b2a76b9719d911017c592"}],
  ["hash", "hello", ["sha256"], {}, {"ok": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}],
  ["hash", "hello", ["sha512"], {}, {"ok": "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"}],
  ["checksum", "hello", [], {}, {"ok": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"}],
  ["password_hash", "secret", ["sha512", "mysalt"], {}, {"ok": "$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5YUD9/XWtk1JOpVwt/JTsczMJr8sFVML1"}],
  ["password_hash", "secret", ["sha256", "abcdefgh"], {}, {"ok": "$5$abcdefgh$gruCpC7VkOTspMQTTSAR8mtlO9Upms.fwqE5y16JVM."}],
  ["password_hash", "secret", ["sha512", "mysalt"], {"rounds": 10000}, {"ok": "$6$rounds=10000$mysalt$9XTP7570fxVN/uTspSrH6kRPdR4KKGzGz7.TmJjDYGrKSwZuavW/3YaLur8JX6WP75Czcxa.megIO0lKreY0R."}],
  ["password_hash", "", ["sha512", "s"], {}, {"ok": "$6$s$.ZBEl9liET9mKM6jGxl//vp8wOnIJwfkp.7sG2Ahu2q68bf4LasDRE6k5T5NPzLqBFx3oUbMl6xWpBsFfgm6.."}],
  ["password_hash", "a very long password that exceeds sixty four bytes for sure, yes indeed it does", ["sha512", "0123456789abcdefXYZ"], {}, {"err": "AnsibleFilterError"}],
  ["basename", "/etc/hosts", [], {}, {"ok": "hosts"}],
  ["basename", "/etc/", [], {}, {"ok": ""}],
  ["dirname", "/etc/hosts", [], {}, {"ok": "/etc"}],
  ["dirname", "/etc/", [], {}, {"ok": "/etc"}],
  ["dirname", "hosts", [], {}, {"ok": ""}],
  ["dirname", "//x", [], {}, {"ok": "//"}],
  ["dirname", "/", [], {}, {"ok": "/"}],
  ["dirname", "a//b", [], {}, {"ok": "a"}],
  ["splitext", "a/b.tar.gz", [], {}, {"ok": ["a/b.tar", ".gz"]}],
  ["splitext", ".bashrc", [], {}, {"ok": [".bashrc", ""]}],
  ["splitext", "a/.b.c", [], {}, {"ok": ["a/.b", ".c"]}],
  ["splitext", "a.d/b", [], {}, {"ok": ["a.d/b", ""]}],
  ["splitext", "x...", [], {}, {"ok": ["x..", "."]}],
];

describe('data-format, hash and path filters answer as Ansible does', () => {
  for (const row of CASES) {
    const expected = row[4];
    it(`${describeCase(row)} ${'ok' in expected ? 'gives what Ansible gives' : 'fails as in Ansible'}`, () => {
      const actual = outcome(row);
      if ('ok' in expected) assert.deepEqual(actual, expected);
      else assert.ok('err' in actual, `Ansible raises ${expected.err}, kvmplay gives ${JSON.stringify(actual)}`);
    });
  }
});
