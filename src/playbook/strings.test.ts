import assert from 'node:assert/strict';
import { loadSite, yaml } from '../../test/support/playbook-fixture.js';

const play = (...taskLines: string[]): string => yaml('- hosts: all', '  tasks:', ...taskLines);

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const { problems, tree } = await loadSite(files);
  await tree.remove();
  return problems;
}

describe('templates and conditions in a playbook', () => {
  it('places a template compile error at its line and column inside a quoted string', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - shell: "echo {{ x | nohelper }}"') }), [
      "3:27: task arguments: unknown filter 'nohelper'",
    ]);
  });

  it('places a template compile error inside a literal block scalar', async () => {
    const problems = await problemsOf({
      'site.yaml': play('    - shell: |', '        echo one', '        echo {{ y | nohelper }} two'),
    });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^5:21: task arguments: unknown filter 'nohelper'/);
  });

  it('accepts Jinja statements, comments and filters in a string', async () => {
    assert.deepEqual(await problemsOf({
      'site.yaml': play('    - shell: "echo {% for i in range(3) %}{{ i | string }}{% endfor %}{# done #}"'),
    }), []);
  });

  it('compiles names and loops too', async () => {
    const problems = await problemsOf({
      'site.yaml': play('    - name: "hello {{ x"', '      shell: echo', '      loop: "{{ nope(y) }}"'),
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^3:\d+: task name: missing '\}\}' to close this tag/);
    assert.match(problems[1]!, /^5:\d+: loop: unknown function 'nope'/);
  });

  it('reports a string repeated in several tasks (and files) at each place, though it is compiled once', async () => {
    const problems = await problemsOf({
      'site.yaml': yaml(
        '- import_playbook: other.yaml',
        '- hosts: all',
        '  tasks:',
        '    - shell: "echo {{ x | nohelper }}"',
        '      when: x ==',
        '    - shell: "echo {{ x | nohelper }}"',
        '      when: x ==',
      ),
      'other.yaml': play('    - shell: "echo {{ x | nohelper }}"'),
    });
    assert.deepEqual(problems.map((p) => p.replace(/: (task arguments|"when"): .*/, ': $1')), [
      'other.yaml:3:27: task arguments', '4:27: task arguments', '5:17: "when"', '6:27: task arguments', '7:17: "when"',
    ]);
  });

  it('places a condition syntax error at its column', async () => {
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - shell: echo', '      when: x == ') }), [
      '4:17: "when": expected a value, found end of expression',
    ]);
    assert.deepEqual(await problemsOf({ 'site.yaml': play('    - shell: echo', '      failed_when: ["rc != 0", "a and (b"]') }), [
      '4:41: "failed_when": expected \')\' to close the \'(\' at column 7, found end of expression',
    ]);
  });

  it('compiles conditions written as YAML booleans and lists', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': play('    - shell: echo', '      when: [true, "x is defined"]', '      changed_when: false'),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const t = run!.playbooks[0]!.plays[0]!.tasks[0]!;
    assert.deepEqual(t.when.map((e) => e.source), ['True', 'x is defined']);
    assert.equal(t.changedWhen?.[0]?.evaluate({}), false);
    assert.equal(t.failedWhen, undefined);
  });
});

describe('template files', () => {
  it('compiles a template file found in the playbook\'s templates/ folder', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': play('    - template: { src: ifcfg-br0.hbs, dest: /etc/x }'),
      'templates/ifcfg-br0.hbs': 'DEVICE={{ bridge }}\n',
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    assert.deepEqual([...run!.templates.keys()], [tree.path('templates/ifcfg-br0.hbs')]);
    const file = run!.templates.get(tree.path('templates/ifcfg-br0.hbs'));
    assert.equal(file?.engine === 'handlebars' ? file.template.format : file?.engine, 'ifcfg');
  });

  it('reports a missing template file with where it looked', async () => {
    const { problems, tree } = await loadSite({
      'playbooks/site.yaml': play('    - template: { src: domain.xml.hbs, dest: /x }'),
      'site.yaml': yaml('- import_playbook: playbooks/site.yaml'),
    });
    await tree.remove();
    assert.deepEqual(problems, [
      `playbooks/site.yaml:3:24: template file "domain.xml.hbs" not found (looked in: ${tree.path('playbooks/domain.xml.hbs')}, ` +
        `${tree.path('playbooks/templates/domain.xml.hbs')}, ${tree.path('playbooks/files/domain.xml.hbs')}, ${tree.path('templates/domain.xml.hbs')})`,
    ]);
  });

  it('places a template file\'s compile error in that file', async () => {
    const { problems, tree } = await loadSite({
      'site.yaml': play('    - template: { src: net.xml.hbs, dest: /x }'),
      'templates/net.xml.hbs': '<network>\n  <name>{{ name }</name>\n</network>\n',
    });
    await tree.remove();
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^templates\/net.xml.hbs:2:\d+: template syntax error/);
  });

  it('places an undefined variable of a .j2 file at its own line and column, and names an unknown filter', async () => {
    const { problems, tree } = await loadSite({
      'site.yaml': play('    - template: { src: app.conf.j2, dest: /x }', '    - template: { src: bad.j2, dest: /y }'),
      'templates/app.conf.j2': '# managed\n{% for p in ports %}\nport={{ p }} host={{ nowhere }}\n{% endfor %}\n',
      'templates/bad.j2': 'a\n\nb={{ x | frobnicate }}\n',
    }, { inventoryText: 'all:\n  hosts:\n    h1:\n      ports: [1, 2]\n      x: 1\n' });
    await tree.remove();
    assert.deepEqual(problems, [
      "templates/bad.j2:3:10: unknown filter 'frobnicate'",
      'templates/app.conf.j2:3:22: undefined variable "nowhere": no inventory host, play vars, vars file, -e or earlier register defines it',
    ]);
  });

  it('honours a #jinja2: first line and counts it in positions', async () => {
    const { problems, tree } = await loadSite({
      'site.yaml': play('    - template: { src: h.j2, dest: /x }'),
      'templates/h.j2': '#jinja2: trim_blocks: False\nline\n{{ missing_one }}\n',
    }, { inventoryText: 'all:\n  hosts:\n    h1: {}\n' });
    await tree.remove();
    assert.deepEqual(problems, [
      'templates/h.j2:3:4: undefined variable "missing_one": no inventory host, play vars, vars file, -e or earlier register defines it',
    ]);
  });

  it('checks that a copy src exists unless it is on the remote host', async () => {
    const problems = await problemsOf({
      'site.yaml': play('    - copy: { src: gone.txt, dest: /x }', '    - copy: { src: /etc/remote-only, dest: /x, remote_src: true }'),
    });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^3:20: file "gone.txt" not found/);
  });
});
