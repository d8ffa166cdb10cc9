import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../test/support/cli.js';
import { resetVault, setVaultSecrets, watchVaultPlaintexts } from '../../vault/index.js';
import { lookupContext, makeTree, runLookup, type TempTree } from './test-support.js';

describe('lookup file', () => {
  let tree: TempTree;
  before(() => {
    tree = makeTree({
      'play/files/motd': '  hello world  \n\n',
      'play/motd': 'the playbook dir copy\n',
      'play/only-here.txt': 'beside the playbook\n',
      'play/files/files-dir/x': 'x',
      'play/files/vaulted': '$ANSIBLE_VAULT;1.1;AES256\n6162\n',
    });
  });
  after(() => tree.remove());
  const ctx = (): ReturnType<typeof lookupContext> => lookupContext([tree.path('play')]);

  it("reads <dir>/files/<name> first and strips trailing whitespace by default", () => {
    assert.deepEqual(runLookup(ctx(), 'file', ['motd']), ['  hello world']);
  });

  it('falls back to <dir>/<name>', () => {
    assert.deepEqual(runLookup(ctx(), 'file', ['only-here.txt']), ['beside the playbook']);
  });

  it('does not add files/ again to a name that starts with it', () => {
    assert.deepEqual(runLookup(ctx(), 'file', ['files/motd']), ['  hello world']);
  });

  it('strips leading whitespace with lstrip=true and keeps the trailing with rstrip=false', () => {
    assert.deepEqual(runLookup(ctx(), 'file', ['motd'], { lstrip: true, rstrip: false }), ['hello world  \n\n']);
    assert.deepEqual(runLookup(ctx(), 'file', ['motd'], { lstrip: 'yes' }), ['hello world']);
  });

  it('reads an absolute path as it is, and gives one text per term', () => {
    assert.deepEqual(runLookup(ctx(), 'file', [tree.path('play/motd'), 'only-here.txt']), ['the playbook dir copy', 'beside the playbook']);
  });

  it('fails on a missing file naming the term, as Ansible words it', () => {
    assert.throws(() => runLookup(ctx(), 'file', ['nope.txt']), { message: 'could not locate file in lookup: nope.txt' });
  });

  it('fails on a directory and on a vault-encrypted file no password opens, naming the path', () => {
    assert.throws(() => runLookup(ctx(), 'file', ['files-dir']), /could not locate file in lookup: files-dir \(.*files-dir is a directory\)/);
    assert.throws(() => runLookup(ctx(), 'file', ['vaulted']), /files\/vaulted: Vault format error/);
    writeFileSync(tree.path('play/files/sealed'), readFileSync(join(repoRoot, 'test/fixtures/vault/files-play/files/secret.txt')));
    assert.throws(() => runLookup(ctx(), 'file', ['sealed']), /files\/sealed: vault-encrypted, and no vault password was given/);
  });

  it('reads a vault-encrypted file decrypted, and its text becomes a secret', () => {
    writeFileSync(tree.path('play/files/sealed'), readFileSync(join(repoRoot, 'test/fixtures/vault/files-play/files/secret.txt')));
    setVaultSecrets([{ id: 'default', password: Buffer.from('fixture-pass-one'), source: 'test' }]);
    const seen: unknown[] = [];
    watchVaultPlaintexts((v) => seen.push(v));
    try {
      assert.deepEqual(runLookup(ctx(), 'file', ['sealed']), ['api-key=Copied-File-Secret-12\nsecond=Copied-Line-Two']);
      assert.deepEqual(seen, ['api-key=Copied-File-Secret-12\nsecond=Copied-Line-Two\n']);
    } finally {
      resetVault();
    }
  });

  it('fails on an unknown option or a bad boolean, naming it', () => {
    assert.throws(() => runLookup(ctx(), 'file', ['motd'], { strip: true }), /lookup plugin 'file' has no option 'strip'; it takes lstrip, rstrip/);
    assert.throws(() => runLookup(ctx(), 'file', ['motd'], { rstrip: 'maybe' }), /option 'rstrip' must be a boolean, not 'maybe'/);
    assert.throws(() => runLookup(ctx(), 'file', [42]), /needs strings, not number 42/);
  });
});

describe('lookup file in a role: the search order of Ansible 2.14', () => {
  // Checked against ansible-playbook -vvvvv: role/files, role, role/tasks/files, role/tasks, play/files, play.
  const order = ['roles/r/files/x', 'roles/r/x', 'roles/r/tasks/files/x', 'roles/r/tasks/x', 'files/x', 'x'];
  let tree: TempTree;
  before(() => {
    tree = makeTree(Object.fromEntries(order.map((p) => [`play/${p}`, p])));
  });
  after(() => tree.remove());

  it('tries the role, its tasks/ and then the playbook, files/ before the dir itself', () => {
    const ctx = lookupContext([tree.path('play/roles/r'), tree.path('play')]);
    for (const expected of order) {
      assert.deepEqual(runLookup(ctx, 'file', ['x']), [expected]);
      rmSync(tree.path('play', expected));
    }
    assert.throws(() => runLookup(ctx, 'file', ['x']), /could not locate file in lookup: x/);
  });

  it("searches the task file's dir when it is given instead of the role's tasks/", () => {
    const t = makeTree({ 'play/roles/r/tasks/x': 'tasks', 'play/inc/x': 'included' });
    try {
      const ctx = { ...lookupContext([t.path('play/roles/r'), t.path('play')]), taskDir: t.path('play/inc') };
      assert.deepEqual(runLookup(ctx, 'file', ['x']), ['included']);
    } finally {
      t.remove();
    }
  });
});

describe('lookup fileglob', () => {
  let tree: TempTree;
  before(() => {
    tree = makeTree({
      'play/files/b.txt': '',
      'play/files/a.txt': '',
      'play/files/.hidden.txt': '',
      'play/files/dir.txt/': '',
      'play/top.conf': '',
      'play/sub/s1.txt': '',
      'play/sub/s2.log': '',
      'play/files/sub/f.txt': '',
    });
  });
  after(() => tree.remove());
  const ctx = (): ReturnType<typeof lookupContext> => lookupContext([tree.path('play')]);

  it("matches files (not directories, not hidden ones) in files/, as absolute paths", () => {
    assert.deepEqual(runLookup(ctx(), 'fileglob', ['*.txt']), [tree.path('play/files/a.txt'), tree.path('play/files/b.txt')]);
    assert.deepEqual(runLookup(ctx(), 'fileglob', ['.*.txt']), [tree.path('play/files/.hidden.txt')]);
  });

  it('globs in the dir itself when files/ has no match, and supports ? and [ ]', () => {
    assert.deepEqual(runLookup(ctx(), 'fileglob', ['t?p.conf']), [tree.path('play/top.conf')]);
    assert.deepEqual(runLookup(ctx(), 'fileglob', ['[!b].txt']), [tree.path('play/files/a.txt')]);
  });

  it('globs in a directory part found through the search path (files/sub before sub)', () => {
    assert.deepEqual(runLookup(ctx(), 'fileglob', ['sub/*']), [tree.path('play/files/sub/f.txt')]);
    assert.deepEqual(runLookup(ctx(), 'fileglob', ['files/*.txt']), [tree.path('play/files/a.txt'), tree.path('play/files/b.txt')]);
    assert.deepEqual(runLookup(ctx(), 'fileglob', [`${tree.path('play/sub')}/*.log`]), [tree.path('play/sub/s2.log')]);
  });

  it('gives [] for no match, and warns about a directory it cannot find', () => {
    const c = ctx();
    assert.deepEqual(runLookup(c, 'fileglob', ['*.nope', 'nodir/*.txt']), []);
    assert.deepEqual(c.warnings, ["fileglob: unable to find 'nodir' in the search path"]);
  });
});
