import assert from 'node:assert/strict';
import { compileJinja, ExprError } from '../../jinja/index.js';
import { LOOKUP_PLUGINS, LOOKUP_PROVIDER } from '../../jinja/lookups.js';
import { LOOKUPS, lookupProvider } from './provider.js';
import { lookupContext, makeTree, type TempTree } from './test-support.js';

describe('lookups in templates (compileJinja with a lookupProvider)', () => {
  let tree: TempTree;
  before(() => {
    tree = makeTree({
      'play/files/motd': 'welcome to {{ not rendered }}\n',
      'play/files/a.txt': '',
      'play/files/b.txt': '',
      'play/templates/banner.j2': "== {{ lookup('file', 'motd') }} ==\n{% for n in query('sequence', 'count=' ~ copies) %}\n{{ n }}\n{% endfor %}\n",
    });
  });
  after(() => tree.remove());

  const render = (source: string, vars: Record<string, unknown> = {}, ctx = lookupContext([tree.path('play')], vars)): string =>
    compileJinja(source).render({ ...vars, [LOOKUP_PROVIDER]: lookupProvider(ctx) });

  it("reads a file: {{ lookup('file', 'motd') }}", () => {
    assert.equal(render("{{ lookup('file', 'motd') }}"), 'welcome to {{ not rendered }}');
    assert.equal(render("{{ lookup('ansible.builtin.file', 'motd') }}"), 'welcome to {{ not rendered }}');
  });

  it('joins a list of strings with commas in lookup(), and keeps the list in query() and with wantlist=True', () => {
    const a = tree.path('play/files/a.txt');
    const b = tree.path('play/files/b.txt');
    assert.equal(render("{{ lookup('fileglob', '*.txt') }}"), `${a},${b}`);
    assert.equal(render("{{ query('fileglob', '*.txt') | length }}"), '2');
    assert.equal(render("{{ q('sequence', '3') | last }}"), '3');
    assert.equal(render("{{ lookup('sequence', '3', wantlist=True) | length }}"), '3');
  });

  it('gives the lone item of a list of other things from lookup(), the list when there are several', () => {
    assert.equal(render("{{ lookup('items', [7]) + 1 }}"), '8');
    assert.equal(render("{{ lookup('dict', {'a': 1}).key }}"), 'a');
    assert.equal(render("{{ lookup('items', [1, 2]) | sum }}"), '3');
  });

  it("swallows a failure with errors='ignore' (None, or [] from query) and reports it with errors='warn'", () => {
    assert.equal(render("[{{ lookup('file', 'nope', errors='ignore') }}]"), '[]');
    assert.equal(render("{{ query('file', 'nope', errors='ignore') }}"), '[]');
    const ctx = lookupContext([tree.path('play')]);
    assert.equal(render("{{ lookup('file', 'nope', errors='warn') is none }}", {}, ctx), 'True');
    assert.equal(ctx.warnings.length, 1);
    assert.match(ctx.warnings[0]!, /lookup\('file'\) failed: could not locate file in lookup: nope/);
  });

  it('fails strictly by default, with the plugin\'s message, and names an unknown option', () => {
    assert.throws(() => render("{{ lookup('file', 'nope') }}"), (err: unknown) => err instanceof ExprError && /could not locate file in lookup: nope/.test(err.message));
    assert.throws(() => render("{{ lookup('file', 'motd', trim=True) }}"), /lookup plugin 'file' has no option 'trim'/);
  });

  it('renders a template lookup whose template uses lookups itself', () => {
    assert.equal(render("{{ lookup('template', 'banner.j2') }}", { copies: 2 }), '== welcome to {{ not rendered }} ==\n1\n2\n');
  });

  it('reads the task variables through vars, and the environment through env', () => {
    assert.equal(render("{{ lookup('vars', 'disk_' ~ n) }}", { n: 'vda', disk_vda: '10G' }), '10G');
    assert.equal(render("{{ lookup('env', 'KVMPLAY_SURELY_UNSET_VARIABLE', default='none set') }}"), 'none set');
  });

  it('has a plugin for each name LOOKUP_PLUGINS lists, and no other', () => {
    assert.deepEqual([...LOOKUPS.keys()].sort(), [...LOOKUP_PLUGINS].sort());
  });
});
