import assert from 'node:assert/strict';
import { loadSite, yaml } from '../../test/support/playbook-fixture.js';

const play = (...taskLines: string[]): string => yaml('- hosts: all', '  tasks:', ...taskLines);

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const { problems, tree } = await loadSite(files);
  await tree.remove();
  return problems;
}

describe('tasks and their modules', () => {
  it('places a keyword of the wrong type on its YAML node', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - shell: echo', '      ignore_errors: maybe') }), [
      '4:22: "ignore_errors" must be true or false (or a template)',
    ]);
  });

  it('reports several problems of one task together', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - shell: echo', '      retries: many', '      when: "a and"') }), [
      '4:16: "retries" must be a whole number',
      '5:19: "when": expected a value, found end of expression',
    ]);
  });

  it('suggests the closest module for an unknown one', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - cpy: { dest: /x }') }), [
      '3:7: unknown module "cpy" (did you mean "copy"?)',
    ]);
  });

  it('names the kvmplay module that does the job of an Ansible one', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - yum: { name: x }') }), [
      '3:7: unknown module "yum" (kvmplay\'s module for this is "package")',
    ]);
  });

  it('suggests the keyword for a misspelt keyword next to a module', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - shell: echo', '      whne: x') }), [
      '4:7: unknown task keyword "whne" (did you mean "when"?)',
    ]);
  });

  it('says a task has no module, listing the modules', async () => {
    const problems = await problemsOf({ 'site.yaml': play('    - name: nothing') });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^3:7: task has no module \(one of: copy, disk, file, include_role, include_tasks, package, ping, set_fact, shell, template\)$/);
  });

  it('says a task has two modules', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - copy: { dest: /x }', '      shell: echo') }), [
      '4:7: task has two modules: copy and shell (a task runs one module)',
    ]);
  });

  it('reports an unknown argument at its key, with a suggestion and the valid ones', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - file:', '        path: /x', '        modee: "0644"') }), [
      '5:9: unknown argument "modee" for file: did you mean "mode"? (valid: mode, path, state)',
    ]);
  });

  it('reports a literal of the wrong type at the value', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - file: { path: /x, mode: [1] }') }), [
      '3:31: argument "mode" of file must be a string, not a list',
    ]);
  });

  it('reports a missing required argument at the module key', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - name: x', '      file: { mode: "0644" }') }), [
      '4:7: missing required argument "path" for file',
    ]);
  });

  it('reports a value outside an enum with the choices', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - file: { path: /x, state: presnt }') }), [
      '3:32: argument "state" of file must be one of: file, directory, absent (got "presnt")',
    ]);
  });

  it('accepts a template where a literal of another type is required', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': play('    - disk: { name: "{{ vm.name }}", size_gib: "{{ vm.disk }}", tags: "{{ vm.tags }}" }'),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    assert.deepEqual(run!.playbooks[0]!.plays[0]!.tasks[0]!.args, { name: '{{ vm.name }}', size_gib: '{{ vm.disk }}', tags: '{{ vm.tags }}' });
  });

  it('still checks the literal parts next to a template', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - disk: { name: "{{ n }}", size_gib: -1, tags: ["{{ t }}", 3] }') }), [
      '3:42: argument "size_gib" of disk: Too small: expected number to be >0',
      '3:64: argument "tags[1]" of disk must be a string, not a number',
    ]);
  });

  it('merges a free-form string with the task args, the module key winning', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': play('    - shell: echo ok > f', '      args: { creates: f, cmd: ignored, chdir: /tmp }'),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const task = run!.playbooks[0]!.plays[0]!.tasks[0]!;
    assert.deepEqual(task.args, { creates: 'f', cmd: 'echo ok > f', chdir: '/tmp' });
    assert.deepEqual(task.argPos('cmd'), { file: task.pos.file, line: 3, col: 14 });
    assert.deepEqual(task.argPos('chdir'), { file: task.pos.file, line: 4, col: 41 });
  });

  it('reads the key=value form of a module without a free form', async () => {
    const { run, problems, tree } = await loadSite({ 'site.yaml': play('    - ansible.builtin.file: path=/x state=directory mode="0755"') });
    await tree.remove();
    assert.deepEqual(problems, []);
    const task = run!.playbooks[0]!.plays[0]!.tasks[0]!;
    assert.equal(task.module, 'file');
    assert.deepEqual(task.args, { path: '/x', state: 'directory', mode: '0755' });
  });

  it('reads action and local_action as the module they name, local_action delegated to localhost', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': play('    - local_action: shell echo hi', '    - action: { module: shell, cmd: echo there }'),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const tasks = run!.playbooks[0]!.plays[0]!.tasks;
    assert.deepEqual(tasks.map((t) => [t.module, t.delegateTo]), [['shell', 'localhost'], ['shell', undefined]]);
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - local_action: { module: nope }') }).then((p) => p.map((x) => x.replace(/ \(did you mean.*$/, ''))),
      ['3:31: unknown module "nope"']);
  });

  it('names what is not supported at its key: loop on a block, become_flags on a task', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play('    - block:', '        - shell: echo', '      loop: [1]', '    - shell: echo', '      become_flags: -H', '    - shell: echo', '      delegate_to: localhost'),
    }), [
      '5:7: "loop" is not supported on a block (kvmplay applies block, rescue, always, name, when, tags, vars, become, become_user, become_method, environment, ignore_errors, delegate_to, check_mode, diff, no_log, any_errors_fatal)',
      '7:7: "become_flags" is not supported',
    ]);
  });

  it('reports a notify with no handler of that name or topic', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': yaml(
        '- hosts: all',
        '  tasks:',
        '    - shell: echo',
        '      notify: [restart libvirt, reload net]',
        '  handlers:',
        '    - name: restart libvirtd',
        '      shell: systemctl restart libvirtd',
        '    - shell: "true"',
        '      listen: reload net',
      ),
    }), ['4:16: notify "restart libvirt": no handler has this name or listens to it in this play (did you mean "restart libvirtd"?)']);
  });

  it('refuses listen on a task and loop with with_items', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play('    - shell: echo', '      listen: x', '      loop: [1]', '      with_items: [2]'),
    }), [
      '4:7: "listen" is only for handlers',
      '6:7: a task has either "loop" or "with_items", not both',
    ]);
  });

  it('takes any with_<lookup> kvmplay has as a loop, and names the plugin it does not have', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play('    - shell: echo', '      with_dict: "{{ d }}"', '    - shell: echo', '      with_nope: [1]', '      with_items: [2]'),
    }), [
      '6:7: "with_nope": no lookup plugin "nope" (kvmplay has file, template, env, vars, fileglob, first_found, items, indexed_items, list, dict, sequence, together, nested, subelements); or use "loop"',
    ]);
  });

  it('keeps loop_control, with_items and handler topics in the model', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': yaml(
        '- hosts: all',
        '  tags: [vm]',
        '  tasks:',
        '    - shell: "echo {{ vm.name }} {{ i }}"',
        '      with_items: "{{ vms }}"',
        '      loop_control: { loop_var: vm, index_var: i, label: "{{ vm.name }}" }',
        '      notify: done',
        '  handlers:',
        '    - shell: echo done',
        '      listen: [done]',
      ),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const p = run!.playbooks[0]!.plays[0]!;
    const t = p.tasks[0]!;
    assert.equal(t.loop, '{{ vms }}');
    assert.equal(t.loopLookup, 'items');
    assert.equal(t.loopVar, 'vm');
    assert.equal(t.indexVar, 'i');
    assert.equal(t.loopLabel, '{{ vm.name }}');
    assert.deepEqual(t.tags, ['vm']);
    assert.deepEqual(p.handlers[0]!.listen, ['done']);
  });
});
