import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { ansibleConfigFile, iniValue, rolesPath } from './ansible-config.js';

const ini = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** Runs `body` on a temp tree of `files`, removing it afterwards. */
async function inTree(files: Record<string, string>, body: (tree: TempTree) => Promise<void> | void): Promise<void> {
  const tree = await writeTree(files);
  try {
    await body(tree);
  } finally {
    await chmod(tree.dir, 0o700);
    await tree.remove();
  }
}

/** Ansible's own files, which ansibleConfigFile may find when nothing nearer exists. */
const OUTSIDE = [join(homedir(), '.ansible.cfg'), '/etc/ansible/ansible.cfg'];

describe('ansible configuration', () => {
  describe('iniValue', () => {
    it('reads a key in its section only', () => {
      const text = ini('[other]', 'roles_path = /other', '[defaults]', 'forks = 5', 'roles_path = /mine', '[more]', 'roles_path = /more');
      assert.equal(iniValue(text, 'defaults', 'roles_path'), '/mine');
      assert.equal(iniValue(text, 'other', 'roles_path'), '/other');
      assert.equal(iniValue(text, 'defaults', 'nothing'), undefined);
      assert.equal(iniValue(text, 'absent', 'roles_path'), undefined);
      assert.equal(iniValue('roles_path = /before/any/section\n', 'defaults', 'roles_path'), undefined);
    });

    it('takes = and : as the delimiter, with or without spaces, and keeps later ones in the value', () => {
      for (const line of ['roles_path=/a:/b', 'roles_path = /a:/b', 'roles_path: /a:/b', 'roles_path :/a:/b', 'roles_path   =   /a:/b  ']) {
        assert.equal(iniValue(ini('[defaults]', line), 'defaults', 'roles_path'), '/a:/b', line);
      }
      assert.equal(iniValue(ini('[defaults]', 'x = a=b'), 'defaults', 'x'), 'a=b');
      assert.equal(iniValue('[defaults]\r\nroles_path = /crlf\r\n', 'defaults', 'roles_path'), '/crlf');
    });

    it('reads keys case-insensitively and section names as written (configparser)', () => {
      assert.equal(iniValue(ini('[defaults]', 'ROLES_PATH = /x'), 'defaults', 'roles_path'), '/x');
      assert.equal(iniValue(ini('[Defaults]', 'roles_path = /x'), 'defaults', 'roles_path'), undefined);
    });

    it('skips comment lines and blank lines, and an inline comment after ";"', () => {
      const text = ini(
        '# roles_path = /hash',
        '[defaults]',
        '',
        '; roles_path = /semicolon',
        '# roles_path = /hash',
        'roles_path = /real ; the real one',
        '  # indented comment',
      );
      assert.equal(iniValue(text, 'defaults', 'roles_path'), '/real');
    });

    it('keeps " #..." in a value: Ansible reads inline comments after ";" only', () => {
      // Ansible: configparser.ConfigParser(inline_comment_prefixes=(';',)); `ansible-config dump`
      // shows DEFAULT_ROLES_PATH = ['/r1 # comment'] for `roles_path = /r1 # comment`.
      assert.equal(iniValue(ini('[defaults]', 'roles_path = /r1 # comment'), 'defaults', 'roles_path'), '/r1 # comment');
    });

    it('reads a key of [DEFAULT] in every section (configparser)', () => {
      // `ansible-config dump`: DEFAULT_ROLES_PATH = ['/fromdefault'] for this file.
      const text = ini('[DEFAULT]', 'roles_path = /fromdefault', '[defaults]', 'forks = 7');
      assert.equal(iniValue(text, 'defaults', 'roles_path'), '/fromdefault');
      assert.equal(iniValue(ini('[DEFAULT]', 'roles_path = /d', '[defaults]', 'roles_path = /own'), 'defaults', 'roles_path'), '/own');
    });

    it('refuses a key written twice in a section, as Ansible does', () => {
      // Ansible's configparser is strict: "Error reading config file (…): While reading from
      // '<string>' [line  3]: option 'roles_path' in section 'defaults' already exists".
      // A later section of the same name is the same error (DuplicateSectionError).
      assert.throws(() => iniValue(ini('[defaults]', 'roles_path = /first', 'roles_path = /last'), 'defaults', 'roles_path'));
    });
  });

  describe('ansibleConfigFile', () => {
    it('takes ANSIBLE_CONFIG first, even with an ansible.cfg in the working directory', async () => {
      await inTree({ 'cwd/ansible.cfg': '', 'elsewhere/my.cfg': '' }, (tree) => {
        assert.equal(ansibleConfigFile({ ANSIBLE_CONFIG: tree.path('elsewhere/my.cfg') }, tree.path('cwd')), tree.path('elsewhere/my.cfg'));
        // A relative ANSIBLE_CONFIG is from the working directory.
        assert.equal(ansibleConfigFile({ ANSIBLE_CONFIG: '../elsewhere/my.cfg' }, tree.path('cwd')), tree.path('elsewhere/my.cfg'));
      });
    });

    it('takes ./ansible.cfg of the working directory when ANSIBLE_CONFIG is not set or names no file', async () => {
      await inTree({ 'cwd/ansible.cfg': '' }, (tree) => {
        assert.equal(ansibleConfigFile({}, tree.path('cwd')), tree.path('cwd/ansible.cfg'));
        assert.equal(ansibleConfigFile({ ANSIBLE_CONFIG: '' }, tree.path('cwd')), tree.path('cwd/ansible.cfg'));
        assert.equal(ansibleConfigFile({ ANSIBLE_CONFIG: tree.path('missing.cfg') }, tree.path('cwd')), tree.path('cwd/ansible.cfg'));
      });
    });

    it('finds nothing nearer than Ansible\'s own files in an empty folder', async () => {
      await inTree({ 'cwd/': '' }, (tree) => {
        const found = ansibleConfigFile({}, tree.path('cwd'));
        assert.ok(found === undefined || OUTSIDE.includes(found), found);
      });
    });

    it('takes ansible.cfg inside a folder named by ANSIBLE_CONFIG', async () => {
      // Ansible's find_ini_config_file: `if os.path.isdir(path_from_env): path_from_env = os.path.join(path_from_env, "ansible.cfg")`.
      await inTree({ 'conf/ansible.cfg': ini('[defaults]', 'roles_path = r'), 'cwd/': '' }, (tree) => {
        assert.equal(ansibleConfigFile({ ANSIBLE_CONFIG: tree.path('conf') }, tree.path('cwd')), tree.path('conf/ansible.cfg'));
        assert.deepEqual(rolesPath({ ANSIBLE_CONFIG: tree.path('conf') }, tree.path('cwd')), [tree.path('conf/r')]);
      });
    });

    it('ignores ./ansible.cfg of a world-writable working directory, as Ansible does', async () => {
      // Ansible warns "Ansible is being run in a world writable directory (…), ignoring it as an ansible.cfg source."
      await inTree({ 'cwd/ansible.cfg': '' }, async (tree) => {
        await chmod(tree.path('cwd'), 0o777);
        const found = ansibleConfigFile({}, tree.path('cwd'));
        assert.ok(found === undefined || OUTSIDE.includes(found), found);
        // ANSIBLE_CONFIG naming it still counts.
        assert.equal(ansibleConfigFile({ ANSIBLE_CONFIG: 'ansible.cfg' }, tree.path('cwd')), tree.path('cwd/ansible.cfg'));
        await chmod(tree.path('cwd'), 0o755);
      });
    });
  });

  describe('rolesPath', () => {
    it('reads ANSIBLE_ROLES_PATH first: colon-separated, relative entries from the working directory', async () => {
      await inTree({ 'cwd/ansible.cfg': ini('[defaults]', 'roles_path = /from/cfg') }, (tree) => {
        assert.deepEqual(rolesPath({ ANSIBLE_ROLES_PATH: 'roles:/abs/roles:../up' }, tree.path('cwd')), [
          tree.path('cwd/roles'), '/abs/roles', tree.path('up'),
        ]);
      });
    });

    it('reads roles_path of the ansible.cfg in force, relative entries from the file\'s folder', async () => {
      await inTree({ 'conf/my.cfg': ini('[defaults]', 'roles_path = roles:../shared:/abs'), 'cwd/': '' }, (tree) => {
        assert.deepEqual(rolesPath({ ANSIBLE_CONFIG: tree.path('conf/my.cfg') }, tree.path('cwd')), [
          tree.path('conf/roles'), tree.path('shared'), '/abs',
        ]);
      });
      await inTree({ 'cwd/ansible.cfg': ini('[defaults]', 'roles_path: roles') }, (tree) => {
        assert.deepEqual(rolesPath({}, tree.path('cwd')), [tree.path('cwd/roles')]);
      });
    });

    it('expands ~ in ANSIBLE_ROLES_PATH and in roles_path', async () => {
      assert.deepEqual(rolesPath({ ANSIBLE_ROLES_PATH: '~/roles:~' }, '/'), [join(homedir(), 'roles'), homedir()]);
      await inTree({ 'ansible.cfg': ini('[defaults]', 'roles_path = ~/galaxy:~') }, (tree) => {
        assert.deepEqual(rolesPath({ ANSIBLE_CONFIG: tree.path('ansible.cfg') }, '/'), [join(homedir(), 'galaxy'), homedir()]);
      });
    });

    it('is Ansible\'s default when the ansible.cfg in force does not set it', async () => {
      await inTree({ 'ansible.cfg': ini('[defaults]', 'forks = 5', '[other]', 'roles_path = /not/here') }, (tree) => {
        assert.deepEqual(rolesPath({ ANSIBLE_CONFIG: tree.path('ansible.cfg') }, tree.dir), [
          join(homedir(), '.ansible/roles'), '/usr/share/ansible/roles', '/etc/ansible/roles',
        ]);
      });
    });
  });
});
