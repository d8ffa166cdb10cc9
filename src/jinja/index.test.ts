import assert from 'node:assert/strict';
import { KvmplayError } from '../errors.js';
import { VaultText } from '../data/py-values.js';
import { compileExpr, compileJinja, evaluateAll, evaluateCondition, ExprError, ExprSyntaxError } from './index.js';

describe('expression API', () => {
  it('compiles once and evaluates against many hosts', () => {
    const expr = compileExpr("'vmx' in facts.cpu.flags and inventory_hostname != 'lab02'");
    const host = (name: string, flags: string[]) => ({ inventory_hostname: name, facts: { cpu: { flags } } });
    assert.equal(expr.source, "'vmx' in facts.cpu.flags and inventory_hostname != 'lab02'");
    assert.equal(expr.evaluate(host('lab01', ['vmx'])), true);
    assert.equal(expr.evaluate(host('lab02', ['vmx'])), false);
    assert.equal(expr.evaluate(host('lab03', ['svm'])), false);
  });

  it('decides a condition by truthiness, from source or compiled', () => {
    assert.equal(evaluateCondition('r.stdout_lines', { r: { stdout_lines: [] } }), false);
    assert.equal(evaluateCondition(compileExpr('r.stdout'), { r: { stdout: 'x' } }), true);
    assert.equal(evaluateCondition('{{ x }}', { x: 'yes' }), true);
  });

  it("ANDs a list of conditions as Ansible's when: [a, b], stopping at the first false", () => {
    assert.equal(evaluateAll(['x > 1', 'x < 10'], { x: 5 }), true);
    assert.equal(evaluateAll(['x > 1', 'x < 3'], { x: 5 }), false);
    // The second would raise: it must not be evaluated.
    assert.equal(evaluateAll(['x is defined', 'x.y == 1'], {}), false);
    assert.equal(evaluateAll([], {}), true);
  });

  it('evaluates YAML scalars the loader may pass as strings', () => {
    for (const [source, expected] of [['true', true], ['false', false], ['True', true], ['1', true], ['0', false]] as const) {
      assert.equal(evaluateCondition(source, {}), expected, source);
    }
  });

  it('raises errors in the kvmplay error tree', () => {
    assert.throws(() => compileExpr('a and'), (err: unknown) => err instanceof ExprSyntaxError && err instanceof KvmplayError);
    assert.throws(() => evaluateCondition('a', {}), (err: unknown) => err instanceof ExprError && err instanceof KvmplayError);
    assert.throws(() => compileExpr('a and'), { name: 'ExprSyntaxError' });
  });

  it('compiles and evaluates 10k conditions without pathological cost', () => {
    const vars = {
      r: { rc: 0, changed: false, stdout: 'domain web is running', stdout_lines: ['a', 'b'] },
      facts: { cpu: { flags: ['vmx', 'sse4_2'] } },
      inventory_hostname: 'lab01',
    };
    const source = "r.rc == 0 and 'running' in r.stdout and not r.changed and 'vmx' in facts.cpu.flags " +
      "and (missing is not defined or missing | default(0) > 1) and r.stdout_lines | length >= 2";
    const started = process.hrtime.bigint();
    for (let i = 0; i < 10_000; i++) assert.equal(evaluateCondition(compileExpr(source), vars), true);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // No timing assertion (CI machines vary); the figure is in the test title's output.
    console.log(`      10k compile+evaluate: ${ms.toFixed(0)} ms`);
  });
});

describe('a vault value no password opened', () => {
  it('fails where it is used as text, and can still be tested for', () => {
    const vars = { token: new VaultText('$ANSIBLE_VAULT;1.1;AES256\n6162') };
    assert.throws(() => compileJinja('echo {{ token }}').render(vars), (e: unknown) => e instanceof ExprError && /no vault password opened it: give --vault-password-file/.test(e.message));
    assert.equal(compileJinja('{{ token is defined }}').render(vars), 'True');
  });
});
