import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCgroups, removeHostCgroups } from './cgroups.js';

describe('lab host cgroups', () => {
  let root = '';
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'kvmplay-cgroups-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes a host\'s cgroup trees deepest first, and kvmplay-lab once no host is left', async () => {
    const hierarchies = [join(root, 'systemd'), join(root, 'unified')];
    for (const h of hierarchies) {
      for (const host of ['lab04', 'lab05']) mkdirSync(join(h, 'kvmplay-lab', host, 'payload', 'system.slice', 'ssh.service'), { recursive: true });
      mkdirSync(join(h, 'kvmplay-lab', 'lab04', 'supervisor'));
    }
    assert.deepEqual(hostCgroups('lab04', hierarchies), hierarchies.map((h) => join(h, 'kvmplay-lab', 'lab04')));
    await removeHostCgroups('lab04', hierarchies);
    for (const h of hierarchies) {
      assert.equal(existsSync(join(h, 'kvmplay-lab', 'lab04')), false);
      assert.equal(existsSync(join(h, 'kvmplay-lab', 'lab05', 'payload', 'system.slice', 'ssh.service')), true, 'the other host keeps its own');
    }
    await removeHostCgroups('lab05', hierarchies);
    for (const h of hierarchies) assert.equal(existsSync(join(h, 'kvmplay-lab')), false);
    await removeHostCgroups('lab05', hierarchies); // gone already: nothing to do
  });

  it('fails on what it cannot remove instead of leaving it silently', async () => {
    const h = join(root, 'systemd');
    mkdirSync(join(h, 'kvmplay-lab', 'lab04'), { recursive: true });
    writeFileSync(join(h, 'kvmplay-lab', 'lab04', 'not-a-cgroup-file'), 'x');
    await assert.rejects(removeHostCgroups('lab04', [h]), /ENOTEMPTY/);
  });
});
