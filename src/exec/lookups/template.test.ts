import assert from 'node:assert/strict';
import { lookupContext, makeTree, runLookup, type TempTree } from './test-support.js';

describe('lookup template', () => {
  let tree: TempTree;
  before(() => {
    tree = makeTree({
      'play/templates/motd.j2': 'host {{ name }}\n{% if admins %}\nadmins: {{ admins | join(", ") }}\n{% endif %}\n',
      'play/templates/two-newlines.j2': '{{ name }}\n\n',
      'play/templates/list.j2': '[{{ port }}, 2]\n',
      'play/templates/bool.j2': '{{ flag }}\n',
      'play/templates/port.j2': '{{ port }}',
      'play/templates/plain-list.j2': '[1, 2]\n',
      'play/templates/escapes.j2': "{{ 'a\\tb' }}",
      'play/templates/outer.j2': 'outer {% include "inner.j2" %} {% include "shared.j2" %}',
      'play/templates/inner.j2': 'inner {{ name }}\n',
      'play/templates/shared.j2': 'from templates/',
      'play/templates/uses-lookups.j2': "{{ lookup('file', 'motd') }} / {{ lookup('vars', 'extra') }} / {{ lookup('template', 'inner.j2') }}",
      'play/templates/undefined.j2': 'line one\n{{ nowhere }}\n',
      'play/templates/about.j2': '{{ template_path }} {{ template_fullpath }} {{ ansible_managed }}',
      'play/files/motd': 'welcome\n',
      'play/beside.j2': '{{ name }} beside the playbook',
      'play/templates/uses-lazy.j2': '{{ name }}',
    });
  });
  after(() => tree.remove());
  const ctx = (vars: Record<string, unknown> = { name: 'vm1', admins: ['ann', 'bo'], port: 22, flag: true }): ReturnType<typeof lookupContext> =>
    lookupContext([tree.path('play')], vars);

  it('renders with the task variables, trim_blocks on and the trailing newline kept, as Ansible does', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['motd.j2']), ['host vm1\nadmins: ann, bo\n']);
    assert.deepEqual(runLookup(ctx(), 'template', ['two-newlines.j2']), ['vm1\n\n']);
  });

  it('finds a template in templates/, then in the dir itself', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['beside.j2']), ['vm1 beside the playbook']);
  });

  it('adds template_vars over the task variables', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['motd.j2'], { template_vars: { name: 'vm2', admins: [] } }), ['host vm2\n']);
  });

  it('reads a rendered list or bool back as one (convert_data), and keeps the text with convert_data=false', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['list.j2', 'bool.j2']), [[22, 2], true]);
    assert.deepEqual(runLookup(ctx(), 'template', ['list.j2', 'bool.j2'], { convert_data: false }), ['[22, 2]\n', 'True']);
  });

  it('gives the value of a template that is one variable holding a bool or number, as Ansible does', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['port.j2']), [22]);
    assert.deepEqual(runLookup(ctx(), 'template', ['port.j2'], { convert_data: false }), ['22']);
  });

  it('hands back a file without template syntax untouched', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['plain-list.j2']), ['[1, 2]\n']);
  });

  it('reads backslashes in string literals as Jinja does (no escape_backslashes)', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['escapes.j2']), ['a\tb']);
  });

  it("includes from the template's dir, then the search dirs' templates/", () => {
    const t = makeTree({ 'play/templates/sub/outer.j2': '{% include "inner.j2" %}', 'play/templates/sub/inner.j2': 'sub inner', 'play/templates/inner.j2': 'top inner' });
    try {
      assert.deepEqual(runLookup(ctx(), 'template', ['outer.j2']), ['outer inner vm1 from templates/']);
      assert.deepEqual(runLookup(lookupContext([t.path('play')]), 'template', ['sub/outer.j2']), ['sub inner']);
    } finally {
      t.remove();
    }
  });

  it('runs the lookups inside the template, which see template_vars', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['uses-lookups.j2'], { template_vars: { extra: 'x' } }), ['welcome / x / inner vm1\n']);
  });

  it('gives the template its template_* variables and ansible_managed', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['about.j2']), [`about.j2 ${tree.path('play/templates/about.j2')} Ansible managed`]);
  });

  it('reads only the variables the template uses (they render lazily)', () => {
    const vars: Record<string, unknown> = { name: 'vm1' };
    Object.defineProperty(vars, 'broken', {
      enumerable: true,
      get: () => {
        throw new Error('rendered a variable nobody asked for');
      },
    });
    assert.deepEqual(runLookup(ctx(vars), 'template', ['uses-lazy.j2']), ['vm1']);
  });

  it('fails naming the template: missing, a render error with its line, a missing include', () => {
    assert.throws(() => runLookup(ctx(), 'template', ['nope.j2']), { message: 'the template file nope.j2 could not be found for the lookup' });
    assert.throws(() => runLookup(ctx(), 'template', ['undefined.j2']), /nowhere.*undefined\.j2 at line 2/);
    const t = makeTree({ 'play/templates/bad-include.j2': '{% include "../../etc/passwd" %}' });
    try {
      assert.throws(() => runLookup(lookupContext([t.path('play')]), 'template', ['bad-include.j2']), /cannot include '..\/..\/etc\/passwd': template names may not contain '..'/);
    } finally {
      t.remove();
    }
  });

  it('takes the standard delimiters and refuses others, and takes jinja2_native (no effect, as in Ansible without the global setting)', () => {
    assert.deepEqual(runLookup(ctx(), 'template', ['two-newlines.j2'], { variable_start_string: '{{', jinja2_native: true }), ['vm1\n\n']);
    assert.throws(() => runLookup(ctx(), 'template', ['motd.j2'], { variable_start_string: '[%' }), /variable_start_string="\[%" is not supported/);
    assert.throws(() => runLookup(ctx(), 'template', ['motd.j2'], { template_vars: [] }), /option 'template_vars' must be a dict, not a list/);
  });
});
