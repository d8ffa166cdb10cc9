import assert from 'node:assert/strict';
import { UnsafeText } from '../inventory/index.js';
import { ExprError } from '../jinja/index.js';
import { layeredVars } from './scope.js';

describe('variable scope', () => {
  it('lets a higher layer replace a lower one key by key', () => {
    const s = layeredVars([
      { source: 'inventory', vars: { a: 1, b: 1 }, templated: true },
      { source: 'play vars', vars: { b: 2, c: 2 }, templated: true },
    ]);
    assert.deepEqual({ ...s }, { a: 1, b: 2, c: 2 });
  });

  it('renders a templated value when read, against the whole scope', () => {
    const s = layeredVars([
      { source: 'play vars', vars: { dir: '{{ base }}/x', list: '{{ items }}' }, templated: true },
      { source: '-e', vars: { base: '/srv', items: [1, 2] }, templated: true },
    ]);
    assert.equal(s['dir'], '/srv/x');
    assert.deepEqual(s['list'], [1, 2]);
  });

  it('keeps registered results as data even when they hold braces', () => {
    const s = layeredVars([{ source: 'registered results', vars: { out: { stdout: '{{ nope }}' } }, templated: false }]);
    assert.deepEqual(s['out'], { stdout: '{{ nope }}' });
  });

  it('never renders an !unsafe value', () => {
    const s = layeredVars([{ source: 'inventory', vars: { raw: new UnsafeText('{{ x }}'), list: [new UnsafeText('{{ y }}')] }, templated: true }]);
    assert.equal(s['raw'], '{{ x }}');
    assert.deepEqual(s['list'], ['{{ y }}']);
  });

  it('fails only when a broken variable is read, naming it', () => {
    const s = layeredVars([{ source: 'play vars', vars: { ok: 1, broken: '{{ missing }}' }, templated: true }]);
    assert.equal(s['ok'], 1);
    assert.throws(() => s['broken'], (e: unknown) => e instanceof ExprError && /missing/.test(e.message) && /play vars/.test(e.message));
  });

  it('reports a variable that refers to itself instead of looping', () => {
    const s = layeredVars([{ source: 'play vars', vars: { a: '{{ b }}', b: '{{ a }}' }, templated: true }]);
    assert.throws(() => s['a'], /recursive loop/);
  });

  it('keeps a "__proto__" key as a plain variable', () => {
    const s = layeredVars([{ source: 'inventory', vars: JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>, templated: true }]);
    assert.deepEqual(Object.getPrototypeOf(s), Object.prototype);
    assert.deepEqual(s['__proto__'], { x: 1 });
  });
});
