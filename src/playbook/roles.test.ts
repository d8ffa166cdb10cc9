import assert from 'node:assert/strict';
import { fakeModules, loadSite, yaml } from '../../test/support/playbook-fixture.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { rolesPath } from './ansible-config.js';
import { loadPlaybook } from './load.js';
import type { Play, Task } from './model.js';
import { Problems, ValidationErrors } from './problems.js';
import { StringCache } from './strings.js';

interface LoadedPlay {
  tree: TempTree;
  play: Play | undefined;
  /** `line:col: detail` in site.yaml, `file:line:col: detail` elsewhere; the temp folder is cut from paths in details too. */
  problems: string[];
}

/**
 * Load `site.yaml` of `files` with an explicit roles path (loadPlaybooks would read
 * process.env and the working directory): `paths` gets the temp tree, so it can be
 * computed by rolesPath(env, cwd) inside it.
 */
async function loadPlay(files: Record<string, string>, paths: (tree: TempTree) => string[] = () => []): Promise<LoadedPlay> {
  const tree = await writeTree(files);
  const problems = new Problems();
  const loaded = await loadPlaybook(tree.path('site.yaml'), {
    problems,
    lookup: fakeModules.lookupModule!,
    moduleNames: fakeModules.moduleNames!(),
    stringCache: new StringCache(),
    rolesPath: paths(tree),
  });
  const site = tree.path('site.yaml');
  const cut = (s: string): string => s.split(`${tree.dir}/`).join('');
  try {
    problems.throwIfAny();
  } catch (e) {
    if (!(e instanceof ValidationErrors)) throw e;
    return {
      tree,
      play: undefined,
      problems: e.problems.map((p) => `${p.pos.file === site ? '' : `${cut(p.pos.file)}:`}${p.pos.line}:${p.pos.col}: ${cut(p.detail)}`),
    };
  }
  return { tree, play: loaded.playbook.plays[0], problems: [] };
}

/** The play of `files`, which must load without problems. */
async function playOf(files: Record<string, string>, paths?: (tree: TempTree) => string[]): Promise<{ play: Play; tree: TempTree }> {
  const { play, problems, tree } = await loadPlay(files, paths);
  await tree.remove();
  assert.deepEqual(problems, []);
  return { play: play!, tree };
}

async function problemsOf(files: Record<string, string>, paths?: (tree: TempTree) => string[]): Promise<string[]> {
  const { problems, tree } = await loadPlay(files, paths);
  await tree.remove();
  return problems;
}

/** What each task echoes: `shell: echo NAME` tasks, so the order of a play is readable. */
const echoes = (tasks: readonly Task[]): string[] => tasks.map((t) => String(t.args.cmd).replace(/^echo /, ''));

/** A role that only echoes its name (and allows duplicates when asked). */
function echoRole(name: string, meta?: string): Record<string, string> {
  return {
    [`roles/${name}/tasks/main.yml`]: yaml(`- shell: echo ${name}`),
    ...(meta === undefined ? {} : { [`roles/${name}/meta/main.yml`]: meta }),
  };
}

/**
 * Where notified handlers run between tasks, as indices into `play.tasks` (0 and the
 * end of the play left out: nothing runs before, and the play ends with a flush anyway).
 * Read from `flushBefore`, or from the flush steps of `steps` where the play has them.
 */
function flushPoints(play: Play): number[] {
  interface LooseStep { kind: string; block?: LooseStep[]; rescue?: LooseStep[]; always?: LooseStep[] }
  const loose = play as unknown as { flushBefore?: number[]; steps?: LooseStep[] };
  const count = (s: LooseStep): number =>
    s.kind === 'task' ? 1 : [...(s.block ?? []), ...(s.rescue ?? []), ...(s.always ?? [])].reduce((n, c) => n + count(c), 0);
  let points = loose.flushBefore ?? [];
  if (loose.steps) {
    points = [];
    let n = 0;
    for (const s of loose.steps) {
      if (s.kind === 'flush') points.push(n);
      else n += count(s);
    }
  }
  return [...new Set(points)].filter((i) => i > 0 && i < play.tasks.length);
}

const rolesPlay = (...roleLines: string[]): string => yaml('- hosts: all', '  roles:', ...roleLines);

describe('roles', () => {
  describe('where a role is found', () => {
    it('finds a role in roles/ beside the playbook, its tasks carrying the role', async () => {
      const { play, tree } = await playOf({
        'site.yaml': rolesPlay('    - web'),
        'roles/web/tasks/main.yml': yaml('- shell: echo web'),
        'roles/web/defaults/main.yml': yaml('port: 80'),
        'roles/web/vars/main.yml': yaml('user: www'),
      });
      assert.deepEqual(echoes(play.tasks), ['web']);
      assert.deepEqual(play.tasks[0]!.role, {
        name: 'web', dir: tree.path('roles/web'), defaults: { port: 80 }, vars: { user: 'www' }, params: {},
      });
      assert.equal(play.tasks[0]!.pos.file, tree.path('roles/web/tasks/main.yml'));
      assert.deepEqual(play.roleDefaults, { port: 80 });
      assert.deepEqual(play.roleVars, { user: 'www' });
    });

    it('finds a role through ANSIBLE_ROLES_PATH (relative entries from the working directory)', async () => {
      let expected: string[] = [];
      const { play, tree } = await playOf({
        'site.yaml': rolesPlay('    - db'),
        'shared/roles/db/tasks/main.yml': yaml('- shell: echo db'),
      }, (t) => {
        expected = [t.path('elsewhere'), t.path('shared/roles')];
        return rolesPath({ ANSIBLE_ROLES_PATH: `elsewhere:shared/roles` }, t.dir);
      });
      assert.deepEqual(rolesPath({ ANSIBLE_ROLES_PATH: `elsewhere:shared/roles` }, tree.dir), expected);
      assert.deepEqual(echoes(play.tasks), ['db']);
      assert.equal(play.tasks[0]!.role?.dir, tree.path('shared/roles/db'));
    });

    it('finds a role through roles_path of ansible.cfg (relative entries from the file\'s folder)', async () => {
      const { play, tree } = await playOf({
        'site.yaml': rolesPlay('    - db'),
        'project/ansible.cfg': yaml('[defaults]', 'roles_path = ../galaxy'),
        'galaxy/db/tasks/main.yml': yaml('- shell: echo db'),
      }, (t) => rolesPath({}, t.path('project')));
      assert.deepEqual(echoes(play.tasks), ['db']);
      assert.equal(play.tasks[0]!.role?.dir, tree.path('galaxy/db'));
    });

    it('looks in roles/ beside the playbook before the roles path', async () => {
      const { play, tree } = await playOf({
        'site.yaml': rolesPlay('    - db'),
        'roles/db/tasks/main.yml': yaml('- shell: echo local'),
        'galaxy/db/tasks/main.yml': yaml('- shell: echo galaxy'),
      }, (t) => [t.path('galaxy')]);
      assert.deepEqual(echoes(play.tasks), ['local']);
      assert.equal(play.tasks[0]!.role?.dir, tree.path('roles/db'));
    });

    it('finds main.yaml and main (no extension) as well as main.yml', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - web'),
        'roles/web/tasks/main.yaml': yaml('- shell: echo web'),
        'roles/web/defaults/main': yaml('port: 80'),
        'roles/web/vars/main.yaml': yaml('user: www'),
        'roles/web/meta/main': yaml('dependencies: [base]'),
        ...echoRole('base'),
      });
      assert.deepEqual(echoes(play.tasks), ['base', 'web']);
      assert.deepEqual(play.tasks[1]!.role?.defaults, { port: 80 });
      assert.deepEqual(play.tasks[1]!.role?.vars, { user: 'www' });
    });

    it('reports an unknown role, naming it and every place it looked', async () => {
      assert.deepEqual(await problemsOf({ 'site.yaml': rolesPlay('    - web', '    - nope'), ...echoRole('web') }, (t) => [t.path('extra')]), [
        '4:7: role "nope" not found (looked in: roles/nope, extra/nope, nope)',
      ]);
    });

    it('says a collection role (ns.coll.role) is not read by kvmplay', async () => {
      const problems = await problemsOf({ 'site.yaml': rolesPlay('    - role: community.general.thing') });
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /^3:13: role "community\.general\.thing" is from a collection, which kvmplay does not install or read: copy the role into roles\/ \(looked in: roles\/community\.general\.thing, /);
    });

    it('reports malformed YAML in a role\'s defaults at its line and column in that file', async () => {
      const problems = await problemsOf({
        'site.yaml': rolesPlay('    - web'),
        ...echoRole('web'),
        'roles/web/defaults/main.yml': yaml('port: 80', 'users: [a, b', 'x: 1'),
      });
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /^roles\/web\/defaults\/main\.yml:[2-4]:\d+: /);
    });

    it('finds a task file imported by a role in the role\'s tasks/ folder', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - web'),
        'roles/web/tasks/main.yml': yaml('- import_tasks: install.yml'),
        'roles/web/tasks/install.yml': yaml('- shell: echo install'),
      });
      assert.deepEqual(echoes(play.tasks), ['install']);
      assert.equal(play.tasks[0]!.role?.name, 'web');
    });

    it('refuses a role tasks file that is not a list', async () => {
      assert.deepEqual(await problemsOf({
        'site.yaml': rolesPlay('    - web'),
        'roles/web/tasks/main.yml': yaml('shell: echo web'),
      }), ['roles/web/tasks/main.yml:1:1: a role\'s tasks file must be a list, not a map']);
    });
  });

  describe('a roles: entry', () => {
    it('takes the other keys of a map and its vars as the role\'s parameters, and applies its when and tags', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay(
          '    - role: web',
          '      port: 8080',
          '      when: ready is defined',
          '      tags: [webtag]',
          '      become: true',
          '      vars: { user: bob }',
        ),
        'roles/web/tasks/main.yml': yaml('- shell: echo web', '  when: port > 0', '  tags: own'),
      });
      const task = play.tasks[0]!;
      assert.deepEqual(task.role?.params, { port: 8080, user: 'bob' });
      assert.deepEqual(task.when.map((c) => c.source), ['ready is defined', 'port > 0']);
      assert.deepEqual([...task.tags].sort(), ['own', 'webtag']);
      assert.equal(task.become, true);
    });

    it('takes "name:" as the role too, and a role under a path by its last part', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - name: web', '    - lib/db'),
        ...echoRole('web'),
        'lib/db/tasks/main.yml': yaml('- shell: echo db'),
      });
      assert.deepEqual(play.tasks.map((t) => t.role?.name), ['web', 'db']);
    });

    it('makes role defaults, vars and parameters known to the undefined-variable check', async () => {
      const inventoryText = yaml('all:', '  hosts:', '    h1: {}');
      const files = {
        'site.yaml': yaml(
          '- hosts: all',
          '  roles:',
          '    - { role: web, greeting: hi }',
          '  tasks:',
          '    - shell: "echo {{ port }} {{ user }} {{ greeting }}"',
        ),
        'roles/web/tasks/main.yml': yaml('- shell: "echo {{ port }} {{ user }} {{ greeting }}"'),
        'roles/web/defaults/main.yml': yaml('port: 80'),
        'roles/web/vars/main.yml': yaml('user: www'),
      };
      const ok = await loadSite(files, { inventoryText });
      await ok.tree.remove();
      assert.deepEqual(ok.problems, []);
      // The same check still finds a name nothing defines.
      const bad = await loadSite({ ...files, 'roles/web/tasks/main.yml': yaml('- shell: "echo {{ prot }}"') }, { inventoryText });
      await bad.tree.remove();
      assert.equal(bad.problems.length, 1);
      assert.match(bad.problems[0]!, /^roles\/web\/tasks\/main\.yml:1:\d+: undefined variable "prot" \(did you mean "port"\?\)/);
    });
  });

  describe('dependencies', () => {
    it('runs meta dependencies first, and a role needed twice with the same parameters once', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - app', '    - api', '    - common'),
        ...echoRole('common'),
        ...echoRole('app', yaml('dependencies:', '  - common')),
        ...echoRole('api', yaml('dependencies:', '  - role: common')),
      });
      assert.deepEqual(echoes(play.tasks), ['common', 'app', 'api']);
    });

    it('runs a role again for other parameters', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - app', '    - api'),
        ...echoRole('common'),
        ...echoRole('app', yaml('dependencies:', '  - { role: common, level: 1 }')),
        ...echoRole('api', yaml('dependencies:', '  - { role: common, level: 2 }')),
      });
      assert.deepEqual(echoes(play.tasks), ['common', 'app', 'common', 'api']);
      assert.deepEqual(play.tasks.map((t) => t.role?.params), [{ level: 1 }, {}, { level: 2 }, {}]);
    });

    it('sees the same parameters written in another order as the same (Ansible compares them as a dict)', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - { role: common, x: 1, y: 2 }', '    - { role: common, y: 2, x: 1 }'),
        ...echoRole('common'),
      });
      assert.deepEqual(echoes(play.tasks), ['common']);
    });

    it('runs a role again under another when (Ansible counts when and tags as part of the role\'s identity)', async () => {
      // ansible-playbook runs `c` twice here: with a undefined and b defined, the second one runs.
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - { role: common, when: a is defined }', '    - { role: common, when: b is defined }'),
        ...echoRole('common'),
      });
      assert.deepEqual(play.tasks.map((t) => t.when.map((c) => c.source)), [['a is defined'], ['b is defined']]);
    });

    it('runs a role each time it is needed when its meta says allow_duplicates', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - app', '    - api'),
        ...echoRole('common', yaml('allow_duplicates: true')),
        ...echoRole('app', yaml('dependencies: [common]')),
        ...echoRole('api', yaml('dependencies: [common]')),
      });
      assert.deepEqual(echoes(play.tasks), ['common', 'app', 'common', 'api']);
    });

    it('reports a dependency cycle where it closes', async () => {
      const problems = await problemsOf({
        'site.yaml': rolesPlay('    - a'),
        ...echoRole('a', yaml('dependencies:', '  - b')),
        ...echoRole('b', yaml('dependencies:', '  - a')),
      });
      assert.deepEqual(problems, ['roles/b/meta/main.yml:2:5: role "a" depends on itself (through 2 role(s))']);
    });

    it('passes a role\'s when and tags on to its dependencies', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - { role: app, when: go is defined, tags: [t] }'),
        ...echoRole('common'),
        ...echoRole('app', yaml('dependencies: [common]')),
      });
      assert.deepEqual(play.tasks.map((t) => [t.role?.name, t.when.map((c) => c.source), t.tags]), [
        ['common', ['go is defined'], ['t']],
        ['app', ['go is defined'], ['t']],
      ]);
    });
  });

  describe('the play\'s role variables', () => {
    it('merges the roles\' defaults and vars in the order the roles run', async () => {
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - one', '    - two'),
        ...echoRole('one'),
        'roles/one/defaults/main.yml': yaml('shared: one', 'only_one: 1'),
        'roles/one/vars/main.yml': yaml('v: one'),
        ...echoRole('two'),
        'roles/two/defaults/main.yml': yaml('shared: two'),
        'roles/two/vars/main.yml': yaml('v: two', 'only_two: 2'),
      });
      assert.deepEqual(play.roleDefaults, { shared: 'two', only_one: 1 });
      assert.deepEqual(play.roleVars, { v: 'two', only_two: 2 });
    });

    it('puts a role\'s own defaults and vars over those of its dependencies (they run first)', async () => {
      // Ansible's Role.get_default_vars / get_vars: the dependencies' first, then the role's own.
      const { play } = await playOf({
        'site.yaml': rolesPlay('    - app'),
        ...echoRole('common'),
        'roles/common/defaults/main.yml': yaml('d: from_common'),
        'roles/common/vars/main.yml': yaml('v: from_common'),
        ...echoRole('app', yaml('dependencies: [common]')),
        'roles/app/defaults/main.yml': yaml('d: from_app'),
        'roles/app/vars/main.yml': yaml('v: from_app'),
      });
      assert.deepEqual(play.roleDefaults, { d: 'from_app' });
      assert.deepEqual(play.roleVars, { v: 'from_app' });
    });
  });

  describe('handlers', () => {
    it('knows a role\'s handlers by name, by listen topic and as "role : name"', async () => {
      const { play } = await playOf({
        'site.yaml': yaml(
          '- hosts: all',
          '  roles: [web]',
          '  tasks:',
          '    - shell: echo x',
          '      notify: [restart web, web changed, "web : restart web"]',
        ),
        ...echoRole('web'),
        'roles/web/handlers/main.yml': yaml('- name: restart web', '  shell: echo restart', '  listen: web changed'),
      });
      assert.equal(play.handlers.length, 1);
      assert.equal(play.handlers[0]!.role?.name, 'web');
      assert.deepEqual(play.handlers[0]!.listen, ['web changed']);
    });

    it('still reports a notify no role handler answers', async () => {
      const problems = await problemsOf({
        'site.yaml': yaml('- hosts: all', '  roles: [web]', '  tasks:', '    - shell: echo x', '      notify: "web : restart"'),
        ...echoRole('web'),
        'roles/web/handlers/main.yml': yaml('- name: restart web', '  shell: echo restart'),
      });
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /^5:15: notify "web : restart": no handler has this name or listens to it in this play/);
    });
  });

  describe('import_role inside a block', () => {
    it('gives the role\'s tasks the block\'s keywords (become, vars, environment, ignore_errors) under their own', async () => {
      const { play } = await playOf({
        'site.yaml': yaml(
          '- hosts: all',
          '  tasks:',
          '    - block:',
          '        - import_role: { name: web }',
          '      become: true',
          '      vars: { port: 80 }',
          '      environment: { LANG: C }',
          '      ignore_errors: true',
        ),
        'roles/web/tasks/main.yml': yaml('- shell: echo a', '- shell: echo b', '  become: false'),
      });
      assert.deepEqual(play.tasks.map((t) => [t.become, t.vars, t.environment, t.ignoreErrors]), [
        [true, { port: 80 }, [{ LANG: 'C' }], true],
        [false, { port: 80 }, [{ LANG: 'C' }], true],
      ]);
    });
  });

  describe('pre_tasks and post_tasks', () => {
    it('runs pre_tasks, the roles\' tasks, tasks, then post_tasks, flushing handlers after pre_tasks and tasks', async () => {
      const { play } = await playOf({
        'site.yaml': yaml(
          '- hosts: all',
          '  post_tasks:',
          '    - shell: echo post',
          '  tasks:',
          '    - shell: echo task',
          '  roles: [web]',
          '  pre_tasks:',
          '    - shell: echo pre1',
          '    - shell: echo pre2',
        ),
        ...echoRole('web'),
      });
      assert.deepEqual(echoes(play.tasks), ['pre1', 'pre2', 'web', 'task', 'post']);
      assert.deepEqual(flushPoints(play), [2, 4]);
    });

    it('flushes only between sections that have tasks after them', async () => {
      const flushes = async (site: string): Promise<number[]> => flushPoints((await playOf({ 'site.yaml': site, ...echoRole('web') })).play);
      // No post_tasks: the end of the play flushes anyway.
      assert.deepEqual(await flushes(yaml('- hosts: all', '  pre_tasks: [{ shell: echo pre }]', '  roles: [web]')), [1]);
      // No pre_tasks: nothing before the roles.
      assert.deepEqual(await flushes(yaml('- hosts: all', '  roles: [web]', '  post_tasks: [{ shell: echo post }]')), [1]);
      assert.deepEqual(await flushes(yaml('- hosts: all', '  tasks: [{ shell: echo t }]')), []);
      // The end of pre_tasks and the end of tasks coincide when there are no roles nor tasks.
      assert.deepEqual(await flushes(yaml('- hosts: all', '  pre_tasks: [{ shell: echo pre }]', '  post_tasks: [{ shell: echo post }]')), [1]);
    });
  });
});
