// setup's `filter` and `gather_subset`, and the play keywords `gather_subset` and
// `gather_timeout`, end to end: the real CLI (`kvmplay run --json`) on lab01 over real
// SSH, and the same playbook run by Ansible's own `ansible-playbook` at the same time
// (Debian's ansible-core: without it this fails, as test/support/ansible.ts says). The
// playbook's debug tasks print which facts each step gave (key lists) and what the host
// knows after filtered setups (merged, not replaced); both tools must print the same,
// but for the facts kvmplay never gathers (NOT_GATHERED) and the prefix Ansible keeps in
// a registered setup result (`ansible_distribution`; kvmplay registers `distribution`).
// Ansible's remote temp folder is one of the test's own on lab01, removed afterwards.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { NOT_GATHERED } from '../../src/modules/system/facts/ansible-compare.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { ansiblePlaybook, ansibleTaskResults, parseAnsibleJson } from '../support/ansible.js';
import { explain, kvmplay, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

const HOST = 'lab01';

const PLAYBOOK = `
- name: minimal facts
  hosts: ${HOST}
  gather_subset: ['!all']
  gather_timeout: 30
  tasks:
    - name: play facts
      debug:
        msg: "{{ ansible_facts | list | sort | join(',') }}"
    - name: no network facts
      debug:
        msg: "{{ ansible_default_ipv4 is defined }} {{ ansible_distribution }} {{ ansible_facts.gather_subset | join(',') }}"

- name: setup arguments
  hosts: ${HOST}
  gather_facts: false
  tasks:
    - name: filtered setup
      setup:
        filter: ['ansible_distribution*']
      register: filtered
    - name: filtered keys
      debug:
        msg: "{{ filtered.ansible_facts | list | sort | join(',') }}"
    - name: merged after the filtered setup
      debug:
        msg: "{{ ansible_default_ipv4 is defined }} {{ ansible_distribution_release }} {{ ansible_facts.gather_subset | join(',') }}"
    - name: another filtered setup
      setup:
        filter: default_ipv4
    - name: merged after another filtered setup
      debug:
        msg: "{{ ansible_default_ipv4 is defined }} {{ ansible_env is defined }} {{ ansible_facts.gather_subset | join(',') }}"
    - name: minimal setup
      setup:
        gather_subset: min
      register: minimal
    - name: minimal keys
      debug:
        msg: "{{ minimal.ansible_facts | list | sort | join(',') }}"
    - name: network setup
      setup:
        gather_subset: ['!all', 'network']
      register: network
    - name: network keys
      debug:
        msg: "{{ network.ansible_facts | list | sort | join(',') }}"
`;

// Line 3: the play keyword; line 7: the setup argument.
const BAD_PLAYBOOK = `- name: bad subsets
  hosts: ${HOST}
  gather_subset: [network, hardwre]
  tasks:
    - name: setup with a typo
      setup:
        gather_subset: "!all,netwrok"
`;

/** The debug tasks whose message is a key list. */
const KEY_LISTS = ['play facts', 'filtered keys', 'minimal keys', 'network keys'];

interface RunEvent { event: string; host: string; task: string; status: string; msg: string }

/** Task name → message of each task on HOST (kvmplay's --json events). */
function kvmplayMessages(stdout: string): Map<string, string> {
  const events = stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as RunEvent);
  return new Map(events.filter((e) => e.event === 'task' && e.host === HOST).map((e) => [e.task, e.msg]));
}

/**
 * A key list as kvmplay gives it: Ansible's registered results keep the `ansible_`
 * prefix (ansible_local keeps it in both); `_ansible_facts_gathered` is Ansible's own
 * bookkeeping (its gather_facts action marks the cache with it), not a fact.
 */
function comparable(list: string): string[] {
  return list.split(',')
    .map((k) => (k.startsWith('ansible_') && k !== 'ansible_local' ? k.slice('ansible_'.length) : k))
    .filter((k) => !k.startsWith('_') && !NOT_GATHERED.has(k))
    .sort();
}

describe('setup filter and gather_subset, and the play\'s gather_subset, against Ansible on a lab host', function () {
  this.timeout(600_000);
  let lab: Lab;
  let dir: string;
  let host: SshHost | undefined;
  const remoteTemp = `/tmp/kvmplay-e2e-setup-subset-${process.pid}`;
  let both: Promise<{ kvmplay: Map<string, string>; ansible: Map<string, string> }> | undefined;

  /** Both tools run the playbook once, at the same time (the facts move: interfaces, time); every test reads the outcome. */
  function runBoth(): Promise<{ kvmplay: Map<string, string>; ansible: Map<string, string> }> {
    both ??= (async () => {
      const playbook = join(dir, 'site.yaml');
      const [k, a] = await Promise.all([
        kvmplay(['run', playbook, '-i', lab.inventory, '--json'], { timeoutMs: 300_000 }),
        ansiblePlaybook(['-i', lab.inventory, playbook], { scratch: join(dir, 'ansible'), remoteTemp, timeoutMs: 300_000 }),
      ]);
      assert.equal(k.code, 0, explain(k));
      assert.equal(a.code, 0, `ansible-playbook exited ${a.code}:\n${a.stdout}\n${a.stderr}`);
      const ansible = new Map(ansibleTaskResults(parseAnsibleJson(a.stdout)).filter((t) => t.host === HOST).map((t) => [t.task, String(t.result['msg'] ?? '')]));
      return { kvmplay: kvmplayMessages(k.stdout), ansible };
    })();
    return both;
  }

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    dir = scratchDir('setup-subset');
    writeFile(dir, 'site.yaml', PLAYBOOK);
    writeFile(dir, 'bad.yaml', BAD_PLAYBOOK);
    const inv = await loadInventory([lab.inventory]);
    host = new SshHost(connectionFor(inv, HOST), { acceptNewHostKeys: false, agentSocket: '' });
  });

  after(async () => {
    if (host) {
      await host.run(['rm', '-rf', '--', remoteTemp]).catch(() => undefined);
      await host.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('registers only the facts that setup\'s filter matches', async () => {
    const { kvmplay: k } = await runBoth();
    const keys = (k.get('filtered keys') ?? '').split(',');
    assert.ok(keys.includes('distribution') && keys.includes('distribution_major_version') && keys.includes('distribution_release'), keys.join(','));
    assert.ok(keys.every((key) => key.startsWith('distribution')), keys.join(','));
  });

  it('gives a play with gather_subset: [\'!all\'] the minimal facts only', async () => {
    const { kvmplay: k } = await runBoth();
    const facts = (k.get('play facts') ?? '').split(',');
    for (const key of ['os_family', 'distribution', 'hostname', 'env', 'user_id', 'pkg_mgr', 'service_mgr', 'date_time', 'gather_subset']) {
      assert.ok(facts.includes(key), `${key} in ${facts.join(',')}`);
    }
    for (const key of ['default_ipv4', 'interfaces', 'processor', 'memtotal_mb', 'virtualization_type', 'is_chroot']) {
      assert.ok(!facts.includes(key), `${key} not in ${facts.join(',')}`);
    }
    assert.equal(k.get('no network facts'), 'False Debian !all');
  });

  it('merges a filtered setup into the host\'s facts instead of replacing them', async () => {
    const { kvmplay: k } = await runBoth();
    // The distribution facts refreshed, the play's minimal ones kept (gather_subset too: the filter did not match it).
    assert.equal(k.get('merged after the filtered setup'), 'False bookworm !all');
    assert.equal(k.get('merged after another filtered setup'), 'True True !all');
  });

  it('gives the keys and merged facts Ansible gives for the same playbook on the same host', async () => {
    const { kvmplay: k, ansible: a } = await runBoth();
    for (const task of KEY_LISTS) {
      const mine = comparable(k.get(task) ?? '');
      assert.ok(mine.length > 0, `${task}: kvmplay printed keys`);
      assert.deepEqual(mine, comparable(a.get(task) ?? ''), `${task}: kvmplay's keys (actual) vs Ansible's (expected)`);
    }
    for (const task of ['no network facts', 'merged after the filtered setup', 'merged after another filtered setup']) {
      assert.equal(k.get(task), a.get(task), task);
    }
  });

  it('refuses an unknown subset in a play or a setup task: exit 4, file:line:col and Ansible\'s list of names', async () => {
    const bad = join(dir, 'bad.yaml');
    const r = await kvmplay(['run', bad, '-i', lab.inventory]);
    assert.equal(r.code, 4, explain(r));
    assert.ok(r.stderr.includes(`${bad}:3:28: "gather_subset[1]" names an unknown subset: Bad subset 'hardwre' given to Ansible. gather_subset options allowed: all, all_ipv4_addresses,`), explain(r));
    assert.ok(r.stderr.includes(`${bad}:7:24: argument "gather_subset" of facts: Bad subset 'netwrok' given to Ansible.`), explain(r));
    assert.match(r.stderr, /options allowed: all, .*\bnetwork\b.*\bvirtualization_type$/m);
    assert.equal(r.stdout, '', 'nothing ran');
  });
});
