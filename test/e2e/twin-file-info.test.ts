// stat, slurp, find, tempfile and fetch against Ansible on one lab host (different roots,
// both tools at once). What each registered, written under the root by the playbook, is
// part of the compared state; so are the files fetch wrote on the control machine, under
// a scratch folder per tool.
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { TwinLab } from '../support/twin.js';

const playbook = join(repoRoot, 'test', 'fixtures', 'twin-modules', 'file-info', 'file-info.yaml');

/** Every entry under `dir` on this machine: path, type, mode, sha256 or link target; `root` replaced by ROOT. */
function localTree(dir: string, root: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p).split(root.slice(1)).join('ROOT');
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out.push(`${rel} d ${mode}`);
        walk(p);
      } else if (st.isSymbolicLink()) out.push(`${rel} l -> ${readlinkSync(p)}`);
      else out.push(`${rel} f ${mode} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out.sort().map((l) => `${l}\n`).join('');
}

describe('stat, slurp, find, tempfile and fetch against ansible-playbook', function () {
  let lab: TwinLab;
  let local = '';
  before(async () => {
    lab = await TwinLab.open('file-info');
    local = mkdtempSync(join(tmpdir(), 'kvmplay-twin-file-info-local-'));
  });
  after(async () => {
    await lab.close();
    rmSync(local, { recursive: true, force: true });
  });

  it('registers and fetches what Ansible does, and changes nothing in check mode', async () => {
    const state = async (host: string, root: string): Promise<string> => {
      const mine = join(local, basename(root));
      const out = await lab.sh(host, 'cd "$1" 2>/dev/null || exit 0; for f in out/*.txt; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done; :', root);
      return `${await lab.fileTree(host, root)}${out}--- fetched\n${localTree(mine, root)}--- flat\n${localTree(`${mine}-flat`, root)}`;
    };
    const r = await lab.twin({ playbook, ansibleHost: 'lab01', kvmplayHost: 'lab01', state, extraVars: { local } });
    assert.deepEqual(r.problems, []);
    // The playbook did what it is about: files fetched, finds matched, a failure where Ansible fails.
    assert.ok(r.outcomes.includes('fetch a file under dest/host/path: changed'), r.outcomes.join('\n'));
    assert.ok(r.outcomes.includes('slurp a directory: failed'), r.outcomes.join('\n'));
    assert.ok(r.outcomes.includes('make a temporary file: changed'), r.outcomes.join('\n'));
    const fetched = readdirSync(local).sort();
    assert.deepEqual(fetched.map((n) => n.replace(/^\d+-/, '')), ['ansible', 'ansible-flat', 'kvmplay', 'kvmplay-flat']);
    const flat = join(local, fetched[3]!);
    assert.deepEqual([...readFileSync(join(flat, 'bin.copy')).subarray(0, 2)], [0xff, 0xfe]);
    // Without become a new file gets the remote mode (4750 → 0750 less the umask), as sftp
    // makes it; with become 0666 less the umask, as Ansible's open() of slurp's bytes.
    const mode = (f: string): number => lstatSync(join(flat, f)).mode & 0o777;
    assert.equal(mode('c.txt') & 0o007, 0);
    assert.notEqual(mode('c.txt'), mode('become.txt'));
  });
});
