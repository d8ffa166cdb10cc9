// add_host and group_by end to end: the real CLI (`kvmplay run --json`), real SSH to the
// shared lab. Play 1 adds two lab hosts under new names (their address, user, key and
// known_hosts from the lab inventory's variables) to a new group and sorts the lab
// hosts by their `lab_kind` variable; the later plays target those groups and run
// commands there over SSH. Each run works under its own folder, removed afterwards.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { type CliResult, explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface HostCounts { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }
interface RecapJson { ok: boolean; hosts: Record<string, HostCounts> }
interface RunEvent { event: string; host: string; task: string; status: string; changed: boolean; msg: string; items?: Array<{ item: string; status: string }> }

const PLAY_HOSTS = ['lab01', 'lab02', 'lab03', 'lab04'];

// `alias_of` is read through hostvars: the validation's undefined-variable check does
// not know add_host's variables (src/playbook/variables.ts counts set_fact's only).
const PLAYBOOK = `
- name: change the inventory
  hosts: ${PLAY_HOSTS.join(':')}
  gather_facts: false
  tasks:
    - name: add lab hosts under new names
      add_host:
        name: "alias-{{ item }}"
        groups: [dyn_lab]
        ansible_host: "{{ hostvars[item].ansible_host }}"
        ansible_user: "{{ hostvars[item].ansible_user }}"
        ansible_ssh_private_key_file: "{{ hostvars[item].ansible_ssh_private_key_file }}"
        known_hosts: "{{ hostvars[item].known_hosts }}"
        alias_of: "{{ item }}"
      loop: [lab01, lab02]
    - name: sort by kind
      group_by:
        key: "kind_{{ lab_kind }}"
        parents: lab_kinds

- name: on the added hosts
  hosts: dyn_lab
  gather_facts: false
  tasks:
    - name: mark the machine
      command:
        argv: [sh, -c, 'mkdir -p "$1" && printf "%s\\n" "$2" > "$1/alias"', sh, "{{ root }}", "{{ inventory_hostname }} {{ hostvars[inventory_hostname].alias_of }} {{ greeting }} {{ groups.dyn_lab | join(',') }}"]

- name: on the sorted hosts
  hosts: lab_kinds
  gather_facts: false
  tasks:
    - name: record the groups
      command:
        argv: [sh, -c, 'mkdir -p "$1" && printf "%s\\n" "$2" > "$1/kind"', sh, "{{ root }}", "{{ group_names | join(',') }}"]

- name: on the systemd kind only
  hosts: kind_systemd
  gather_facts: false
  tasks:
    - name: systemd only
      command: "true"
`;

function events(stdout: string): RunEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as RunEvent);
}

describe('add_host and group_by over real SSH', function () {
  this.timeout(600_000);
  let lab: Lab;
  let playbook: string;
  let dir: string;
  const root = `/srv/kvmplay-e2e-inv-${process.pid}`;
  const hosts = new Map<string, SshHost>();

  const read = async (host: string, path: string): Promise<string | undefined> => (await hosts.get(host)!.readFile(path))?.toString('utf8');
  const run = (...args: string[]): Promise<CliResult> =>
    kvmplay(['run', playbook, '-i', lab.inventory, '-e', `root=${root}`, '--json', ...args], { timeoutMs: 300_000 });

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    dir = scratchDir('inventory-changes');
    playbook = writeFile(dir, 'site.yaml', PLAYBOOK);
    // group_vars beside the playbook, for the group add_host makes.
    mkdirSync(join(dir, 'group_vars'));
    writeFile(join(dir, 'group_vars'), 'dyn_lab.yaml', 'greeting: hello-from-group-vars\n');
    const inv = await loadInventory([lab.inventory]);
    for (const name of PLAY_HOSTS) hosts.set(name, new SshHost(connectionFor(inv, name), { acceptNewHostKeys: false, agentSocket: '' }));
  });

  after(async () => {
    for (const h of hosts.values()) await h.run(['rm', '-rf', '--', root]).catch(() => undefined);
    await Promise.all([...hosts.values()].map((h) => h.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the added hosts and the group_by groups in later plays', async () => {
    const r = await run();
    assert.equal(r.code, 0, explain(r));
    const evs = events(r.stdout);
    // add_host ran once for the play (one host, each item once), not once per host.
    const added = evs.filter((e) => e.event === 'task' && e.task === 'add lab hosts under new names');
    assert.equal(added.length, 1, explain(r));
    assert.equal(added[0]!.status, 'changed');
    assert.deepEqual(added[0]!.items?.map((i) => `${i.item}=${i.status}`), ['lab01=changed', 'lab02=changed']);
    assert.deepEqual(evs.filter((e) => e.event === 'task' && e.task === 'sort by kind').map((e) => `${e.host}=${e.status}`).sort(),
      PLAY_HOSTS.map((h) => `${h}=changed`));

    // The added names ran their command over SSH on the machines they stand for.
    assert.equal(await read('lab01', `${root}/alias`), 'alias-lab01 lab01 hello-from-group-vars alias-lab01,alias-lab02\n');
    assert.equal(await read('lab02', `${root}/alias`), 'alias-lab02 lab02 hello-from-group-vars alias-lab01,alias-lab02\n');
    assert.equal(await read('lab03', `${root}/alias`), undefined);

    // group_by sorted the hosts by lab_kind, under the parent group.
    for (const h of ['lab01', 'lab02', 'lab03']) assert.equal(await read(h, `${root}/kind`), 'kind_regular,lab,lab_kinds\n', h);
    assert.equal(await read('lab04', `${root}/kind`), 'kind_systemd,lab,lab_kinds\n');
    assert.deepEqual(evs.filter((e) => e.event === 'task' && e.task === 'systemd only').map((e) => e.host), ['lab04']);

    const recap = lastJsonLine<RecapJson>(r.stdout);
    assert.equal(recap.ok, true);
    for (const h of ['alias-lab01', 'alias-lab02']) assert.deepEqual(recap.hosts[h], { ok: 1, changed: 1, failed: 0, skipped: 0, unreachable: false }, h);
  });

  it('adds the hosts in --check mode too, where the commands are only reported', async () => {
    const r = await run('--check');
    assert.equal(r.code, 0, explain(r));
    const recap = lastJsonLine<RecapJson>(r.stdout);
    for (const h of ['alias-lab01', 'alias-lab02']) assert.equal(recap.hosts[h]?.unreachable, false, h);
    const marks = events(r.stdout).filter((e) => e.event === 'task' && e.task === 'mark the machine');
    assert.deepEqual(marks.map((e) => e.host).sort(), ['alias-lab01', 'alias-lab02']);
    assert.equal(await read('lab01', `${root}/alias`), 'alias-lab01 lab01 hello-from-group-vars alias-lab01,alias-lab02\n');
  });
});
