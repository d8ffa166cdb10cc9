import assert from 'node:assert/strict';
import { planContent, type ContentPlan, type ContentWant } from './content-writer.js';
import { parseMode } from './mode.js';
import type { RemoteFile } from './remote-file.js';
import { absent, directory, regular } from '../../../test/support/remote-file-state.js';

const SUM = 'a'.repeat(64);
const want = (over: Partial<ContentWant> = {}): ContentWant => ({ sha256: SUM, force: true, makeParent: false, ...over });

interface Case {
  name: string;
  want: ContentWant;
  cur: RemoteFile;
  plan: Partial<ContentPlan> & { kind: ContentPlan['kind'] };
}

const CASES: Case[] = [
  { name: 'creates a missing file with mode 0644', want: want(), cur: absent(), plan: { kind: 'change', write: true, mode: 0o644, chown: null, keepOwner: null } },
  { name: 'creates a missing file with the wanted mode and owner', want: want({ mode: parseMode('0600'), owner: 'kvp' }), cur: absent(), plan: { kind: 'change', write: true, mode: 0o600, chown: 'kvp' } },
  { name: 'keeps a file whose sha256 and attributes match', want: want({ mode: parseMode('0644'), owner: 'root' }), cur: regular({ sha256: SUM }), plan: { kind: 'keep', msg: 'up to date' } },
  { name: 'rewrites a file whose content differs, keeping its mode and owner', want: want(), cur: regular({ mode: 0o640, uid: 5, gid: 6 }), plan: { kind: 'change', write: true, mode: 0o640, keepOwner: '5:6', chown: null } },
  { name: 'only chmods when just the mode differs', want: want({ mode: parseMode('0600') }), cur: regular({ sha256: SUM }), plan: { kind: 'change', write: false, mode: 0o600, chown: null, changes: ['mode 0644 → 0600'] } },
  { name: 'only chowns when just the owner differs', want: want({ owner: 'kvp' }), cur: regular({ sha256: SUM }), plan: { kind: 'change', write: false, mode: null, chown: 'kvp' } },
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
