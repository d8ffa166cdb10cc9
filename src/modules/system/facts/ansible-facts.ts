// Ansible's facts, as its `setup` module returns them inside `ansible_facts` (names
// without the `ansible_` prefix, `-` in names turned into `_` as Ansible's fact
// namespace does), made from the facts probe's output by a pure function. Which facts:
// the platform, distribution, lsb, selinux, apparmor, chroot, fips, pkg_mgr,
// service_mgr, date_time, env, ssh host keys, user, dns, processor, memory, uptime,
// network and virtualization collectors of ansible-core (module_utils/facts/). Not
// gathered: python (kvmplay needs none on the host), cmdline, loadavg, mounts,
// devices, lvm, dmi and ethtool features, local facts (facts.d).
import { readAnsibleProbe } from './ansible-probe.js';
import { distributionFacts } from './ansible-distribution.js';
import { cpuFacts, memoryFacts, virtualFacts } from './ansible-hardware.js';
import { networkFacts } from './ansible-network.js';
import { dateTimeFacts, dnsFacts, envFacts, miscFacts, pkgMgrFact, platformFacts, selinuxFacts, serviceMgrFact, userFacts } from './ansible-system.js';

/** Ansible's fact dict: `ansible_facts` as a playbook sees it. */
export type AnsibleFacts = Record<string, unknown>;

/** Ansible's facts and, for each, the collector that gives it in Ansible (gather-subset.ts). */
export interface CollectedFacts {
  facts: AnsibleFacts;
  /** Fact name (as in `facts`) → its collector (`platform`, `network`, …; `gather_subset` for the metadata). */
  collectorOf: ReadonlyMap<string, string>;
}

/** The facts probe's sections (splitSections) → Ansible's facts; {} for output without them. */
export function ansibleFacts(sections: ReadonlyMap<string, string>): AnsibleFacts {
  return collectAnsibleFacts(sections).facts;
}

/** The same, with which of Ansible's collectors each fact belongs to (what gather_subset selects by). */
export function collectAnsibleFacts(sections: ReadonlyMap<string, string>): CollectedFacts {
  if (!sections.has('ans')) return { facts: {}, collectorOf: new Map() };
  const p = readAnsibleProbe(sections);
  const platform = platformFacts(p);
  const dist = distributionFacts(p);
  const distribution = String(dist['distribution']);
  const nproc = /^cpus=(\d+)$/m.exec(sections.get('kv') ?? '');
  const { apparmor, fips, lsb, is_chroot: isChroot, uptime_seconds: uptime, ...sshKeys } = miscFacts(p);
  // In Ansible's order of the facts; uptime is the hardware collector's.
  const groups: Array<[string, AnsibleFacts]> = [
    ['platform', platform],
    ['distribution', dist],
    ['lsb', { lsb }],
    ['selinux', selinuxFacts(p)],
    ['apparmor', { apparmor }],
    ['chroot', isChroot === undefined ? {} : { is_chroot: isChroot }],
    ['fips', { fips }],
    ['pkg_mgr', { pkg_mgr: pkgMgrFact(p, { distribution, major: String(dist['distribution_major_version']), osFamily: String(dist['os_family']) }) }],
    ['service_mgr', { service_mgr: serviceMgrFact(p, distribution) }],
    ['date_time', dateTimeFacts(p)],
    ['env', envFacts(p)],
    ['ssh_pub_keys', sshKeys],
    ['user', userFacts(p)],
    ['dns', dnsFacts(p)],
    ['hardware', {
      ...cpuFacts(p, String(platform['architecture']), nproc ? Number(nproc[1]) : undefined),
      ...memoryFacts(p),
      ...(uptime === undefined ? {} : { uptime_seconds: uptime }),
    }],
    ['network', networkFacts(p)],
    ['virtual', virtualFacts(p)],
    // Ansible's CollectorMetaDataCollector; setup sets gather_subset to what it was asked (facts.ts).
    ['gather_subset', { gather_subset: ['all'], module_setup: true }],
  ];
  const facts: AnsibleFacts = {};
  const collectorOf = new Map<string, string>();
  for (const [collector, group] of groups) {
    for (const [k, v] of Object.entries(namespaced(group))) {
      Object.defineProperty(facts, k, { value: v, enumerable: true, writable: true, configurable: true });
      collectorOf.set(k, collector);
    }
  }
  return { facts, collectorOf };
}

/** Ansible's PrefixFactNamespace: `-` in a fact's name becomes `_` (an interface `br-lan` is `br_lan`). */
function namespaced(facts: AnsibleFacts): AnsibleFacts {
  const out: AnsibleFacts = {};
  for (const [k, v] of Object.entries(facts)) {
    Object.defineProperty(out, k.replace(/-/g, '_'), { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The facts a play sees as variables (INJECT_FACTS_AS_VARS): `ansible_<name>` for each,
 * minus what Ansible's clean_facts removes so that a fact never overrides a connection
 * variable (`ansible_host`, `ansible_user`, `ansible_ssh_*` but host keys, `ansible_become_*`,
 * `ansible_*_interpreter` …).
 */
export function ansibleFactVars(facts: AnsibleFacts): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts)) {
    const name = `ansible_${k}`;
    if (isRestrictedFactVar(name)) continue;
    Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// ansible/constants.py: COMMON_CONNECTION_VARS, the names in MAGIC_VARIABLE_MAPPING and
// RESTRICTED_RESULT_KEYS (ansible-core 2.14).
const RESTRICTED = new Set([
  'ansible_connection', 'ansible_host', 'ansible_user', 'ansible_shell_executable', 'ansible_port', 'ansible_pipelining',
  'ansible_password', 'ansible_timeout', 'ansible_shell_type', 'ansible_module_compression', 'ansible_private_key_file',
  'ansible_ssh_host', 'ansible_ssh_user', 'ansible_ssh_pass', 'ansible_ssh_port', 'ansible_ssh_pipelining',
  'ansible_ssh_timeout', 'ansible_ssh_private_key_file', 'ansible_network_os', 'ansible_connection_user',
  'ansible_ssh_executable', 'ansible_ssh_common_args', 'ansible_sftp_extra_args', 'ansible_scp_extra_args',
  'ansible_ssh_extra_args', 'ansible_ssh_transfer_method', 'ansible_docker_extra_args', 'ansible_become',
  'ansible_become_method', 'ansible_become_user', 'ansible_become_password', 'ansible_become_pass',
  'ansible_become_exe', 'ansible_become_flags', 'ansible_rsync_path', 'ansible_playbook_python', 'ansible_facts',
]);
/** Connection plugins whose `ansible_<name>_*` variables a fact may not set (bridges excepted, as in Ansible). */
const CONNECTION_PREFIXES = ['ansible_local_', 'ansible_paramiko_ssh_', 'ansible_psrp_', 'ansible_ssh_', 'ansible_winrm_'];

export function isRestrictedFactVar(name: string): boolean {
  if (name.startsWith('ansible_ssh_host_key_')) return false;
  if (RESTRICTED.has(name) || name.startsWith('ansible_become_') || /^ansible_.*_interpreter$/.test(name)) return true;
  return CONNECTION_PREFIXES.some((p) => name.startsWith(p)) && !name.endsWith('_bridge') && !name.endsWith('_gwbridge');
}
