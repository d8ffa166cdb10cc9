// The shipped modules through the playbook validator: their schemas (aliases,
// refinements, transforms) must work with template-tolerant checking.
import assert from 'node:assert/strict';
import { loadPlaybooks } from './index.js';
import { writeTree } from '../../test/support/file-tree.js';
import { ValidationErrors } from './problems.js';

async function problemsWithRegistry(tasks: string[]): Promise<string[]> {
  const tree = await writeTree({ 'package.json': '{}', 'site.yaml': ['- hosts: all', '  tasks:', ...tasks, ''].join('\n'), 'templates/t.hbs': 'x' });
  try {
    await loadPlaybooks([tree.path('site.yaml')]);
    return [];
  } catch (e) {
    if (e instanceof ValidationErrors) return e.problems.map((p) => `${p.pos.line}:${p.pos.col}: ${p.detail}`);
    throw e;
  } finally {
    await tree.remove();
  }
}

describe('the shipped modules in playbooks', function () {

  it('accepts their usual forms, templates included', async () => {
    assert.deepEqual(await problemsWithRegistry([
      '    - shell: "echo {{ inventory_hostname }} > /tmp/x"',
      '      args: { creates: /tmp/x }',
      '    - ansible.builtin.file: { path: "{{ dir }}", state: directory, mode: "0755" }',
      '    - template: { src: t.hbs, dest: /etc/t, mode: "{{ mode }}", backup: yes }',
    ]), []);
  });

  it('reports what their schemas refuse, at the argument', async () => {
    const problems = await problemsWithRegistry(['    - file: { path: relative/x, state: directory }']);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^3:21: argument "path" of file: must be an absolute path/);
  });
});
