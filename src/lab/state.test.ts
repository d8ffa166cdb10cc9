import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyState, LabState, loadState, StateStore, type HostRecord } from './state.js';

const rec = (index: number): HostRecord => ({
  name: `lab${index}`, index, kind: 'light', address: `10.213.0.${10 + index}`, netns: `kvp-lab${index}`,
  links: [], dir: `/l/${index}`, rootfs: 'r', init: null, unshare: null,
});

describe('lab state', () => {
  let dir = '';
  beforeEach(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'kvp-state-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('has every update on disk once it resolves, even many at once', async () => {
    const file = path.join(dir, 'state.json');
    const store = new StateStore(file, emptyState());
    await Promise.all(Array.from({ length: 300 }, (_, k) => store.setHost(rec(k + 1))));
    const onDisk = await loadState(file);
    assert.equal(onDisk?.hosts.length, 300);
    assert.deepEqual(onDisk?.hosts.map((h) => h.index), Array.from({ length: 300 }, (_, k) => k + 1));
    await store.removeHost('lab7');
    assert.equal((await loadState(file))?.hosts.length, 299);
  });

  it('reads a state written before kernel settings were recorded', async () => {
    const parsed = LabState.parse({ version: 1, switches: ['kvpsw1'], hosts: [] });
    assert.deepEqual(parsed.settings, []);
    const file = path.join(dir, 'state.json');
    await new StateStore(file, parsed).update((s) => void s.settings.push({ key: 'net/ipv4/neigh/default/gc_thresh3', previous: '1024', set: '5024' }));
    assert.match(await readFile(file, 'utf8'), /"previous": "1024"/);
  });
});
