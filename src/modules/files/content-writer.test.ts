import assert from 'node:assert/strict';
import { describeWrite, planContent, planWrite, type ContentChange, type ContentPlan, type ContentWant } from './content-writer.js';
import { parseMode } from './mode.js';
import type { RemoteFile } from './remote-file.js';
import { absent, directory, regular, symlink } from '../../../test/support/remote-file-state.js';
import { sha256 } from '../../util/text.js';

const SUM = 'a'.repeat(64);
const want = (over: Partial<ContentWant> = {}): ContentWant => ({ sha256: SUM, force: true, makeParent: false, ...over });

interface Case {
  name: string;
  want: ContentWant;
  cur: RemoteFile;
  plan: Partial<ContentPlan> & { kind: ContentPlan['kind'] };
}

const CASES: Case[] = [
  { name: 'creates a missing file with mode 0644 under a 022 umask', want: want(), cur: absent(), plan: { kind: 'change', write: true, mode: 0o644, chown: null, keepOwner: null } },
  { name: 'creates a missing file with the wanted mode and owner', want: want({ mode: parseMode('0600'), owner: 'kvp' }), cur: absent(), plan: { kind: 'change', write: true, mode: 0o600, chown: 'kvp' } },
  { name: 'keeps a file whose sha256 and attributes match', want: want({ mode: parseMode('0644'), owner: 'root' }), cur: regular({ sha256: SUM }), plan: { kind: 'keep', msg: 'up to date' } },
  { name: 'rewrites a file whose content differs, keeping its mode and owner', want: want(), cur: regular({ mode: 0o640, uid: 5, gid: 6 }), plan: { kind: 'change', write: true, mode: 0o640, keepOwner: '5:6', chown: null } },
  { name: 'only chmods when just the mode differs', want: want({ mode: parseMode('0600') }), cur: regular({ sha256: SUM }), plan: { kind: 'change', write: false, mode: 0o600, chown: null, changes: ['mode 0644 → 0600'] } },
  { name: 'only chowns when just the owner differs, keeping the mode', want: want({ owner: 'kvp' }), cur: regular({ sha256: SUM }), plan: { kind: 'change', write: false, mode: 0o644, chown: 'kvp' } },
  { name: 'creates a missing file with 0666 less the host umask', want: want(), cur: absent({ umask: 0o027 }), plan: { kind: 'change', write: true, mode: 0o640 } },
  { name: 'applies a symbolic mode to a new file from 0666 less the umask', want: want({ mode: parseMode('u+x') }), cur: absent({ umask: 0o077 }), plan: { kind: 'change', write: true, mode: 0o700 } },
  { name: 'replaces a symlink not followed like a new file, keeping nothing of its target', want: want(), cur: symlink('/etc/shadow', { umask: 0o022 }), plan: { kind: 'change', write: true, mode: 0o644, keepOwner: null, changes: ['created'] } },
  { name: 'leaves an existing file alone with force: no', want: want({ force: false }), cur: regular(), plan: { kind: 'keep', msg: 'file already exists' } },
  { name: 'still creates a missing file with force: no', want: want({ force: false }), cur: absent(), plan: { kind: 'change', write: true } },
  { name: 'fails on a directory', want: want(), cur: directory(), plan: { kind: 'fail', msg: '/srv/x is a directory' } },
  { name: 'fails when the parent directory is missing', want: want(), cur: absent({ parent: 'absent' }), plan: { kind: 'fail', msg: 'Destination directory /srv does not exist' } },
  { name: 'creates the parent directory when asked (lineinfile create)', want: want({ makeParent: true }), cur: absent({ parent: 'absent' }), plan: { kind: 'change', write: true, makeParent: true } },
];

describe('content plan', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const plan = planContent(c.want, c.cur);
      const picked = Object.fromEntries(Object.keys(c.plan).map((k) => [k, (plan as unknown as Record<string, unknown>)[k]]));
      assert.deepEqual(picked, c.plan);
    });
  }
});

describe('content writer plan', () => {
  const content = Buffer.from('a=1\n');

  it('plans nothing for a file as wanted and reports its attributes', () => {
    const plan = planWrite({ dest: '/srv/x', content }, regular({ sha256: sha256(content), mode: 0o640, size: 4 }));
    assert.ok(!('fail' in plan));
    assert.deepEqual(plan.changes, []);
    assert.equal(plan.okMsg, 'up to date');
    assert.deepEqual(plan.data, {
      dest: '/srv/x',
      checksum: '9dc9cfd3b38b77561ec22b49a723432e26181003',
      sha256: sha256(content),
      size: 4,
      state: 'file',
      mode: '0640',
      owner: 'root',
      group: 'root',
    });
  });

  it('plans one change that writes a new file, described in the imperative', () => {
    const plan = planWrite({ dest: '/srv/x', content, data: { src: 'f' } }, absent());
    assert.ok(!('fail' in plan));
    const [change] = plan.changes as [ContentChange];
    assert.deepEqual([change.write, change.existed, change.words, change.mode], [true, false, ['created'], 0o644]);
    assert.equal(describeWrite(change), 'create /srv/x');
    assert.deepEqual([plan.data?.src, plan.data?.mode], ['f', '0644']);
    assert.equal(plan.diff?.(), '--- before: /srv/x\n+++ after: /srv/x\n@@ -0,0 +1,1 @@\n+a=1\n');
  });

  it('describes a rewrite with an attribute change in one phrase', () => {
    const plan = planWrite({ dest: '/srv/x', content, mode: parseMode('0600') }, regular());
    assert.ok(!('fail' in plan));
    const [change] = plan.changes as [ContentChange];
    assert.equal(describeWrite(change), 'rewrite /srv/x, set mode 0644 → 0600');
    assert.deepEqual([change.words, change.attrsChanged], [['content changed', 'mode 0644 → 0600'], true]);
  });

  it('warns, naming who else can write the directory, and shows no diff of a symlink\'s target', () => {
    const plan = planWrite({ dest: '/srv/x', content }, symlink('/etc/shadow', { dirWritableBy: ['alice', 'everyone'] }));
    assert.ok(!('fail' in plan));
    assert.deepEqual(plan.data?.warnings, ['/srv is writable by alice, everyone (neither root nor the user kvmplay writes as): they can replace /srv/x at any time; kvmplay writes it without following their links']);
    assert.equal(plan.diff?.(), '--- before: /srv/x\n+++ after: /srv/x\n@@ -0,0 +1,1 @@\n+a=1\n');
  });

  it('fails with the result fields when the destination cannot be written', () => {
    const plan = planWrite({ dest: '/srv/x', content }, directory());
    assert.ok('fail' in plan);
    assert.equal(plan.fail, '/srv/x is a directory');
    assert.equal(plan.data?.dest, '/srv/x');
  });
});
