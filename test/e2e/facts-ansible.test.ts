// kvmplay's facts under Ansible's names against Ansible's own `setup` module, both run
// on the same lab host at the same time: lab01 (a regular host, sshd as PID 1) and
// lab04 (systemd-nspawn, systemd as PID 1), then lab01 again with a default route, an
// IPv6 default route, a labelled address and a secondary one added for the test (what
// default_ipv4/6, ipv4_secondaries and alias interfaces are made of; removed after).
// Ansible must be installed (Debian's `ansible` package): without it this fails.
// Every key must be equal, or agree under the documented relaxation (EXPECTED below
// says why for each key of the brief; the checks are RELAXED in ansible-compare.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ansibleFactsOf } from '../../src/modules/system/facts/facts-parse.js';
import { probeHostFacts } from '../../src/modules/system/facts/facts.js';
import { compareWithAnsible, deprefixed, NOT_GATHERED, RELAXED, type Comparison } from '../../src/modules/system/facts/ansible-compare.js';
import type { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { useSshTestbed } from '../support/ssh-testbed.js';

/**
 * The facts kvmplay must give as Ansible does: `equal`, or why they cannot be and what
 * is compared instead (the check itself is RELAXED[key] in ansible-compare.ts). Every
 * other key either side has is compared too: equal, relaxed or NOT_GATHERED.
 */
const EXPECTED: Readonly<Record<string, 'equal' | 'relaxed'>> = {
  hostname: 'equal', nodename: 'equal', fqdn: 'equal', domain: 'equal',
  distribution: 'equal', distribution_version: 'equal', distribution_major_version: 'equal', distribution_release: 'equal',
  os_family: 'equal', system: 'equal', kernel: 'equal', kernel_version: 'equal', architecture: 'equal', machine: 'equal',
  userspace_bits: 'equal', processor_count: 'equal', processor_cores: 'equal', processor_vcpus: 'equal', processor: 'equal',
  memtotal_mb: 'equal', swaptotal_mb: 'equal',
  // Free memory changes between the two runs (other processes): within 1 GiB.
  memfree_mb: 'relaxed',
  service_mgr: 'equal', pkg_mgr: 'equal', virtualization_type: 'equal', virtualization_role: 'equal',
  // Ansible serializes the interface names through a set: their order is random per run
  // (hash randomization); kvmplay gives /sys/class/net's order. Same names.
  interfaces: 'relaxed',
  default_ipv4: 'equal', default_ipv6: 'equal', all_ipv4_addresses: 'equal', all_ipv6_addresses: 'equal', dns: 'equal',
  // Taken seconds apart: same keys, each value in Ansible's format, same zone, epochs within the runs' distance.
  date_time: 'relaxed',
  // The SSH session's own variables differ per connection and client: SSH_CLIENT/SSH_CONNECTION
  // (client port), SSH_TTY and TERM (Ansible asks for a pty), LANG/LC_* (OpenSSH's client sends
  // the controller's locale, kvmplay's does not), `_` (Ansible runs /bin/sh, the probe `sh`). The rest equal.
  env: 'relaxed',
  user_id: 'equal', machine_id: 'equal', selinux: 'equal',
};

/** TEST-NET-1 and an unused gateway: nothing is routed anywhere (no packet is sent; `ip route get` is a lookup). */
const EXTRA_NET = { labelled: '192.0.2.11/24', secondary: '192.0.2.12/24', gw4: '10.213.0.254', gw6: 'fe80::254' };

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        const why = err.code === 'ENOENT' ? 'Ansible is required for this test (Debian package "ansible")' : err.killed ? 'timed out' : err.message;
        reject(new Error(`${cmd} ${args.join(' ')}: ${why}\n${stdout}\n${stderr}`, { cause: err }));
        return;
      }
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

async function remote(host: SshHost, script: string): Promise<string> {
  const r = await host.run(['sh', '-c', script], { timeoutMs: 60_000 });
  assert.equal(r.rc, 0, `${host.name}: ${script}\n${r.stderr}`);
  return r.stdout;
}

describe('facts under Ansible\'s names, against Ansible\'s setup module on lab hosts', function () {
  this.timeout(600_000);
  const bed = useSshTestbed('kvmplay-facts-ansible-');

  /** `ansible HOST -m setup --tree DIR` with a small INI inventory made from the lab's settings. */
  async function ansibleSetup(name: string): Promise<Record<string, unknown>> {
    const dir = mkdtempSync(join(bed.scratch, `ansible-${name}-`));
    const labDir = bed.lab.labDir;
    const inventory = join(dir, 'hosts.ini');
    writeFileSync(inventory, [
      '[lab]',
      `${name} ansible_host=${bed.addressOf(name)}`,
      '[lab:vars]',
      'ansible_user=root',
      `ansible_ssh_private_key_file=${join(labDir, 'id_ed25519')}`,
      `ansible_ssh_common_args='-o UserKnownHostsFile=${join(labDir, 'known_hosts')} -o StrictHostKeyChecking=yes'`,
      'ansible_python_interpreter=/usr/bin/python3',
      '',
    ].join('\n'));
    const config = join(dir, 'ansible.cfg');
    writeFileSync(config, '[defaults]\n');
    const env = {
      ...process.env,
      ANSIBLE_CONFIG: config,
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
      // No ControlMaster: no ssh process of Ansible's outlives the test.
      ANSIBLE_SSH_ARGS: '-o ControlMaster=no',
    };
    const tree = join(dir, 'tree');
    const r = await run('ansible', ['-i', inventory, name, '-m', 'ansible.builtin.setup', '--tree', tree], env);
    assert.equal(r.code, 0, `ansible -m setup on ${name} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    const result = JSON.parse(readFileSync(join(tree, name), 'utf8')) as { ansible_facts?: Record<string, unknown> };
    assert.ok(result.ansible_facts, `ansible -m setup on ${name} returned no facts`);
    return result.ansible_facts;
  }

  /** Both at once (the relaxed keys move with time), then compared. */
  async function compareOn(name: string): Promise<{ comparison: Comparison; kvmplay: Record<string, unknown>; ansible: Record<string, unknown> }> {
    const host = bed.hostFor(name);
    const started = Date.now();
    const [facts, setup] = await Promise.all([
      probeHostFacts(host, { signal: new AbortController().signal, timeoutMs: 120_000 }),
      ansibleSetup(name),
    ]);
    const seconds = Math.ceil((Date.now() - started) / 1000) + 5;
    const kvmplay = ansibleFactsOf(facts);
    const ansible = deprefixed(setup);
    const comparison = compareWithAnsible(kvmplay, ansible, seconds);
    return { comparison, kvmplay, ansible };
  }

  function assertAgrees(name: string, c: Comparison, kvmplay: Record<string, unknown>): void {
    assert.deepEqual(c.problems, [], `${name}: kvmplay's facts differ from Ansible's`);
    for (const [key, expected] of Object.entries(EXPECTED)) {
      assert.ok(key in kvmplay, `${name}: kvmplay has ${key}`);
      if (expected === 'equal') assert.ok(c.equal.includes(key), `${name}: ${key} is equal to Ansible's`);
      // A relaxed key may also happen to be equal (a set in the same order, the same free memory).
      else assert.ok(RELAXED[key] && (c.relaxed.includes(key) || c.equal.includes(key)), `${name}: ${key} agrees with Ansible's`);
    }
    for (const key of c.relaxed) assert.ok(RELAXED[key], `${key} is relaxed with a reason`);
    for (const key of c.notGathered) assert.ok(NOT_GATHERED.has(key));
    // A summary in the test output: what was equal, what was compared with a reason.
    console.log(`      ${name}: ${c.equal.length} keys equal, relaxed: ${c.relaxed.join(', ') || 'none'}; not gathered: ${c.notGathered.length}`);
  }

  it('gives on lab01 (sshd as PID 1) the facts Ansible gives', async () => {
    const { comparison, kvmplay } = await compareOn('lab01');
    assertAgrees('lab01', comparison, kvmplay);
    assert.equal(kvmplay['service_mgr'], 'sshd'); // Ansible names PID 1
    assert.equal(kvmplay['os_family'], 'Debian');
  });

  it('gives on lab04 (systemd in systemd-nspawn) the facts Ansible gives', async () => {
    const { comparison, kvmplay } = await compareOn('lab04');
    assertAgrees('lab04', comparison, kvmplay);
    assert.equal(kvmplay['service_mgr'], 'systemd');
    assert.equal(kvmplay['virtualization_type'], 'container');
  });

  it('gives default_ipv4/6, alias interfaces and secondary addresses as Ansible does', async () => {
    const name = 'lab01';
    const host = bed.hostFor(name);
    const address = bed.addressOf(name);
    // The device carrying the lab address (em1, or br0 once the site playbook bridged it).
    const dev = (await remote(host, `ip -o -4 addr show | awk '$4 ~ /^${address.replace(/\./g, '\\.')}\\// {print $2; exit}'`)).trim();
    assert.ok(dev, `${name}: the device with ${address}`);
    const setUp = [
      `ip route add default via ${EXTRA_NET.gw4}`,
      `ip -6 route add default via ${EXTRA_NET.gw6} dev ${dev}`,
      `ip addr add ${EXTRA_NET.labelled} dev ${dev} label ${dev}:kvp`,
      `ip addr add ${EXTRA_NET.secondary} dev ${dev}`,
    ];
    const tearDown = [
      `ip addr del ${EXTRA_NET.secondary} dev ${dev}`,
      `ip addr del ${EXTRA_NET.labelled} dev ${dev}`,
      `ip -6 route del default via ${EXTRA_NET.gw6} dev ${dev}`,
      `ip route del default via ${EXTRA_NET.gw4}`,
    ];
    try {
      await remote(host, setUp.join(' && '));
      const { comparison, kvmplay } = await compareOn(name);
      assertAgrees(name, comparison, kvmplay);
      const v4 = kvmplay['default_ipv4'] as Record<string, unknown>;
      assert.deepEqual([v4['interface'], v4['address'], v4['gateway'], v4['netmask'], v4['network'], v4['prefix']],
        [dev, address, EXTRA_NET.gw4, '255.255.255.0', '10.213.0.0', '24']);
      assert.equal((kvmplay['default_ipv6'] as Record<string, unknown>)['gateway'], EXTRA_NET.gw6);
      // The labelled address is an interface of its own (`:` made `_`), the secondary one is its device's.
      assert.ok((kvmplay['interfaces'] as string[]).includes(`${dev}_kvp`));
      assert.equal(((kvmplay[`${dev}_kvp`] as Record<string, unknown>)['ipv4'] as Record<string, unknown>)['address'], '192.0.2.11');
      const secondaries = (kvmplay[dev] as Record<string, unknown>)['ipv4_secondaries'] as Array<Record<string, unknown>>;
      assert.deepEqual(secondaries.map((s) => s['address']), ['192.0.2.12']);
    } finally {
      // Each undone on its own: a step that failed to apply must not keep the others in place.
      for (const step of tearDown) await host.run(['sh', '-c', `${step} 2>/dev/null; true`], { timeoutMs: 60_000 });
    }
    const routes = await remote(host, 'ip route; ip -6 route; ip -o addr');
    assert.doesNotMatch(routes, /default|192\.0\.2\./, `${name} is back as the lab made it`);
  });
});
