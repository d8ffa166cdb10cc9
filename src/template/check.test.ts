import assert from 'node:assert/strict';
import { checkTemplate, simpleReferences } from './check.js';
import { compileTemplate } from './render.js';
import { templateReferences } from './references.js';
import { TemplateError } from './template-error.js';

// The full route checkTemplate stands for: compile (for its errors), then references.
function fullCheck(source: string): ReturnType<typeof templateReferences> | string {
  try {
    compileTemplate(source, { name: 't', format: 'text' });
    return templateReferences(source, 't');
  } catch (e) {
    if (e instanceof TemplateError) return `error ${e.line}:${e.col}: ${e.detail}`;
    throw e;
  }
}

function checked(source: string): ReturnType<typeof templateReferences> | string {
  try {
    return checkTemplate(source, 't');
  } catch (e) {
    if (e instanceof TemplateError) return `error ${e.line}:${e.col}: ${e.detail}`;
    throw e;
  }
}

const PIECES = [
  '{{ x }}', '{{vm.name}}', '{{  a_b.c1  }}', '{{ this }}', '{{ true }}', '{{ else }}', '{{ vm.this }}', '{{ 1 }}', '{{ x-y }}',
  '{{~ x }}', '{{{ x }}}', '{{ kib x }}', '{{ @root.x }}', '{{ ../x }}', '{{#if x}}y{{/if}}', '{{!c}}', '{{ x.[0] }}', '{{ as }}',
  '{{ undefined }}', '{{ null }}', '{{ false.x }}', '{{ _ }}', '{{ x }', '{{', '}}', '{', '}', '\\{{ x }}', 'text', ' ', '\n', '\n  ', 'é😀',
  '{{ constructor }}', '{{ x.__proto__ }}', '{{ x\n}}', '{{\tx }}', 'a: b', '$HOME', '/etc/x', '"q"', "'q'", '|', '#',
];

describe('checkTemplate', () => {
  it('reads plain paths without the Handlebars parser, where the parser would agree', () => {
    const source = 'echo {{ inventory_hostname }} >> {{state_dir}}/report\n  on {{ vm.name }}';
    assert.deepEqual(simpleReferences(source), [
      { name: 'inventory_hostname', path: 'inventory_hostname', line: 1, col: 9, optional: false },
      { name: 'state_dir', path: 'state_dir', line: 1, col: 36, optional: false },
      { name: 'vm', path: 'vm.name', line: 2, col: 9, optional: false },
    ]);
    assert.deepEqual(checkTemplate(source, 't'), templateReferences(source));
  });

  it('leaves helpers, blocks, literals and odd text to the full parser', () => {
    for (const s of ['{{ kib x }}', '{{#if x}}{{/if}}', '{{ this.x }}', '{{ true }}', '{{~ x }}', '{ {{ x }}', '\\{{ x }}', '{{ else }}']) {
      assert.equal(simpleReferences(s), undefined, s);
    }
  });

  it('gives what compileTemplate and templateReferences give, on generated templates', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let simple = 0;
    for (let n = 0; n < 4000; n++) {
      const parts = Array.from({ length: 1 + Math.floor(next() * 5) }, () => PIECES[Math.floor(next() * PIECES.length)]!);
      const source = parts.join('');
      if (!source.includes('{{')) continue;
      if (simpleReferences(source)) simple++;
      assert.deepEqual(checked(source), fullCheck(source), JSON.stringify(source));
    }
    assert.ok(simple > 200, `only ${simple} simple templates generated`);
  });
});
