import assert from 'node:assert/strict';
import { editBlock, markerLine, splitLinesKeepEnds, type BlockEditArgs } from './blockinfile-edit.js';

interface Case {
  name: string;
  /** null: the file does not exist. */
  before: string | null;
  args: Partial<BlockEditArgs>;
  after: string;
  msg: string;
}

const B = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const E = '# END ANSIBLE MANAGED BLOCK\n';
const DEFAULTS: BlockEditArgs = { state: 'present', block: 'new', marker: '# {mark} ANSIBLE MANAGED BLOCK', markerBegin: 'BEGIN', markerEnd: 'END' };

// Behaviours of Ansible's blockinfile.py, each checked against the module itself (ansible-core
// 2.14; append_newline/prepend_newline against 2.16's code).
const CASES: Case[] = [
  { name: 'appends the block with its markers at the end', before: 'a\nb\n', args: {}, after: `a\nb\n${B}new\n${E}`, msg: 'Block inserted' },
  { name: 'adds the missing final newline before the block', before: 'a', args: {}, after: `a\n${B}new\n${E}`, msg: 'Block inserted' },
  { name: 'writes a new file', before: null, args: {}, after: `${B}new\n${E}`, msg: 'File created' },
  { name: 'writes a new empty file for an empty block', before: null, args: { block: '' }, after: '', msg: 'File created' },
  { name: 'changes nothing when the block is there', before: `x\n${B}new\n${E}y\n`, args: {}, after: `x\n${B}new\n${E}y\n`, msg: '' },
  { name: 'replaces the block between the markers where it is', before: `x\n${B}old 1\nold 2\n${E}y\n`, args: { block: 'new 1\nnew 2\n' }, after: `x\n${B}new 1\nnew 2\n${E}y\n`, msg: 'Block inserted' },
  { name: 'removes the block and its markers with state absent', before: `x\n${B}old\n${E}y\n`, args: { state: 'absent' }, after: 'x\ny\n', msg: 'Block removed' },
  { name: 'removes the block when the block is empty', before: `x\n${B}old\n${E}y\n`, args: { block: '' }, after: 'x\ny\n', msg: 'Block removed' },
  { name: 'removes nothing that is not there', before: 'x\n', args: { state: 'absent' }, after: 'x\n', msg: '' },
  { name: 'takes the markers in the wrong order, from the end marker to the begin marker', before: `${E}mid\n${B}`, args: {}, after: `${B}new\n${E}`, msg: 'Block inserted' },
  { name: 'inserts after the last line an insertafter regexp matches', before: 'a\nb\na\nc\n', args: { insertafter: '^a' }, after: `a\nb\na\n${B}new\n${E}c\n`, msg: 'Block inserted' },
  { name: 'inserts before the last line an insertbefore regexp matches', before: 'a\nb\nb\n', args: { insertbefore: '^b' }, after: `a\nb\n${B}new\n${E}b\n`, msg: 'Block inserted' },
  { name: 'inserts at the top with insertbefore BOF', before: 'a\n', args: { insertbefore: 'BOF' }, after: `${B}new\n${E}a\n`, msg: 'Block inserted' },
  { name: 'takes insertafter BOF as a regexp (only insertbefore has BOF)', before: 'a\nBOF\nc\n', args: { insertafter: 'BOF' }, after: `a\nBOF\n${B}new\n${E}c\n`, msg: 'Block inserted' },
  { name: 'appends when insertafter matches nothing', before: 'a\n', args: { insertafter: 'zzz' }, after: `a\n${B}new\n${E}`, msg: 'Block inserted' },
  { name: 'appends when insertbefore matches nothing', before: 'a\n', args: { insertbefore: 'zzz' }, after: `a\n${B}new\n${E}`, msg: 'Block inserted' },
  { name: 'matches $ before the newline of a line, as Python', before: 'a\nb\nc\n', args: { insertafter: 'b$' }, after: `a\nb\n${B}new\n${E}c\n`, msg: 'Block inserted' },
  { name: 'searches the whole file with a (?m) insertafter', before: 'a\nb\nc\n', args: { insertafter: '(?m)^a\\nb' }, after: `a\nb\n${B}new\n${E}c\n`, msg: 'Block inserted' },
  { name: 'counts lines up to the start of a (?m) insertbefore match', before: 'a\nb\nc\n', args: { insertbefore: '(?m)^b\\nc' }, after: `a\n${B}new\n${E}b\nc\n`, msg: 'Block inserted' },
  { name: 'skips a line when a (?m) insertafter match takes its newline, as Ansible', before: 'a\nb\nc\n', args: { insertafter: '(?m)^a\\n' }, after: `a\nb\n${B}new\n${E}c\n`, msg: 'Block inserted' },
  { name: 'keeps CRLF lines and compares markers with their newline', before: 'a\r\nb\r\n', args: { insertafter: '^a' }, after: `a\r\n${B}new\n${E}b\r\n`, msg: 'Block inserted' },
  { name: 'uses a custom marker and begin/end words', before: 'a\n', args: { marker: '<!-- {mark} -->', markerBegin: 'START', markerEnd: 'STOP' }, after: 'a\n<!-- START -->\nnew\n<!-- STOP -->\n', msg: 'Block inserted' },
  { name: 'adds a blank line before the block with prepend_newline', before: 'a\nb\n', args: { prependNewline: true, insertafter: '^a' }, after: `a\n\n${B}new\n${E}b\n`, msg: 'Block inserted' },
  { name: 'adds a blank line after the block with append_newline', before: 'a\nb\n', args: { appendNewline: true, insertafter: '^a' }, after: `a\n${B}new\n${E}\nb\n`, msg: 'Block inserted' },
  { name: 'adds no blank line at the ends of the file', before: '', args: { appendNewline: true, prependNewline: true }, after: `${B}new\n${E}`, msg: 'Block inserted' },
  { name: 'adds no second blank line', before: 'a\n\nb\n', args: { prependNewline: true, insertafter: '^$' }, after: `a\n\n${B}new\n${E}b\n`, msg: 'Block inserted' },
];

describe('blockinfile edit (Ansible semantics)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = editBlock(c.before, { ...DEFAULTS, ...c.args });
      assert.equal(r.content, c.after);
      assert.equal(r.msg, c.msg);
    });
  }

  it('is idempotent: applying the result again changes nothing', () => {
    for (const c of CASES.filter((x) => x.after !== '')) {
      const again = editBlock(c.after, { ...DEFAULTS, ...c.args });
      assert.equal(again.msg, '', c.name);
    }
  });

  it('splits lines at \\n, \\r\\n and \\r like Python bytes.splitlines', () => {
    assert.deepEqual(splitLinesKeepEnds(''), []);
    assert.deepEqual(splitLinesKeepEnds('a\r\nb\rc\nd'), ['a\r\n', 'b\r', 'c\n', 'd']);
  });

  it('reads marker_begin as re.sub reads a replacement, encoded as Latin-1', () => {
    assert.equal(markerLine('# {mark} x {mark}', 'B\\\\E'), '# B\\E x B\\E\n');
    assert.equal(markerLine('# {mark}', 'B\\tE'), '# B\tE\n');
    assert.equal(markerLine('# {mark}', 'B\\g<0>'), '# B{mark}\n');
    assert.equal(markerLine('# {mark}', 'é'), '# \xe9\n');
    assert.throws(() => markerLine('# {mark}', 'B\\1'), /invalid group reference 1/);
    assert.throws(() => markerLine('# {mark}', 'B\\q'), /bad escape \\q/);
    assert.throws(() => markerLine('# {mark}', '€'), /'latin-1' codec can't encode/);
  });

  it('fails where Ansible\'s module fails: an insert position past the last line', () => {
    assert.throws(() => editBlock('a\nb\n', { ...DEFAULTS, insertafter: '(?m)b\\n' }), /list index out of range/);
  });

  it('throws on an invalid regexp', () => {
    assert.throws(() => editBlock('a\n', { ...DEFAULTS, insertafter: '(' }), /missing closing \)/);
  });
});
