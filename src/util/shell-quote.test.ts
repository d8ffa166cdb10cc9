import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { quoteShellCommand, quoteShellWord } from './shell-quote.js';

// Ask a real POSIX shell to split the quoted line back into words.
function splitBySh(line: string): string[] {
  const out = spawnSync('sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.split('\0').slice(0, -1);
}

function argvBySh(line: string): string[] {
  // `set --` then print each positional parameter NUL-terminated.
  const out = spawnSync('sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.split('\0').slice(0, -1);
}

describe('shell quoting', () => {
  const awkward = [
    "it's",
    "'",
    "''",
    '$(touch /tmp/kvmplay-pwned)',
    '`id`',
    'a; rm -rf /',
    'a && b',
    'a & b',
    'a | b',
    '< /etc/passwd',
    '> out',
    'line1\nline2',
    '',
    ' ',
    'tab\there',
    '*',
    '~',
    '$HOME',
    '${x:-y}',
    '"double"',
    'back\\slash',
    'ünïcødé ✓ 日本語',
    '-n',
    'FOO=bar',
    '#comment',
    '!bang',
  ];

  it('keeps plain words bare so logs stay readable', () => {
    assert.equal(quoteShellWord('virsh'), 'virsh');
    assert.equal(quoteShellWord('/etc/libvirt/qemu.conf'), '/etc/libvirt/qemu.conf');
    assert.equal(quoteShellWord('--name=web01') , "'--name=web01'");
  });

  it('wraps a word with a single quote as close, escaped quote, reopen', () => {
    assert.equal(quoteShellWord("it's"), `'it'\\''s'`);
  });

  it('quotes the empty string as an empty argument', () => {
    assert.equal(quoteShellWord(''), "''");
    assert.deepEqual(argvBySh(quoteShellCommand(['a', '', 'b'])), ['a', '', 'b']);
  });

  for (const word of awkward) {
    it(`round-trips ${JSON.stringify(word)} through a real sh unchanged`, () => {
      assert.deepEqual(argvBySh(quoteShellWord(word)), [word]);
    });
  }

  it('round-trips a whole argv of awkward words through a real sh', () => {
    assert.deepEqual(argvBySh(quoteShellCommand(awkward)), awkward);
  });

  it('never lets a word expand as a glob or command substitution', () => {
    assert.deepEqual(splitBySh(quoteShellWord('* $(echo x)')), ['* $(echo x)']);
  });

  it('quotes a first word that would otherwise be a variable assignment', () => {
    const out = spawnSync('sh', ['-c', `${quoteShellCommand(['FOO=bar'])} 2>&1; echo "rc=$?"`], { encoding: 'utf8' });
    assert.match(out.stdout, /rc=127/);
  });

  it('refuses a NUL byte and an empty argv', () => {
    assert.throws(() => quoteShellWord('a\0b'), /NUL/);
    assert.throws(() => quoteShellCommand([]), /empty argv/);
  });
});
