import assert from 'node:assert/strict';
import { ExprError } from './errors.js';
import { createJinjaCache, isTemplate, renderString } from './strings.js';

const vars = { n: 5, vms: [{ name: 'web' }], port: 8080, on: true, nothing: null, s: 'True', d: { a: 1 } };
const render = (text: string): unknown => renderString(text, vars, { name: 'site.yaml:3:7 (task arguments)' });

describe('playbook strings (Jinja, kvmplay typing)', () => {
  it('keeps the type of a lone {{ expr }}: lists, dicts, numbers, booleans, None', () => {
    assert.deepEqual(render('{{ vms }}'), [{ name: 'web' }]);
    assert.deepEqual(render('{{ d }}'), { a: 1 });
    assert.equal(render('{{ n * 2 }}'), 10);
    assert.equal(render('{{ port }}'), 8080);
    assert.equal(render('{{ on and n > 3 }}'), true);
    assert.equal(render('{{ nothing }}'), null);
    assert.equal(render('{{ s }}'), 'True', 'a string stays a string, even one that spells a bool');
  });

  it('gives text for anything around the braces, read back as a list, dict or bool when it spells one', () => {
    assert.equal(render('{{ n }} '), '5 ');
    assert.equal(render('port {{ port }}'), 'port 8080');
    assert.equal(render('{{ n }}\n'), '5\n', 'a final newline is kept, as Ansible keeps it');
    assert.deepEqual(render('{% if on %}[1, 2]{% endif %}'), [1, 2]);
    assert.equal(render('{% if on %}True{% endif %}'), true);
    assert.equal(render('{{ vms | to_json }}x'), '[{"name": "web"}]x');
  });

  it('leaves a string without Jinja markers as it is', () => {
    assert.equal(render('plain {text} $x'), 'plain {text} $x');
    assert.equal(isTemplate('a {# c #}'), true);
    assert.equal(isTemplate('a {x}'), false);
  });

  it('names the place in errors, with the line and column inside the string', () => {
    assert.throws(() => render('{{ n }} {{ missing }}'), (e: unknown) =>
      e instanceof ExprError && e.message === "site.yaml:3:7 (task arguments): undefined variable 'missing' (at line 1, column 12)");
  });

  it('compiles a text once per cache', () => {
    const cache = createJinjaCache();
    renderString('{{ n }}', vars, { name: 'a', cache });
    renderString('{{ n }}', { n: 6 }, { name: 'b', cache });
    assert.equal(cache.size, 1);
    assert.equal(renderString('{{ n }}', { n: 6 }, { name: 'b', cache }), 6);
  });
});
