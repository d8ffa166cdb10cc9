import assert from 'node:assert/strict';
import { compileJinja, type JinjaOptions } from './index.js';
import { lexTemplate } from './template-lex.js';

// Expected outputs were produced by Jinja2 3.1 driven as Ansible 2.14 drives it (None printed
// as empty, trailing newlines padded back to the source's), with the same options.
describe('template whitespace control', () => {
  const cases: Array<[string, Record<string, unknown>, JinjaOptions, string]> = [
    ["  {% if true %}\n  yes\n  {% endif %}\n", {}, { trimBlocks: true, lstripBlocks: true }, "  yes\n"],
    ["  {% if true %}\n  yes\n  {% endif %}\n", {}, { trimBlocks: true, keepTrailingNewline: true }, "    yes\n  \n"],
    ["  {% if true %}\n  yes\n  {% endif %}\n", {}, { lstripBlocks: true, keepTrailingNewline: true }, "\n  yes\n"],
    ["a\n  {%+ if true %}\n  yes\n  {% endif +%}\nb", {}, { trimBlocks: true, lstripBlocks: true }, "a\n    yes\n\nb"],
    ["a  {%- if true -%}  \n yes \n {%- endif -%}  b", {}, {}, "ayesb"],
    ["a {{- 1 -}} b\n", {}, { keepTrailingNewline: true }, "a1b\n"],
    ["x\n  {# c #}\ny\n", {}, { trimBlocks: true, lstripBlocks: true, keepTrailingNewline: true }, "x\ny\n"],
    ["x\n  {#- c -#}\ny\n", {}, { keepTrailingNewline: true }, "xy\n"],
    ["x {% raw %}\n {{ y }} {% endraw %}\nz", {}, { trimBlocks: true, lstripBlocks: true }, "x \n {{ y }} z"],
    ["x {%- raw -%}\n {{ y }} {%- endraw -%}\nz", {}, {}, "x{{ y }}z"],
    ["  {{ 1 }}  {% if true %}\nq{% endif %}", {}, { trimBlocks: true, lstripBlocks: true }, "  1  q"],
    ["{% for i in [1,2] %}\n  {{ i }}\n{% endfor %}\n", {}, { trimBlocks: true, lstripBlocks: true, keepTrailingNewline: true }, "  1\n  2\n"],
    ["a\r\nb {% if 1 %}\r\nc{% endif %}\r\n", {}, { trimBlocks: true, keepTrailingNewline: true }, "a\nb c\n"],
    ["a\n\n", {}, {}, "a\n"],
    ["a\n\n", {}, { keepTrailingNewline: true }, "a\n\n"],
    ["{% if true %}\n{% endif %}\n", {}, { trimBlocks: true }, ""],
    ["a {% if true %}\nb\n  {% endif %}  \nc", {}, { trimBlocks: true, lstripBlocks: true }, "a b\n  \nc"],
    ["\t{% if true %}x{% endif %}\n", {}, { lstripBlocks: true, keepTrailingNewline: true }, "x\n"],
    ["  {# c #}\n  x\n", {}, { lstripBlocks: true, keepTrailingNewline: true }, "\n  x\n"],
    ["  {% raw %}\n  a\n  {% endraw %}\n", {}, { trimBlocks: true, lstripBlocks: true, keepTrailingNewline: true }, "\n  a\n"],
    ["{% if true %}\r\nA{% endif %}\r\nB", {}, { trimBlocks: true }, "AB"],
    ["{%- if true %}A{% endif -%}   ", {}, { keepTrailingNewline: true }, "A"],
    ['  {% if true %}\n  yes\n  {% endif %}\n', {}, {}, '  \n  yes\n  '],
    ['a {{ 1 }}\nb', {}, { trimBlocks: true }, 'a 1\nb'],
  ];
  for (const [source, vars, options, expected] of cases) {
    it(`renders ${JSON.stringify(source)} with ${JSON.stringify(options)} as Ansible's Jinja does`, () => {
      assert.equal(compileJinja(source, options).render(vars), expected);
    });
  }
});

describe('template lexer', () => {
  it('splits text, output and block tags, dropping comments', () => {
    const kinds = lexTemplate('a{{ x }}b{# c #}{% if y %}d').map((s) => s.kind);
    assert.deepEqual(kinds, ['text', 'output', 'text', 'block', 'text']);
  });

  it('keeps the offsets of the whole source in tokens', () => {
    const [, output] = lexTemplate('ab{{ x }}');
    assert.equal(output?.kind === 'output' ? output.tokens[0]!.pos : -1, 5);
  });

  it('ends an output tag only at a }} outside brackets', () => {
    assert.equal(compileJinja("{{ {'a': {'b': 1}} }}").render({}), "{'a': {'b': 1}}");
  });

  it('reads a - right after the opener as whitespace control, not as minus', () => {
    assert.equal(compileJinja('a {{-1}} b').render({}), 'a1 b');
    assert.equal(compileJinja('a {{ -1 }} b').render({}), 'a -1 b');
  });

  it('leaves a raw block verbatim, tags included', () => {
    assert.equal(compileJinja('{% raw %}{{ x }}{% if %}{# #}{% endraw %}').render({}), '{{ x }}{% if %}{# #}');
  });

  it('drops only one trailing newline unless keepTrailingNewline', () => {
    assert.equal(compileJinja('x\n').render({}), 'x');
    assert.equal(compileJinja('x\n\n').render({}), 'x\n');
    assert.equal(compileJinja('x\n', { keepTrailingNewline: true }).render({}), 'x\n');
  });
});
