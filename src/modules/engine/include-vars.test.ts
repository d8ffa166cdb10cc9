import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { includeVars, includeVarsModule, IncludeVarsArgs, notFoundMessage, varsDirRoot, varsFileCandidates, walk } from './include-vars.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';
import { writeTree, type TempTree } from '../../../test/support/file-tree.js';
import type { TaskSearchPath } from '../module.js';

const parse = (a: Record<string, unknown>): IncludeVarsArgs => IncludeVarsArgs.parse(a);

function issues(a: Record<string, unknown>): string[] {
  const r = IncludeVarsArgs.safeParse(a);
  assert.equal(r.success, false, JSON.stringify(a));
  return r.error?.issues.map((i) => i.message) ?? [];
}

describe('include_vars', () => {
  describe('arguments', () => {
    it('takes file (also free-form) or dir, with name and Ansible\'s dir options', () => {
      assert.equal(includeVarsModule.freeForm, 'file');
      assert.deepEqual(parse({ file: 'a.yml', name: 'x', hash_behaviour: 'replace' }), { file: 'a.yml', name: 'x', hash_behaviour: 'replace' });
      assert.deepEqual(parse({ dir: 'd', depth: '2', ignore_files: 'a.yml b.yml', ignore_unknown_extensions: 'yes', extensions: ['yml'] }), {
        dir: 'd', depth: 2, ignore_files: ['a.yml', 'b.yml'], ignore_unknown_extensions: true, extensions: ['yml'],
      });
    });

    it('refuses mixing file and dir arguments, neither of them, hash_behaviour merge and a bad regular expression', () => {
      assert.deepEqual(issues({ file: 'a.yml', depth: 1 }), ['You are mixing file only and dir only arguments, these are incompatible']);
      assert.deepEqual(issues({ file: 'a.yml', dir: 'd' }), ['You are mixing file only and dir only arguments, these are incompatible']);
      assert.deepEqual(issues({ name: 'x' }), ['one of the following is required: file, dir']);
      assert.match(issues({ file: 'a.yml', hash_behaviour: 'merge' })[0]!, /hash_behaviour "merge" is not supported by kvmplay/);
      assert.deepEqual(issues({ dir: 'd', files_matching: '(' }), ['Invalid regular expression: (']);
      assert.deepEqual(issues({ dir: 'd', ignore_files: ['ok', '[x'] }), ['Invalid regular expression: [x']);
      assert.ok(issues({ file: 'a.yml', bogus: 1 }).length > 0);
    });
  });

  describe('search path', () => {
    const inRole: TaskSearchPath = { roleDir: '/p/roles/r', taskDir: '/p/roles/r/tasks', playDir: '/p' };

    it('looks for a relative file in the role\'s vars/ and folder, the task file\'s folder, then the play\'s vars/ and folder', () => {
      assert.deepEqual(varsFileCandidates('x.yml', inRole), [
        '/p/roles/r/vars/x.yml', '/p/roles/r/x.yml', '/p/roles/r/tasks/vars/x.yml', '/p/roles/r/tasks/x.yml', '/p/vars/x.yml', '/p/x.yml',
      ]);
      assert.deepEqual(varsFileCandidates('x.yml', { taskDir: '/p', playDir: '/p' }), ['/p/vars/x.yml', '/p/x.yml']);
      assert.deepEqual(varsFileCandidates('/etc/x.yml', inRole), ['/etc/x.yml']);
    });

    it('takes a relative dir from the role\'s vars/ (or the role\'s folder for vars/…), else from the task file\'s folder', () => {
      assert.equal(varsDirRoot('os', inRole), '/p/roles/r/vars/os');
      assert.equal(varsDirRoot('vars/os', inRole), '/p/roles/r/vars/os');
      assert.equal(varsDirRoot('/abs', inRole), '/abs');
      assert.equal(varsDirRoot('vars/os', { taskDir: '/p/tasks', playDir: '/p' }), '/p/tasks/vars/os');
    });
  });

  describe('reading files', () => {
    let tree: TempTree;
    let play: TaskSearchPath;
    let role: TaskSearchPath;

    before(async () => {
      tree = await writeTree({
        'vars/common.yml': 'where: play-vars\nshared: 1\n',
        'common.yml': 'where: play-dir\n',
        'only-here.yml': 'here: true\n',
        'roles/r/vars/common.yml': 'where: role-vars\n',
        'roles/r/vars/Debian.yml': 'pkg: apt\n',
        'roles/r/only-role.yml': 'role_dir: true\n',
        'list.yml': '- a\n- b\n',
        'empty.yml': '',
        'broken.yml': 'a: [1,\n',
        'data.json': '{"j": {"k": [1, 2]}}',
        'all/10-a.yml': 'n: 1\nfirst: a\n',
        'all/20-b.yaml': 'n: 2\n',
        'all/sub/30-c.json': '{"n": 3, "deep": true}',
        'all/sub/deeper/40-d.yml': 'n: 4\n',
        'all/skip.yml': 'skipped: true\n',
        'mixed/a.yml': 'a: 1\n',
        'mixed/README': 'not vars',
        'a-file': 'x: 1\n',
      });
      play = { taskDir: tree.dir, playDir: tree.dir };
      role = { roleDir: tree.path('roles/r'), taskDir: tree.path('roles/r/tasks'), playDir: tree.dir };
    });
    after(() => tree.remove());

    it('reads the first file found along the search path, with the absolute path it read', async () => {
      assert.deepEqual(await includeVars(parse({ file: 'common.yml' }), role), { vars: { where: 'role-vars' }, files: [tree.path('roles/r/vars/common.yml')] });
      assert.deepEqual(await includeVars(parse({ file: 'only-role.yml' }), role), { vars: { role_dir: true }, files: [tree.path('roles/r/only-role.yml')] });
      assert.deepEqual(await includeVars(parse({ file: 'only-here.yml' }), role), { vars: { here: true }, files: [tree.path('only-here.yml')] });
      assert.deepEqual(await includeVars(parse({ file: 'common.yml' }), play), { vars: { where: 'play-vars', shared: 1 }, files: [tree.path('vars/common.yml')] });
      assert.deepEqual(await includeVars(parse({ file: tree.path('data.json') }), role), { vars: { j: { k: [1, 2] } }, files: [tree.path('data.json')] });
    });

    it('puts everything under name when given', async () => {
      assert.deepEqual((await includeVars(parse({ file: 'Debian.yml', name: 'os' }), role)).vars, { os: { pkg: 'apt' } });
    });

    it('reads an empty file as no variables', async () => {
      assert.deepEqual(await includeVars(parse({ file: 'empty.yml' }), play), { vars: {}, files: [tree.path('empty.yml')] });
    });

    it('fails on a missing file with Ansible\'s message and the places searched', async () => {
      const r = await includeVars(parse({ file: 'RedHat.yml' }), role);
      assert.deepEqual(r.vars, {});
      assert.equal(r.fail, notFoundMessage('RedHat.yml', varsFileCandidates('RedHat.yml', role)));
      assert.equal(r.fail?.split('\n')[0], "Could not find or access 'RedHat.yml'");
      assert.equal(r.fail?.split('\n')[2], `\t${tree.path('roles/r/vars/RedHat.yml')}`);
      assert.match(r.fail ?? '', /on the Ansible Controller\.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option$/);
      assert.equal((await includeVars(parse({ file: '/nowhere/x.yml' }), role)).fail?.split('\n')[0], "Could not find or access '/nowhere/x.yml' on the Ansible Controller.");
    });

    it('fails on a file that is not a map, naming the file, and on a YAML error with its position', async () => {
      assert.equal((await includeVars(parse({ file: 'list.yml' }), play)).fail, `${tree.path('list.yml')} must be stored as a dictionary/hash`);
      assert.match((await includeVars(parse({ file: 'broken.yml' }), play)).fail ?? '', /broken\.yml:\d+:\d+/);
    });

    it('reads a dir\'s files folder by folder in sorted order, later files replacing earlier keys', async () => {
      const r = await includeVars(parse({ dir: tree.path('all') }), play);
      assert.equal(r.fail, undefined);
      assert.deepEqual(r.vars, { n: 4, first: 'a', skipped: true, deep: true });
      assert.deepEqual(r.files, ['all/10-a.yml', 'all/20-b.yaml', 'all/skip.yml', 'all/sub/30-c.json', 'all/sub/deeper/40-d.yml'].map((f) => tree.path(f)));
    });

    it('limits a dir with depth, files_matching, ignore_files and extensions', async () => {
      const files = async (a: Record<string, unknown>): Promise<string[]> => (await includeVars(parse({ dir: 'all', ...a }), play)).files.map((f) => f.slice(tree.dir.length + 1));
      assert.deepEqual(await files({ depth: 1 }), ['all/10-a.yml', 'all/20-b.yaml', 'all/skip.yml']);
      assert.deepEqual(await files({ depth: 2 }), ['all/10-a.yml', 'all/20-b.yaml', 'all/skip.yml', 'all/sub/30-c.json']);
      assert.deepEqual(await files({ files_matching: '^[0-9]+-' }), ['all/10-a.yml', 'all/20-b.yaml', 'all/sub/30-c.json', 'all/sub/deeper/40-d.yml']);
      assert.deepEqual(await files({ ignore_files: ['skip.yml', '.*json'] }), ['all/10-a.yml', 'all/20-b.yaml', 'all/sub/deeper/40-d.yml']);
      assert.deepEqual(await files({ extensions: ['yml'], ignore_unknown_extensions: true }), ['all/10-a.yml', 'all/skip.yml', 'all/sub/deeper/40-d.yml']);
    });

    it('fails on a dir file of another extension unless told to ignore those', async () => {
      const r = await includeVars(parse({ dir: 'mixed' }), play);
      assert.equal(r.fail, `${tree.path('mixed/README')} does not have a valid extension: yaml, yml, json`);
      assert.deepEqual(await includeVars(parse({ dir: 'mixed', ignore_unknown_extensions: true }), play), { vars: { a: 1 }, files: [tree.path('mixed/a.yml')] });
    });

    it('fails on a dir that does not exist or is not a folder', async () => {
      assert.equal((await includeVars(parse({ dir: 'nope' }), play)).fail, `${tree.path('nope')} directory does not exist`);
      assert.equal((await includeVars(parse({ dir: 'a-file' }), play)).fail, `${tree.path('a-file')} is not a directory`);
      assert.equal((await includeVars(parse({ dir: 'os' }), role)).fail, `${tree.path('roles/r/vars/os')} directory does not exist`);
    });

    it('follows a link to a folder, but not one back up the tree', async () => {
      const t = await writeTree({ 'd/a.yml': 'a: 1\n', 'other/b.yml': 'b: 2\n' });
      try {
        await symlink(t.path('other'), t.path('d/link'));
        await symlink(t.path('d'), t.path('d/loop'));
        assert.deepEqual((await walk(t.path('d'), 0)).map((w) => [w.dir.slice(t.dir.length + 1), w.files]), [['d', ['a.yml']], ['d/link', ['b.yml']]]);
      } finally {
        await t.remove();
      }
    });

    it('as a module: never contacts the host, never changed, the same in check mode, Ansible\'s result keys', async () => {
      for (const check of [false, true]) {
        const host = new RecordedHost();
        const r = await includeVarsModule.run(host, parse({ file: 'Debian.yml' }), fakeContext({ check, taskSearchPath: role }));
        assert.equal(host.calls.length, 0);
        assert.equal(r.changed, false);
        assert.equal(r.failed, undefined);
        assert.deepEqual(r.data, { ansible_facts: { pkg: 'apt' }, ansible_included_var_files: [join(tree.dir, 'roles/r/vars/Debian.yml')] });
      }
      const missing = await includeVarsModule.run(new RecordedHost(), parse({ file: 'nope.yml' }), fakeContext({ taskSearchPath: role }));
      assert.equal(missing.failed, true);
      assert.match(missing.msg, /^Could not find or access 'nope\.yml'/);
      assert.equal(missing.data?.['message'], missing.msg);
      assert.deepEqual(missing.data?.['ansible_facts'], {});
    });
  });
});
