import assert from 'node:assert/strict';
import { UnsafeText } from '../inventory/index.js';
import { ExprError } from '../jinja/index.js';
import { combinedLayer, Lazy, layeredVars, type VarLayer } from './scope.js';

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

  describe('a combined layer', () => {
    const lower = (): VarLayer[] => [
      { source: 'inventory', vars: { a: 1, t: '{{ a }}-{{ top }}', p: '{{ a }}', l: 'plain' }, templated: true },
      { source: 'facts', vars: { f: '{{ not rendered }}', lazy: new Lazy(() => 'computed') }, templated: false },
      { source: 'play vars', vars: { p: 'plain now', l: '{{ a }}+', u: new UnsafeText('{{ u }}') }, templated: true },
    ];
    const top: VarLayer = { source: '-e', vars: { top: 'T', a: 2 }, templated: true };
    const snapshot = (vars: Record<string, unknown>) => Object.fromEntries(Object.keys(vars).map((k) => [k, vars[k]]));

    it('gives the same scope as its layers one by one, templates rendered against the whole scope', () => {
      const one = layeredVars([...lower(), top]);
      const combined = layeredVars([combinedLayer(lower()), top]);
      assert.deepEqual(snapshot(combined), snapshot(one));
      assert.deepEqual(snapshot(combined), { a: 2, t: '2-T', p: 'plain now', l: '2+', f: '{{ not rendered }}', lazy: 'computed', u: '{{ u }}', top: 'T' });
    });

    it('gives the same scope under an empty layer and over a non-empty one', () => {
      const under: VarLayer = { source: 'role defaults', vars: { a: 0, extra: 'x' }, templated: true };
      const empty: VarLayer = { source: 'role defaults', vars: {}, templated: true };
      assert.deepEqual(snapshot(layeredVars([empty, combinedLayer(lower()), top])), snapshot(layeredVars([...lower(), top])));
      assert.deepEqual(snapshot(layeredVars([under, combinedLayer(lower()), top])), snapshot(layeredVars([under, ...lower(), top])));
    });

    it('is worked out again when one of its layers gives another vars object', () => {
      let facts: Record<string, unknown> = { f: 1 };
      const live: VarLayer = { source: 'facts', templated: false, get vars() { return facts; } };
      const layer = combinedLayer([{ source: 'inventory', vars: { f: 0, g: 0 }, templated: true }, live]);
      assert.equal(layeredVars([layer])['f'], 1);
      facts = { f: 2 };
      assert.equal(layeredVars([layer])['f'], 2);
    });

    it('gives each scope its own rendering of a template', () => {
      const layer = combinedLayer([{ source: 'play vars', vars: { v: '{{ x }}' }, templated: true }]);
      assert.equal(layeredVars([layer, { source: '-e', vars: { x: 1 }, templated: true }])['v'], 1);
      assert.equal(layeredVars([layer, { source: '-e', vars: { x: 2 }, templated: true }])['v'], 2);
    });
  });
});
