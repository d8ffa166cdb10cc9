import assert from 'node:assert/strict';
import { planFile, recursiveModeArg, type FileChange, type FileExtra, type FileWant, type TreeEntry } from './file-plan.js';
import { parseMode } from '../mode.js';
import type { RemoteFile } from '../remote-file.js';
import { absent, directory, regular, symlink } from '../../../../test/support/remote-file-state.js';

const want = (over: Partial<FileWant>): FileWant => ({ path: '/srv/x', recurse: false, force: false, ...over });

interface Case {
  name: string;
  want: Partial<FileWant>;
  cur: RemoteFile;
  tree?: TreeEntry[];
  extra?: FileExtra;
  changes?: FileChange[];
  fail?: RegExp;
}

const NOW = { atime: 'now', mtime: 'now' } as const;

const entry = (over: Partial<TreeEntry>): TreeEntry => ({ mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', kind: 'file', ...over });

const CASES: Case[] = [
  { name: 'creates a missing directory', want: { state: 'directory' }, cur: absent(), changes: [{ kind: 'mkdir' }] },
  { name: 'creates a directory with its mode and owner', want: { state: 'directory', mode: parseMode('0750'), owner: 'kvp' }, cur: absent(), changes: [{ kind: 'mkdir' }, { kind: 'chmod', mode: 0o750 }, { kind: 'chown', spec: 'kvp', noFollow: false }] },
  { name: 'leaves a directory that is as wanted', want: { state: 'directory', mode: parseMode('0755'), owner: 'root', group: '0' }, cur: directory(), changes: [] },
  { name: 'only fixes the mode of an existing directory', want: { state: 'directory', mode: parseMode('0700') }, cur: directory(), changes: [{ kind: 'chmod', mode: 0o700 }] },
  { name: 'refuses a directory where a file is', want: { state: 'directory' }, cur: regular(), fail: /already exists as a file/ },
  { name: 'removes an existing file for absent', want: { state: 'absent' }, cur: regular(), changes: [{ kind: 'remove' }] },
  { name: 'removes a directory for absent', want: { state: 'absent' }, cur: directory(), changes: [{ kind: 'remove' }] },
  { name: 'does nothing for absent when nothing is there', want: { state: 'absent' }, cur: absent(), changes: [] },
  { name: 'fails for state file when the file is absent', want: { state: 'file' }, cur: absent(), fail: /is absent, cannot continue/ },
  { name: 'fixes owner and group of a file by name', want: { state: 'file', owner: 'kvp', group: 'kvp' }, cur: regular(), changes: [{ kind: 'chown', spec: 'kvp:kvp', noFollow: false }] },
  { name: 'accepts a numeric owner equal to the current uid', want: { state: 'file', owner: '0' }, cur: regular(), changes: [] },
  { name: 'only changes the group when only the group differs', want: { group: 'kvp' }, cur: regular(), changes: [{ kind: 'chown', spec: ':kvp', noFollow: false }] },
  { name: 'applies a symbolic mode to the current mode', want: { mode: parseMode('u+x') }, cur: regular(), changes: [{ kind: 'chmod', mode: 0o744 }] },
  { name: 'takes the existing kind when no state is given', want: { mode: parseMode('0700') }, cur: directory({ mode: 0o700 }), changes: [] },
  { name: 'touches a missing file into existence', want: { state: 'touch' }, cur: absent(), changes: [{ kind: 'touch' }] },
  { name: 'touches a new file and gives it its mode', want: { state: 'touch', mode: parseMode('0600') }, cur: absent(), changes: [{ kind: 'touch' }, { kind: 'chmod', mode: 0o600 }] },
  { name: 'touches an existing file again (always changed, as in Ansible)', want: { state: 'touch', times: NOW }, cur: regular(), changes: [{ kind: 'times', atime: 'now', mtime: 'now' }] },
  { name: 'touches a new file once: creating it sets the times', want: { state: 'touch', times: NOW }, cur: absent(), changes: [{ kind: 'touch' }] },
  { name: 'leaves an existing file alone when touched with both times preserved', want: { state: 'touch' }, cur: regular(), changes: [] },
  { name: 'sets given times only when they differ', want: { state: 'file', times: { atime: null, mtime: 1700000000 } }, cur: regular(), extra: { times: { atime: '1.5', mtime: '1700000000.000000000' } }, changes: [] },
  { name: 'sets a given time over one with a fraction of a second', want: { state: 'file', times: { atime: 1700000000, mtime: null } }, cur: regular(), extra: { times: { atime: '1700000000.250000000', mtime: '9' } }, changes: [{ kind: 'times', atime: 1700000000, mtime: null }] },
  { name: 'cannot touch in a missing directory', want: { state: 'touch' }, cur: absent({ parent: 'absent' }), fail: /No such file or directory/ },
  { name: 'creates a hard link to src', want: { state: 'hard', src: '/srv/a' }, cur: absent(), extra: { hard: { pathId: null, pathLinks: 0, srcId: '1:2' } }, changes: [{ kind: 'hardlink', src: '/srv/a', replace: false }] },
  { name: 'leaves a hard link to the same inode', want: { state: 'hard', src: '/srv/a' }, cur: regular(), extra: { hard: { pathId: '1:2', pathLinks: 2, srcId: '1:2' } }, changes: [] },
  { name: 'refuses to replace another hard link without force', want: { state: 'hard', src: '/srv/a' }, cur: regular(), extra: { hard: { pathId: '1:3', pathLinks: 2, srcId: '1:2' } }, fail: /^Cannot link, different hard link exists at destination$/ },
  { name: 'replaces a file by a hard link with force', want: { state: 'hard', src: '/srv/a', force: true }, cur: regular(), extra: { hard: { pathId: '1:3', pathLinks: 1, srcId: '1:2' } }, changes: [{ kind: 'hardlink', src: '/srv/a', replace: true }] },
  { name: 'refuses a hard link to a missing src', want: { state: 'hard', src: '/srv/a' }, cur: absent(), extra: { hard: { pathId: null, pathLinks: 0, srcId: null } }, fail: /^src does not exist$/ },
  { name: 'keeps a symlink that already reads as src (as Ansible)', want: { state: 'hard', src: '/srv/a' }, cur: symlink('/srv/a'), extra: { hard: { pathId: '1:9', pathLinks: 1, srcId: '1:2' } }, changes: [] },
  { name: 'creates a missing link', want: { state: 'link', src: '/etc/hosts' }, cur: absent({ otherExists: true }), changes: [{ kind: 'symlink', src: '/etc/hosts', replace: 'none' }] },
  { name: 'leaves a link that points where wanted', want: { state: 'link', src: '/etc/hosts' }, cur: symlink('/etc/hosts', { otherExists: true }), changes: [] },
  { name: 'repoints a link to another target', want: { state: 'link', src: '/etc/hosts' }, cur: symlink('/etc/passwd', { otherExists: true }), changes: [{ kind: 'symlink', src: '/etc/hosts', replace: 'link-or-file' }] },
  { name: 'refuses a link to a missing src without force', want: { state: 'link', src: 'nope' }, cur: absent({ otherExists: false }), fail: /src file does not exist.*\/srv\/nope/ },
  { name: 'creates a link to a missing src with force', want: { state: 'link', src: 'nope', force: true }, cur: absent({ otherExists: false }), changes: [{ kind: 'symlink', src: 'nope', replace: 'none' }] },
  { name: 'refuses to turn a file into a link without force', want: { state: 'link', src: '/etc/hosts' }, cur: regular({ otherExists: true }), fail: /refusing to convert from file to symlink/ },
  { name: 'turns a file into a link with force', want: { state: 'link', src: '/etc/hosts', force: true }, cur: regular({ otherExists: true }), changes: [{ kind: 'symlink', src: '/etc/hosts', replace: 'link-or-file' }] },
  { name: 'turns an (empty) directory into a link with force', want: { state: 'link', src: '/etc', force: true }, cur: directory({ otherExists: true }), changes: [{ kind: 'symlink', src: '/etc', replace: 'empty-directory' }] },
  { name: 'chowns a link itself, never its target', want: { state: 'link', src: '/etc/hosts', owner: 'kvp', mode: parseMode('0600') }, cur: symlink('/etc/hosts', { otherExists: true }), changes: [{ kind: 'chown', spec: 'kvp', noFollow: true }] },
  {
    name: 'changes modes recursively when an entry below differs',
    want: { state: 'directory', recurse: true, mode: parseMode('u=rwX,g=rX,o=') },
    cur: directory({ mode: 0o750 }),
    tree: [entry({ mode: 0o640 }), entry({ kind: 'directory', mode: 0o700 })],
    changes: [{ kind: 'chmod-recursive', mode: 'u=rwX,g=rX,o=' }],
  },
  {
    name: 'leaves a tree alone when every entry is as wanted',
    want: { state: 'directory', recurse: true, mode: parseMode('u=rwX,g=rX,o='), owner: 'root' },
    cur: directory({ mode: 0o750 }),
    tree: [entry({ mode: 0o640 }), entry({ kind: 'directory', mode: 0o750 }), entry({ kind: 'link', mode: 0o777 })],
    changes: [],
  },
  {
    name: 'chowns recursively when an entry below has another owner',
    want: { state: 'directory', recurse: true, owner: 'kvp', group: 'kvp' },
    cur: directory({ owner: 'kvp', uid: 1000, group: 'kvp', gid: 1000 }),
    tree: [entry({ owner: 'root' })],
    changes: [{ kind: 'chown-recursive', spec: 'kvp:kvp' }],
  },
];

describe('file plan', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const plan = planFile(want(c.want), c.cur, c.tree ?? [], c.extra ?? {});
      if (c.fail) {
        assert.equal(plan.kind, 'fail');
        assert.match(plan.kind === 'fail' ? plan.msg : '', c.fail);
      } else {
        assert.equal(plan.kind, 'plan', plan.kind === 'fail' ? plan.msg : '');
        assert.deepEqual(plan.kind === 'plan' ? plan.changes : [], c.changes);
      }
    });
  }

  it('gives chmod -R an explicit "a" for clauses without who (no umask, as Ansible)', () => {
    assert.equal(recursiveModeArg(parseMode('+x,g-w')), 'a+x,g-w');
    assert.equal(recursiveModeArg(parseMode('0750')), '0750');
  });
});
