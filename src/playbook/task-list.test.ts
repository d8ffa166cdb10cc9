import assert from 'node:assert/strict';
import { loadSite, yaml } from '../../test/support/playbook-fixture.js';
import type { Task } from './model.js';

const play = (...taskLines: string[]): string => yaml('- hosts: all', '  tasks:', ...taskLines);

/** Problems as the fixture gives them, the temp folder cut from the paths in their text too. */
async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const { problems, tree } = await loadSite(files);
  await tree.remove();
  return problems.map((p) => p.split(`${tree.dir}/`).join(''));
}

/** The tasks of the only play of `files`, which must load without problems. */
async function tasksOf(files: Record<string, string>): Promise<Task[]> {
  const { run, problems, tree } = await loadSite(files);
  await tree.remove();
  assert.deepEqual(problems, []);
  return run!.playbooks[0]!.plays[0]!.tasks;
}

/** What each `shell: echo NAME` task echoes; an include_tasks shows as `include FILE`. */
const echoes = (tasks: readonly Task[]): string[] =>
  tasks.map((t) => (t.module === 'include_tasks' ? `include ${String(t.args.file)}` : String(t.args.cmd).replace(/^echo /, '')));

describe('import_tasks and include_tasks', () => {
  it('puts the tasks of an imported file where the import stands, relative to the importing file', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': play('    - shell: echo first', '    - import_tasks: tasks/setup.yml', '    - shell: echo last'),
      'tasks/setup.yml': yaml('- shell: echo setup', '- import_tasks: more.yml'),
      'tasks/more.yml': yaml('- shell: echo more'),
      // Not these: each import is looked up from its own file's folder first.
      'more.yml': yaml('- shell: echo wrong'),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    const tasks = run!.playbooks[0]!.plays[0]!.tasks;
    assert.deepEqual(echoes(tasks), ['first', 'setup', 'more', 'last']);
    assert.deepEqual(tasks.map((t) => [t.pos.file.slice(tree.dir.length + 1), t.pos.line]), [
      ['site.yaml', 3], ['tasks/setup.yml', 1], ['tasks/more.yml', 1], ['site.yaml', 5],
    ]);
  });

  it('finds a nested import written relative to the playbook\'s folder (Ansible falls back to it)', async () => {
    // ansible-playbook 2.14 runs this: tasks/one.yml's "tasks/two.yml" is not in tasks/tasks/, but is beside the playbook.
    assert.deepEqual(echoes(await tasksOf({
      'site.yaml': play('    - import_tasks: tasks/one.yml'),
      'tasks/one.yml': yaml('- shell: echo one', '- import_tasks: tasks/two.yml'),
      'tasks/two.yml': yaml('- shell: echo two'),
    })), ['one', 'two']);
  });

  it('accepts the file as "file:", the ansible.builtin names, and include_tasks of a literal file (validated with the playbook)', async () => {
    assert.deepEqual(echoes(await tasksOf({
      'site.yaml': play(
        '    - import_tasks: { file: a.yml }',
        '    - ansible.builtin.import_tasks: b.yml',
        '    - name: include c',
        '      include_tasks: c.yml',
        '    - ansible.builtin.include_tasks: { file: a.yml }',
      ),
      'a.yml': yaml('- shell: echo a'),
      'b.yml': yaml('- shell: echo b'),
      'c.yml': yaml('- shell: echo c'),
    })), ['a', 'b', 'include c.yml', 'c', 'include a.yml', 'a']);
  });

  describe('include_tasks', () => {
    it('is a task whose file a host loads when it gets there: the steps hold the include, not its tasks', async () => {
      const { run, problems, tree } = await loadSite({
        'site.yaml': play('    - include_tasks: c.yml', '      loop: [1, 2]', '      loop_control: { loop_var: n }'),
        'c.yml': yaml('- shell: echo {{ n }}'),
      });
      try {
        assert.deepEqual(problems, []);
        const play0 = run!.playbooks[0]!.plays[0]!;
        assert.equal(play0.steps.length, 1);
        const step = play0.steps[0]!;
        assert.ok(step.kind === 'task' && step.task.include !== undefined);
        const included = await step.task.include.tasksOf('c.yml');
        assert.equal(included.file, `${tree.dir}/c.yml`);
        assert.deepEqual(included.steps.map((s) => s.kind === 'task' && s.task.args.cmd), ['echo {{ n }}']);
        // The loop variable is known to the included tasks' variable check.
        assert.deepEqual(play0.tasks[1]!.includeVarNames?.includes('n'), true);
      } finally {
        await tree.remove();
      }
    });

    it('loads a templated file name when reached, its problems at the file\'s own positions', async () => {
      const { run, problems, tree } = await loadSite({
        'site.yaml': play('    - include_tasks: "{{ which }}.yml"', '      vars: { which: good }'),
        'good.yml': yaml('- shell: echo good'),
        'bad.yml': yaml('- shell: echo bad', '- cpy: { dest: /x }'),
      });
      try {
        assert.deepEqual(problems, []);
        const step = run!.playbooks[0]!.plays[0]!.steps[0]!;
        assert.ok(step.kind === 'task' && step.task.include !== undefined);
        const good = await step.task.include.tasksOf('good.yml');
        assert.equal(good.steps.length, 1);
        assert.equal(step.task.include.tasksOf('good.yml'), step.task.include.tasksOf('good.yml'), 'built once per name');
        await assert.rejects(step.task.include.tasksOf('bad.yml'), (err: Error) => {
          assert.match(err.message, /bad\.yml:2:3: unknown module "cpy"/);
          return true;
        });
        await assert.rejects(step.task.include.tasksOf('none.yml'), /task file "none\.yml" not found/);
      } finally {
        await tree.remove();
      }
    });

    it('gives its tasks the include\'s vars and the apply keywords, not its own when and tags', async () => {
      const tasks = await tasksOf({
        'site.yaml': play(
          '    - include_tasks:',
          '        file: a.yml',
          '        apply: { tags: [applied], become: true, when: ok_to_go is defined, ignore_errors: true }',
          '      when: include_it is defined',
          '      tags: include',
          '      vars: { x: 1 }',
        ),
        'a.yml': yaml('- shell: echo a'),
      });
      const [include, inner] = tasks;
      assert.deepEqual(include!.when.map((c) => c.source), ['include_it is defined']);
      assert.deepEqual(include!.tags, ['include']);
      assert.deepEqual(inner!.when.map((c) => c.source), ['ok_to_go is defined']);
      assert.deepEqual(inner!.tags, ['applied']);
      assert.deepEqual([inner!.vars, inner!.become, inner!.ignoreErrors], [{ x: 1 }, true, true]);
    });
  });

  it('takes an empty task file as no tasks', async () => {
    assert.deepEqual(echoes(await tasksOf({ 'site.yaml': play('    - import_tasks: empty.yml', '    - shell: echo x'), 'empty.yml': '' })), ['x']);
  });

  describe('what an import gives its tasks', () => {
    it('puts the import\'s when before each task\'s own, through nested imports', async () => {
      const tasks = await tasksOf({
        'site.yaml': play('    - import_tasks: outer.yml', '      when: a is defined'),
        'outer.yml': yaml('- shell: echo o', '  when: o', '- import_tasks: inner.yml', '  when: [b, c]'),
        'inner.yml': yaml('- shell: echo i', '  when: i', '- shell: echo plain'),
      });
      assert.deepEqual(tasks.map((t) => t.when.map((c) => c.source)), [
        ['a is defined', 'o'],
        ['a is defined', 'b', 'c', 'i'],
        ['a is defined', 'b', 'c'],
      ]);
    });

    it('gives the import\'s vars to each task, under the task\'s own', async () => {
      const tasks = await tasksOf({
        'site.yaml': play('    - import_tasks: outer.yml', '      vars: { x: outer, y: outer, z: outer }'),
        'outer.yml': yaml('- import_tasks: inner.yml', '  vars: { y: import }'),
        'inner.yml': yaml('- shell: echo i', '  vars: { z: task }'),
      });
      assert.deepEqual(tasks[0]!.vars, { x: 'outer', y: 'import', z: 'task' });
    });

    it('adds the tags of import_tasks to its tasks, but not those of include_tasks', async () => {
      const tasks = await tasksOf({
        'site.yaml': yaml(
          '- hosts: all',
          '  tags: play',
          '  tasks:',
          '    - import_tasks: a.yml',
          '      tags: [imported]',
          '    - include_tasks: b.yml',
          '      tags: included',
        ),
        'a.yml': yaml('- shell: echo a', '  tags: own'),
        'b.yml': yaml('- shell: echo b', '  tags: own'),
      });
      assert.deepEqual(tasks.map((t) => [...t.tags].sort()), [['imported', 'own', 'play'], ['included', 'play'], ['own', 'play']]);
    });

    it('gives the import\'s become to tasks that do not say', async () => {
      const tasks = await tasksOf({
        'site.yaml': play('    - import_tasks: a.yml', '      become: true'),
        'a.yml': yaml('- shell: echo a', '- shell: echo b', '  become: false'),
      });
      assert.deepEqual(tasks.map((t) => t.become), [true, false]);
    });

    it('gives the become_user of an import or a block to tasks that do not say', async () => {
      const tasks = await tasksOf({
        'site.yaml': play('    - import_tasks: a.yml', '      become_user: kvp', '    - block:', '        - shell: echo c', '      become_user: libvirt'),
        'a.yml': yaml('- shell: echo a', '- shell: echo b', '  become_user: root'),
      });
      assert.deepEqual(tasks.map((t) => t.becomeUser), ['kvp', 'root', 'libvirt']);
    });
  });

  describe('problems', () => {
    it('names a missing task file and the places it looked', async () => {
      const problems = await problemsOf({
        'site.yaml': play('    - import_tasks: nope.yml', '    - include_tasks: tasks/a.yml'),
        'tasks/a.yml': yaml('- import_tasks: gone.yml'),
      });
      assert.equal(problems.length, 2);
      assert.equal(problems[0], '3:21: import_tasks: task file "nope.yml" not found (looked in: nope.yml)');
      // From a task file: its own folder first (then, as Ansible, the playbook's).
      assert.match(problems[1]!, /^tasks\/a\.yml:1:17: import_tasks: task file "gone\.yml" not found \(looked in: tasks\/gone\.yml[,)]/);
    });

    it('refuses import_tasks of a templated file name, pointing to include_tasks', async () => {
      assert.deepEqual(await problemsOf({ 'site.yaml': play('    - import_tasks: "{{ os }}.yml"') }), [
        '3:21: import_tasks of a templated file name: use include_tasks (import_tasks reads its file before any host runs)',
      ]);
    });

    it('reports a file that imports itself, directly or through another', async () => {
      assert.deepEqual(await problemsOf({
        'site.yaml': play('    - import_tasks: site.yaml'),
      }), ['3:21: import_tasks "site.yaml" imports itself (through 1 file(s))']);
      assert.deepEqual(await problemsOf({
        'site.yaml': play('    - import_tasks: a.yml'),
        'a.yml': yaml('- import_tasks: b.yml'),
        'b.yml': yaml('- shell: echo b', '- import_tasks: a.yml'),
      }), ['b.yml:2:17: import_tasks "a.yml" imports itself (through 3 file(s))']);
    });

    it('refuses a task file that is not a list', async () => {
      assert.deepEqual(await problemsOf({
        'site.yaml': play('    - import_tasks: a.yml'),
        'a.yml': yaml('shell: echo a'),
      }), ['a.yml:1:1: a task file must be a list of tasks, not a map']);
    });

    it('places a problem inside the imported file at its own line and column', async () => {
      assert.deepEqual(await problemsOf({
        'site.yaml': play('    - shell: echo ok', '    - import_tasks: tasks/bad.yml'),
        'tasks/bad.yml': yaml('- shell: echo', '  retries: many', '- cpy: { dest: /x }'),
      }), [
        'tasks/bad.yml:2:12: "retries" must be a whole number',
        'tasks/bad.yml:3:3: unknown module "cpy" (did you mean "copy"?)',
      ]);
    });

    it('places malformed YAML of an imported file in that file', async () => {
      const problems = await problemsOf({
        'site.yaml': play('    - import_tasks: bad.yml'),
        'bad.yml': yaml('- shell: echo a', '- shell: [echo', '- shell: echo c'),
      });
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /^bad\.yml:[2-4]:\d+: /);
    });

    it('refuses a keyword it does not apply on an import, naming it', async () => {
      assert.deepEqual(await problemsOf({
        'site.yaml': play('    - import_tasks: a.yml', '      loop: [1, 2]'),
        'a.yml': yaml('- shell: echo a'),
      }), ['4:7: "loop" is not supported on import_tasks (kvmplay applies name, when, tags, vars, become, become_user)']);
    });

    it('refuses what it would drop: an unknown key of include_tasks, a keyword apply does not pass, become on the include', async () => {
      assert.deepEqual(await problemsOf({
        'site.yaml': play(
          '    - include_tasks: { file: a.yml, public: true }',
          '    - include_tasks: { file: a.yml, apply: { delegate_to: x } }',
          '    - include_tasks: a.yml',
          '      become: true',
        ),
        'a.yml': yaml('- shell: echo a'),
      }), [
        '3:37: unknown argument "public" for include_tasks (valid: apply, file)',
        '4:46: "delegate_to" is not supported in apply (kvmplay applies when, tags, vars, become, become_user, become_method, environment, ignore_errors)',
        '6:7: "become" is not valid on include_tasks (Ansible takes name, when, loop, loop_control, tags, vars, ignore_errors, no_log, args; use "apply" for the included tasks\' keywords)',
      ]);
    });

    it('checks the import\'s own when and vars', async () => {
      const problems = await problemsOf({
        'site.yaml': play('    - import_tasks: a.yml', '      when: "a and"', '    - import_tasks: a.yml', '      vars: [1]'),
        'a.yml': yaml('- shell: echo a'),
      });
      assert.equal(problems.length, 2);
      assert.match(problems[0]!, /^4:\d+: "when": /);
      assert.match(problems[1]!, /^6:13: "vars" must be a map/);
    });
  });
});
