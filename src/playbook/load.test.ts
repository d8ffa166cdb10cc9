import assert from 'node:assert/strict';
import { loadSite, yaml } from '../../test/support/playbook-fixture.js';

describe('loading playbooks', () => {
  it('builds plays and tasks with Ansible defaults', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': yaml(
        '- hosts: [hv01, hypervisors]',
        '  serial: [1, "50%"]',
        '  tasks:',
        '    - name: say hello',
        '      shell: echo hello',
        '      loop: [a, b]',
        '      tags: "net, bridge"',
        '      register: out',
        '      until: out.rc == 0',
      ),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const play = run!.playbooks[0]!.plays[0]!;
    assert.equal(play.hosts, 'hv01:hypervisors');
    assert.equal(play.name, 'hv01:hypervisors');
    assert.deepEqual(play.serial, [1, '50%']);
    assert.equal(play.gatherFacts, true);
    const task = play.tasks[0]!;
    assert.equal(task.module, 'shell');
    assert.deepEqual(task.args, { cmd: 'echo hello' });
    assert.deepEqual(task.loop, ['a', 'b']);
    assert.equal(task.loopVar, 'item');
    assert.deepEqual(task.tags, ['net', 'bridge']);
    assert.equal(task.until?.source, 'out.rc == 0');
    assert.equal(task.retries, 3);
    assert.equal(task.delay, 5);
    assert.deepEqual(task.pos.line, 4);
  });

  it('places malformed YAML at the line and column of the YAML error', async () => {
    const { problems, tree } = await loadSite({
      'site.yaml': yaml('- hosts: all', '  tasks:', '    - shell: "echo', '  other: [1'),
    });
    await tree.remove();
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^\d+:\d+: malformed YAML/);
  });

  it('places an unclosed bracket at the end of the file, not past it', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': '- hosts: [all' });
    await tree.remove();
    assert.match(problems[0]!, /^1:\d+: malformed YAML/);
  });

  it('says a playbook must be a list of plays', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': yaml('hosts: all', 'tasks: []') });
    await tree.remove();
    assert.deepEqual(problems, ['1:1: a playbook must be a list of plays, not a map']);
  });

  it('recognises a task list given as a playbook', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': yaml('- name: x', '  shell: echo') });
    await tree.remove();
    assert.deepEqual(problems, ['1:3: this looks like a task: a playbook is a list of plays, each with "hosts:" and "tasks:"']);
  });

  it('reports an unknown play keyword with a suggestion, and a missing hosts', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': yaml('- hots: all', '  tasks: []') });
    await tree.remove();
    assert.deepEqual(problems, [
      '1:3: unknown play keyword "hots" (did you mean "hosts"?)',
      '1:3: "hosts" is required',
    ]);
  });

  it('says "serial" must be a number or a percentage', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': yaml('- hosts: all', '  serial: lots', '  tasks: []') });
    await tree.remove();
    assert.deepEqual(problems, ['2:11: "serial" must be a number or a percentage']);
  });

  it('loads vars_files relative to the playbook', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': yaml('- hosts: all', '  vars_files: [vars/main.yaml, "vars/{{ os }}.yaml"]', '  tasks: []'),
      'vars/main.yaml': yaml('bridge: br0', 'mode: 0644'),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const [main, templated] = run!.playbooks[0]!.plays[0]!.varsFiles;
    assert.deepEqual(main!.vars, { bridge: 'br0', mode: 420 }); // YAML 1.1: 0644 is octal, as in Ansible
    assert.equal(templated!.file, undefined);
  });

  it('reports a missing vars file and a vars file that is not a map', async () => {
    const { problems, tree } = await loadSite({
      'site.yaml': yaml('- hosts: all', '  vars_files:', '    - nope.yaml', '    - list.yaml', '  tasks: []'),
      'list.yaml': yaml('- a', '- b'),
    });
    await tree.remove();
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^3:7: vars file "nope.yaml" not found/);
    assert.match(problems[1]!, /^list.yaml:1:1: a vars file must hold a mapping of variables/);
  });

  it('inlines the plays of import_playbook, relative to the importing file', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': yaml('- import_playbook: sub/net.yaml', '- hosts: b', '  tasks: []'),
      'sub/net.yaml': yaml('- hosts: a', '  tasks: [{ copy: { src: f.txt, dest: /f } }]'),
      'sub/f.txt': 'x',
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const plays = run!.playbooks[0]!.plays;
    assert.deepEqual(plays.map((p) => p.hosts), ['a', 'b']);
    assert.equal(plays[0]!.dir, tree.path('sub'));
  });

  it('refuses an import_playbook cycle', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': yaml('- import_playbook: site.yaml') });
    await tree.remove();
    assert.match(problems[0]!, /^1:20: import_playbook "site.yaml" imports itself/);
  });

  it('reports every problem at once, in file order', async () => {
    const { problems, tree } = await loadSite({
      'site.yaml': yaml(
        '- hosts: all',
        '  tasks:',
        '    - cpy: { dest: /x }',
        '    - file: { path: /x, modee: "0644" }',
        '    - shell: echo',
        '      retries: many',
      ),
    });
    await tree.remove();
    assert.equal(problems.length, 3);
    assert.deepEqual(problems.map((p) => p.split(':')[0]), ['3', '4', '6']);
  });

  it('validates a playbook of a thousand tasks', async function () {
    this.timeout(30_000); // no timing assertion: a cold start (JIT) on a slow machine takes seconds
    const tasks = Array.from({ length: 1000 }, (_, i) => [
      `    - name: "step ${i} on {{ inventory_hostname }}"`,
      `      copy: { content: "{{ item }} ${i}", dest: "/tmp/{{ item }}-${i}" }`,
      '      loop: [a, b]',
      `      when: item != "b" and ${i} > 0`,
      `      register: r${i}`,
    ].join('\n'));
    const { run, problems, tree } = await loadSite({ 'site.yaml': yaml('- hosts: all', '  tasks:', ...tasks) }, {
      inventoryText: yaml('all:', '  hosts:', '    hv01:'),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    assert.equal(run!.playbooks[0]!.plays[0]!.tasks.length, 1000);
  });
});
