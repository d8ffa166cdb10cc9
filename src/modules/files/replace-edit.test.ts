import assert from 'node:assert/strict';
import { compileTextRegex, editReplace, pyTextPattern, subn } from './replace-edit.js';

// [pattern, replacement, text, Python's re.subn(pattern, repl, text, flags=re.M)]
// Each expectation was printed by CPython 3.11 (the lab hosts' Python).
const SUBN: ReadonlyArray<readonly [string, string, string, readonly [string, number]]> = [
  ['^(\\w)=(\\d)$', '\\2=\\1', 'a=1\nb=2\n', ['1=a\n2=b\n', 2]],
  ['x*', '-', 'abxd', ['-a-b--d-', 5]],
  ['^', '# ', 'a\nb\n', ['# a\n# b\n# ', 3]],
  ['$', ';', 'a\nb\n', ['a;\nb;\n;', 3]],
  ['\\w+', '<\\g<0>>', 'café ٣ naïve', ['<café> <٣> <naïve>', 3]],
  ['\\d', 'D', 'a1٣', ['aDD', 2]],
  ['\\s', '_', 'a\u00a0b\u2003c\td', ['a_b_c_d', 3]],
  ['[\\w]+', 'w', 'é-x', ['w-w', 2]],
  ['[^\\w\\s]', '?', 'é-x y!', ['é?x y?', 2]],
  ['\\D+', 'x', 'ab٣c', ['x٣x', 2]],
  ['(?P<k>\\w+)=(?P<v>\\d)', '\\g<v>=\\g<k>', 'key=1', ['1=key', 1]],
  ['(a)|(b)', '[\\1\\2]', 'ab', ['[a][b]', 2]],
  ['(a)', '\\0\\012|\\101', 'a', ['\x00\n|A', 1]],
  ['(a)', '\\-\\&', 'a', ['\\-\\&', 1]],
  ['(a)', '\\g<1>0', 'a', ['a0', 1]],
  ['\\u00e9', 'e', 'café', ['cafe', 1]],
  ['(?a)\\w+', 'W', 'café', ['Wé', 1]],
  ['[]a]', 'X', ']a', ['XX', 2]],
  ['(?s)a.b', 'X', 'a\nb', ['X', 1]],
  ['.', '.', 'a\nb', ['.\n.', 2]],
];

describe('replace edit (Python re semantics on RE2)', () => {
  for (const [pattern, repl, text, want] of SUBN) {
    it(`re.subn(${JSON.stringify(pattern)}, ${JSON.stringify(repl)}) as Python`, () => {
      const r = subn(text, compileTextRegex(pattern, { multiline: true }), repl);
      assert.deepEqual([r.text, r.count], want);
    });
  }

  it('refuses the replacement templates Python refuses, with its words', () => {
    const re = compileTextRegex('(a)(b)');
    assert.throws(() => subn('ab', re, '\\9'), /invalid group reference 9/);
    assert.throws(() => subn('ab', re, '\\g<x>'), /unknown group name 'x'/);
    assert.throws(() => subn('ab', re, '\\q'), /bad escape \\q/);
    assert.throws(() => subn('ab', re, '\\g<1'), /missing >, unterminated name/);
    assert.throws(() => subn('ab', re, '\\g1'), /missing </);
  });

  it('translates Python\'s Unicode classes and escapes to RE2 syntax', () => {
    assert.equal(pyTextPattern('\\w\\d'), '[\\p{L}\\p{N}_]\\p{Nd}');
    assert.equal(pyTextPattern('[\\w-]'), '[\\p{L}\\p{N}_-]');
    assert.equal(pyTextPattern('\\\\w'), '\\\\w');
    assert.equal(pyTextPattern('\\u00e9\\U0001F600'), '\\x{00e9}\\x{0001F600}');
    assert.equal(pyTextPattern('(?au)\\w'), '\\w');
    assert.equal(pyTextPattern('(?im)\\d'), '(?im)\\p{Nd}');
    assert.throws(() => pyTextPattern('(?L)x'), /cannot use 'L' flag with a str pattern/);
  });

  it('says how many replacements it made, and changes nothing when they replace a match by itself', () => {
    assert.deepEqual(editReplace('a=1\na=2\n', { regexp: '^a=', replace: 'b=' }), { kind: 'edited', text: 'b=1\nb=2\n', count: 2, changed: true, msg: '2 replacements made' });
    assert.deepEqual(editReplace('creme\n', { regexp: 'cr.me', replace: 'creme' }), { kind: 'edited', text: 'creme\n', count: 1, changed: false, msg: '' });
    assert.deepEqual(editReplace('a\n', { regexp: 'x', replace: 'y' }), { kind: 'edited', text: 'a\n', count: 0, changed: false, msg: '' });
  });

  it('removes the matches when there is no replacement', () => {
    const r = editReplace('keep\ndrop me\nkeep\n', { regexp: '^drop.*\\n', replace: '' });
    assert.equal(r.kind === 'edited' && r.text, 'keep\nkeep\n');
  });

  it('replaces only after, before, or between the bounds (DOTALL), as Ansible', () => {
    const conf = '[a]\nk=1\n[b]\nk=2\n[c]\nk=3\n';
    const run = (after?: string, before?: string): string => {
      const r = editReplace(conf, { regexp: '^k=', replace: 'K=', after, before });
      return r.kind === 'edited' ? r.text : r.msg;
    };
    assert.equal(run('\\[b\\]'), '[a]\nk=1\n[b]\nK=2\n[c]\nK=3\n');
    assert.equal(run(undefined, '\\[b\\]'), '[a]\nK=1\n[b]\nk=2\n[c]\nk=3\n');
    assert.equal(run('\\[a\\]', '\\[c\\]'), '[a]\nK=1\n[b]\nK=2\n[c]\nk=3\n');
    // An empty bound is no bound (Ansible tests them for truth).
    assert.equal(run('', ''), '[a]\nK=1\n[b]\nK=2\n[c]\nK=3\n');
    assert.equal(run('\\[z\\]'), 'Pattern for before/after params did not match the given file: \\[z\\](?P<subsection>.*)');
  });

  it('refuses backreferences and lookaround in the pattern (linear time has none)', () => {
    assert.throws(() => editReplace('aa\n', { regexp: '(a)\\1', replace: 'x' }), /backreferences and lookaround are not supported/);
    assert.throws(() => editReplace('ab\n', { regexp: 'a(?=b)', replace: 'x' }), /backreferences and lookaround are not supported/);
  });

  it('replaces with a pattern that would backtrack for minutes in V8 in linear time', () => {
    const t0 = Date.now();
    const r = editReplace(`${'a'.repeat(50_000)}!\n`, { regexp: '^(a+)+$', replace: 'x' });
    assert.ok(Date.now() - t0 < 2_000, `took ${Date.now() - t0} ms`);
    assert.equal(r.kind === 'edited' && r.count, 0);
  });
});
