import assert from 'node:assert/strict';
import { includeVarsModule } from '../modules/engine/include-vars.js';
import { fakeModules, loadSite, yaml } from '../../test/support/playbook-fixture.js';

const inventoryText = yaml('all:', '  hosts:', '    hv01: { bridge: br0 }');

const lookupModule = (key: string) => (key.replace(/^ansible\.builtin\./, '') === 'include_vars' ? includeVarsModule : fakeModules.lookupModule?.(key));

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const { problems, tree } = await loadSite(files, { inventoryText, lookupModule, moduleNames: () => ['include_vars', 'shell'] });
  await tree.remove();
  return problems;
}

describe('include_vars in the undefined-variable check', () => {
  it('knows the variables of a literal file for later tasks and plays, found as the module finds it', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': yaml(
        '- hosts: all',
        '  tasks:',
        '    - include_vars: settings.yml',
        '    - ansible.builtin.include_vars: { dir: more, name: extra }',
        '    - shell: "echo {{ port }} {{ extra.colour }}"',
        '- hosts: all',
        '  roles: [web]',
        '  tasks:',
        '    - shell: "echo {{ port }} {{ web_user }}"',
      ),
      'vars/settings.yml': yaml('port: 8080'),
      'more/a.yml': yaml('colour: blue'),
      'roles/web/tasks/main.yml': yaml('- include_vars: users.yml', '- shell: "echo {{ web_user }}"'),
      'roles/web/vars/users.yml': yaml('web_user: www'),
    }), []);
  });

  it('still reports a name no included file defines, and one read before the include', async () => {
    const problems = await problemsOf({
      'site.yaml': yaml(
        '- hosts: all',
        '  tasks:',
        '    - shell: "echo {{ port }}"',
        '    - include_vars: settings.yml',
        '    - shell: "echo {{ prot }}"',
      ),
      'settings.yml': yaml('port: 8080'),
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^3:23: undefined variable "port"/);
    assert.match(problems[1]!, /^5:23: undefined variable "prot" \(did you mean "port"\?\)/);
  });

  it('reports nothing after an include_vars whose files are not known at load (a template, a missing file)', async () => {
    for (const include of ['include_vars: "{{ bridge }}.yml"', 'include_vars: missing.yml']) {
      assert.deepEqual(await problemsOf({
        'site.yaml': yaml(
          '- hosts: all',
          '  tasks:',
          `    - ${include}`,
          '    - shell: "echo {{ anything }}"',
          '- hosts: all',
          '  tasks:',
          '    - shell: "echo {{ anything_else }}"',
        ),
      }), [], include);
    }
  });
});
