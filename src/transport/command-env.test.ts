import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { envExports, envProblem, execText } from './command-env.js';

describe('task environment as shell text', () => {
  it('exports each variable with its value single-quoted where needed', () => {
    assert.equal(envExports({ A: 'plain', B: "it's x" }), `export A=plain B='it'\\''s x'; `);
    assert.equal(envExports({}), '');
    assert.equal(envExports(undefined), '');
  });

  it('gives sh exactly the values asked for, whatever they hold', () => {
    const env = { S: ' lead  and trail ', Q: `'"\\$\`x\``, N: 'l1\nl2', E: '', U: 'ü✓' };
    const script = `${envExports(env)}${execText(['sh', '-c', 'printf "%s|" "$S" "$Q" "$N" "${E-unset}" "$U"'])}`;
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: {} });
    assert.equal(r.stdout, ` lead  and trail |'"\\$\`x\`|l1\nl2||ü✓|`);
  });

  it('refuses names that are no shell identifiers, naming them', () => {
    assert.equal(envProblem({ GOOD_1: 'x', _x: 'y' }), null);
    assert.match(envProblem({ '1A': 'x' }) ?? '', /"1A" is not a valid variable name/);
    assert.match(envProblem({ 'A-B': 'x', 'C=D': 'y' }) ?? '', /"A-B", "C=D" are not valid variable names/);
    assert.throws(() => envExports({ 'A;id': 'x' }), TypeError);
  });

  it('refuses a NUL byte in a value, which no environment can carry', () => {
    assert.match(envProblem({ A: 'x\0y' }) ?? '', /value of A/);
  });

  it('runs a string through sh -c and an argv word by word', () => {
    assert.equal(execText('echo $HOME'), `exec sh -c 'echo $HOME'`);
    assert.equal(execText(['echo', 'a b']), `exec echo 'a b'`);
  });
});
