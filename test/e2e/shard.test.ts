// `kvmplay run --shard K/N` and `kvmplay recap merge` end to end, over real SSH to the
// lab: four shards run side by side cover every host once, and their merged recap
// (and exit code) is the one a single run of the same playbook gives.
import assert from 'node:assert/strict';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { type CliResult, explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface HostCounts { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }
interface RecapJson { ok: boolean; hosts: Record<string, HostCounts>; duration_ms: number }
interface TaskEvent { event: string; host: string; task: string; status: string }

// A command, a file written on every host, and one host failing on purpose: the exit
// code to agree on is then 2, not a trivial 0.
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: who
      command: hostname
    - name: folder
      file: { path: "{{ root }}", state: directory, mode: "0755" }
    - name: marker
      copy: { content: "{{ inventory_hostname }}\\n", dest: "{{ root }}/marker" }
    - name: planned failure
      fail: { msg: "this host fails on purpose" }
      when: inventory_hostname == 'lab03'
`;

function taskEvents(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent);
}

describe('kvmplay run --shard K/N and recap merge over real SSH', function () {
  this.timeout(600_000);
  let lab: Lab;
  let labHosts: string[];
  let playbook: string;
  const scratch = scratchDir('shard');
  const root = `/tmp/kvmplay-shard-test-${process.pid}`;
  const hosts = new Map<string, SshHost>();

  /** Remove the test folder on every host, through argv (not through the code under test). */
  const clean = async (): Promise<void> => {
    await Promise.all([...hosts].map(async ([name, h]) => {
      const r = await h.run(['rm', '-rf', '--', root]);
      assert.equal(r.rc, 0, `${name}: rm -rf ${root}: ${r.stderr}`);
    }));
  };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    kvmplay(['run', playbook, '-i', lab.inventory, '-e', `root=${root}`, '--json', ...args], { timeoutMs: 300_000, env: { KVMPLAY_SHARD: '', KVMPLAY_SHARDS: '', ...env } });

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    labHosts = lab.hosts.map((h) => h.name).sort();
    playbook = writeFile(scratch, 'shard.yml', PLAYBOOK);
    const inv = await loadInventory([lab.inventory]);
    for (const name of labHosts) hosts.set(name, new SshHost(connectionFor(inv, name), { acceptNewHostKeys: false, agentSocket: '' }));
    await clean();
  });

  after(async () => {
    await clean().catch(() => undefined);
    await Promise.all([...hosts.values()].map((h) => h.close()));
  });

  it('four shards in parallel cover every host once, and their merged recap and exit code are a single run\'s', async () => {
    assert.ok(labHosts.includes('lab03') && labHosts.length >= 4, `the default lab: ${labHosts.join(', ')}`);
    // Two shards by flag, one by KVMPLAY_SHARD, one as a Kubernetes Indexed Job pod sees it.
    const shards = await Promise.all([
      run(['--shard', '1/4']),
      run(['--shard', '2/4']),
      run([], { KVMPLAY_SHARD: '3/4' }),
      run([], { KVMPLAY_SHARDS: '4', JOB_COMPLETION_INDEX: '3' }),
    ]);
    const recaps = shards.map((r) => lastJsonLine<RecapJson>(r.stdout));
    const seen = new Map<string, number>();
    for (const [i, r] of shards.entries()) {
      const mine = Object.keys(recaps[i]!.hosts);
      assert.equal(r.code, mine.includes('lab03') ? 2 : 0, `shard ${i + 1}/4 (${mine.join(', ')}):\n${explain(r, { tail: true })}`);
      // A shard works only on its own hosts, each task once per host.
      const events = taskEvents(r.stdout);
      assert.deepEqual([...new Set(events.map((e) => e.host))].sort(), mine.sort(), `shard ${i + 1}/4 events`);
      for (const h of mine) assert.equal(events.filter((e) => e.host === h && e.task === 'who').length, 1, `${h} ran hostname once`);
      for (const h of mine) seen.set(h, (seen.get(h) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), labHosts, 'the shards together cover every lab host');
    for (const [h, n] of seen) assert.equal(n, 1, `${h} is in exactly one shard`);
    const sizes = recaps.map((r) => Object.keys(r.hosts).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced shards: ${sizes.join(', ')}`);
    for (const [name, h] of hosts) assert.equal((await h.readFile(`${root}/marker`))?.toString('utf8'), `${name}\n`, `${name}'s marker`);

    const files = shards.map((r, i) => writeFile(scratch, `shard-${i + 1}.json`, r.stdout));
    const merged = await kvmplay(['recap', 'merge', ...files]);
    assert.equal(merged.stdout.trimEnd().split('\n').length, 1, `one JSON line:\n${explain(merged)}`);
    const mergedRecap = lastJsonLine<RecapJson>(merged.stdout);

    // The same playbook unsharded, from the same starting point (no folder, no marker).
    await clean();
    const single = await run([]);
    const singleRecap = lastJsonLine<RecapJson>(single.stdout);
    assert.deepEqual(Object.keys(singleRecap.hosts), labHosts);
    assert.deepEqual(mergedRecap.hosts, singleRecap.hosts);
    assert.equal(mergedRecap.ok, singleRecap.ok);
    assert.equal(mergedRecap.duration_ms, Math.max(...recaps.map((r) => r.duration_ms)));
    assert.equal(single.code, 2, explain(single, { tail: true }));
    assert.equal(merged.code, single.code, explain(merged));

    // Merging one shard twice is refused: the shards overlap.
    const overlap = await kvmplay(['recap', 'merge', files[0]!, ...files]);
    assert.equal(overlap.code, 4, explain(overlap));
    assert.match(overlap.stderr, /the shards overlap/);
  });

  it('--list-hosts shows the slice; more shards than hosts leave some empty, which run nothing and exit 0', async () => {
    const count = labHosts.length + 2;
    const listed = await Promise.all(Array.from({ length: count }, (_, k) => run(['--shard', `${k + 1}/${count}`, '--list-hosts'])));
    const slices = listed.map((r) => {
      assert.equal(r.code, 0, explain(r));
      return [...r.stdout.matchAll(/^ {6}(\S+)$/gm)].map((m) => m[1]!);
    });
    assert.deepEqual(slices.flat().sort(), labHosts);
    assert.deepEqual(slices.map((s) => s.length).sort(), [...labHosts.map(() => 1), 0, 0].sort());
    const empty = slices.findIndex((s) => s.length === 0) + 1;
    const r = await run(['--shard', `${empty}/${count}`]);
    assert.equal(r.code, 0, explain(r));
    assert.deepEqual(JSON.parse(r.stdout.trimEnd()), { ok: true, hosts: {}, duration_ms: lastJsonLine<RecapJson>(r.stdout).duration_ms });
  });

  it('ping --shard takes the same slices of the matched hosts, and their ping recaps merge', async () => {
    const shards = await Promise.all([1, 2, 3].map((k) => kvmplay(['ping', '-i', lab.inventory, '--shard', `${k}/3`, '--json'])));
    for (const r of shards) assert.equal(r.code, 0, explain(r));
    const pinged = shards.flatMap((r) => Object.keys(lastJsonLine<RecapJson>(r.stdout).hosts));
    assert.deepEqual([...pinged].sort(), labHosts);
    const files = shards.map((r, i) => writeFile(scratch, `ping-${i + 1}.json`, r.stdout));
    const merged = await kvmplay(['recap', 'merge', ...files]);
    assert.equal(merged.code, 0, explain(merged));
    assert.deepEqual(Object.keys(lastJsonLine<RecapJson>(merged.stdout).hosts).sort(), labHosts);
  });
});
