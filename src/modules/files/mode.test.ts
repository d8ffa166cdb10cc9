import assert from 'node:assert/strict';
import { formatMode, isModeArg, parseMode, resolveMode } from './mode.js';

describe('file modes', () => {
  const parsed: Array<[string | number, number]> = [
    ['0644', 0o644],
    ['644', 0o644],
    ['01777', 0o1777],
    ['2755', 0o2755],
    [420, 0o644], // YAML 1.1 `0644`
    [0o600, 0o600],
  ];
  for (const [input, bits] of parsed) {
    it(`reads ${JSON.stringify(input)} as ${formatMode(bits)}`, () => {
      assert.deepEqual(parseMode(input), { kind: 'bits', bits });
    });
  }

  for (const bad of ['0999', 'rwxr-xr-x', '', 'u+q', 99999, -1, 1.5]) {
    it(`refuses ${JSON.stringify(bad)} as a mode`, () => {
      assert.equal(isModeArg(bad), false);
    });
  }

  const symbolic: Array<[string, number, boolean, number]> = [
    ['u=rw,g=r,o=r', 0o777, false, 0o644],
    ['u+x', 0o644, false, 0o744],
    ['go-w', 0o666, false, 0o644],
    ['a+X', 0o644, false, 0o644], // X: no execute anywhere on a file → nothing
    ['a+X', 0o744, false, 0o755],
    ['a+X', 0o700, true, 0o711],
    ['+x', 0o644, false, 0o755], // no who = a, umask ignored (Ansible)
    ['g=u', 0o640, false, 0o660],
    ['u+s,g+s', 0o755, true, 0o6755],
    ['+t', 0o777, true, 0o1777],
    ['o=', 0o1777, true, 0o770],
    ['u=rwx,g=rx,o=', 0o644, true, 0o750],
  ];
  for (const [expr, from, isDir, want] of symbolic) {
    it(`applies "${expr}" to ${formatMode(from)}${isDir ? ' (directory)' : ''} giving ${formatMode(want)}`, () => {
      assert.equal(resolveMode(parseMode(expr), from, isDir), want);
    });
  }

  it('formats modes with a leading zero, as Ansible returns them', () => {
    assert.equal(formatMode(0o644), '0644');
    assert.equal(formatMode(0o1777), '01777');
    assert.equal(formatMode(0o7), '0007');
  });
});
