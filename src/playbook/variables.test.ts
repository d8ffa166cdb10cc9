import assert from 'node:assert/strict';
import { loadSite, yaml } from '../../test/support/playbook-fixture.js';

const inventoryText = yaml(
  'all:',
  '  vars: { pool: /var/lib/libvirt/images }',
  '  children:',
  '    hypervisors:',
  '      hosts:',
  '        hv01: { bridge: br0 }',
  '        hv02: { vms: [] }',
);

async function problemsOf(files: Record<string, string>, extraVars: string[] = []): Promise<string[]> {
  const { problems, tree } = await loadSite(files, { inventoryText, extraVars });
  await tree.remove();
  return problems;
}

const play = (...taskLines: string[]): string => yaml('- hosts: all', '  tasks:', ...taskLines);

describe('undefined variables', () => {
  it('reports a variable no scope defines in a task argument template', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - shell: "echo {{ brdige }}"') }), [
      '3:23: undefined variable "brdige" (did you mean "bridge"?): no inventory host, play vars, vars file, -e or earlier register defines it',
    ]);
  });

  it('reports a variable no scope defines in a when condition', async () => {
    const [problem] = await problemsOf({ 'site.yaml': play('    - shell: echo', '      when: ready and vm_count > 1') });
    assert.match(problem!, /^4:13: undefined variable "ready"/);
  });

  it('accepts variables from any host, the play, -e, magic variables and facts', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': yaml(
        '- hosts: all',
        '  vars: { greeting: hi }',
        '  vars_files: [more.yaml]',
        '  tasks:',
        '    - shell: "echo {{ greeting }} {{ bridge }} {{ vms }} {{ pool }} {{ from_e }} {{ more }}"',
        '    - shell: "echo {{ inventory_hostname }} {{ playbook_dir }} {{ facts.os_family }} {{ ansible_distribution }}"',
        '      when: "\'hypervisors\' in group_names and check_mode == false"',
      ),
      'more.yaml': yaml('more: 1'),
    }, ['from_e=1']), []);
  });

  it('accepts a guarded variable', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play(
        '    - shell: "echo {{ maybe | default(1) }} {% if other is defined %}{{ other.x }}{% endif %}"',
        '      when: later is defined and later.ok',
      ),
    }), []);
  });

  it('accepts a variable registered by an earlier task, and its own register in until', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play(
        '    - shell: uptime',
        '      register: up',
        '      until: up.rc == 0',
        '    - shell: "echo {{ up.stdout }}"',
        '      when: up.rc == 0',
      ),
    }), []);
  });

  it('reports a variable registered only by a later task', async () => {
    const [problem] = await problemsOf({
      'site.yaml': play('    - shell: "echo {{ up.stdout }}"', '    - shell: uptime', '      register: up'),
    });
    assert.match(problem!, /^3:23: undefined variable "up"/);
  });

  it('accepts loop variables inside the loop only', async () => {
    const problems = await problemsOf({
      'site.yaml': play(
        '    - shell: "echo {{ vm.name }} {{ n }} {{ index }}"',
        '      loop: "{{ vms }}"',
        '      loop_control: { loop_var: vm, index_var: n }',
        '      when: vm.state == "running"',
        '    - shell: "echo {{ item }}"',
      ),
    });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^7:23: undefined variable "item"/);
  });

  it('accepts task vars and set_fact results', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play(
        '    - shell: "echo {{ local }}"',
        '      vars: { local: 1 }',
        '    - set_fact: { computed: 2 }',
        '    - shell: "echo {{ computed }}"',
      ),
    }), []);
  });

  it('checks the variables a template file reads, in that file', async () => {
    const { problems, tree } = await loadSite({
      'site.yaml': play('    - template: { src: net.xml.hbs, dest: /x }', '      vars: { net_name: default }'),
      'templates/net.xml.hbs': '<network>\n  <name>{{ net_name }}</name>\n  <bridge name="{{ bridg }}"/>\n</network>\n',
    }, { inventoryText });
    await tree.remove();
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^templates\/net.xml.hbs:3:20: undefined variable "bridg" \(did you mean "bridge"\?\)/);
  });

  it('says nothing when a vars file name is a template (its variables are unknown)', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': yaml('- hosts: all', '  vars_files: ["vars/{{ bridge }}.yaml"]', '  tasks:', '    - shell: "echo {{ anything }}"'),
    }), []);
  });

  it('counts group_vars beside the playbook', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play('    - shell: "echo {{ site_wide }}"'),
      'group_vars/all/main.yaml': yaml('site_wide: 1'),
    }), []);
  });

  it('checks nothing without an inventory', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': play('    - shell: "echo {{ anything }}"') });
    await tree.remove();
    assert.deepEqual(problems, []);
  });
});
