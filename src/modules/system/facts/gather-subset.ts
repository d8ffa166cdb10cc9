// Ansible's `gather_subset` (setup's argument, the play keyword): which of its fact
// collectors run. The names and the rules are ansible-core 2.14's on Linux
// (module_utils/facts/collector.py, get_collector_names): a collector's name, or the
// name of one of its facts (`os_family` selects `distribution`); `all`; `min` (the
// minimal collectors setup always adds); `!name` excludes a subset and, for a
// collector, its facts' names too (`!hardware` drops `processor`); `!all` excludes all
// but the minimal ones, `!all,!min` even those. A name asked for explicitly wins over
// an exclusion. Collectors the chosen ones need (network needs distribution and
// platform) are added. Asking for an unknown name is an error; excluding one is not.
// kvmplay's probe reads everything in one round trip anyway: the subset decides which
// of its facts are returned (ansible-facts.ts says which collector made each fact).

interface CollectorSpec {
  /** Fact names that select this collector too (Ansible's `_fact_ids`). */
  ids?: readonly string[];
  /** Collectors this one needs (Ansible's `required_facts`). */
  requires?: readonly string[];
}

/** Ansible's collectors on Linux (ansible-core 2.14, default_collectors.py). */
const COLLECTORS: Readonly<Record<string, CollectorSpec>> = {
  apparmor: {},
  caps: { ids: ['system_capabilities', 'system_capabilities_enforced'] },
  chroot: { ids: ['is_chroot'] },
  cmdline: {},
  date_time: {},
  distribution: { ids: ['distribution_major_version', 'distribution_release', 'distribution_version', 'os_family'] },
  dns: {},
  env: {},
  facter: { ids: ['facter'] },
  fibre_channel_wwn: {},
  fips: {},
  hardware: { ids: ['devices', 'mounts', 'processor', 'processor_cores', 'processor_count'], requires: ['platform'] },
  iscsi: {},
  loadavg: {},
  local: {},
  lsb: {},
  network: { ids: ['all_ipv4_addresses', 'all_ipv6_addresses', 'default_ipv4', 'default_ipv6', 'interfaces'], requires: ['distribution', 'platform'] },
  nvme: {},
  ohai: {},
  pkg_mgr: { requires: ['distribution'] },
  platform: { ids: ['architecture', 'kernel', 'kernel_version', 'machine', 'machine_id', 'python_version', 'system'] },
  python: {},
  selinux: {},
  service_mgr: { requires: ['distribution', 'platform'] },
  ssh_pub_keys: { ids: ['ssh_host_key_dsa_public', 'ssh_host_key_ecdsa_public', 'ssh_host_key_ed25519_public', 'ssh_host_key_rsa_public', 'ssh_host_pub_keys'] },
  user: { ids: ['effective_group_ids', 'effective_user_id', 'real_user_id', 'user_dir', 'user_gecos', 'user_gid', 'user_id', 'user_shell', 'user_uid'] },
  virtual: { ids: ['virtualization_role', 'virtualization_tech_guest', 'virtualization_tech_host', 'virtualization_type'] },
};

/** setup's minimal_gather_subset: gathered whatever gather_subset says, unless `!min`. */
export const MIN_COLLECTORS: readonly string[] = [
  'apparmor', 'caps', 'cmdline', 'date_time', 'distribution', 'dns', 'env', 'fips', 'local', 'lsb', 'pkg_mgr',
  'platform', 'python', 'selinux', 'service_mgr', 'ssh_pub_keys', 'user',
];

/** Subset name → the collectors it selects (a collector's own name, or one of its facts' names). */
const SELECTS: ReadonlyMap<string, readonly string[]> = (() => {
  const out = new Map<string, string[]>();
  const add = (name: string, collector: string): void => {
    const list = out.get(name) ?? [];
    if (!list.includes(collector)) list.push(collector);
    out.set(name, list);
  };
  for (const [collector, spec] of Object.entries(COLLECTORS)) {
    add(collector, collector);
    for (const id of spec.ids ?? []) add(id, collector);
  }
  return out;
})();

/** Every name gather_subset takes besides `all` and `min` (Ansible's valid subsets). */
export const GATHER_SUBSET_NAMES: readonly string[] = [...SELECTS.keys()].sort();

/** Ansible's message for a subset it does not know. */
export function badSubsetMessage(name: string): string {
  return `Bad subset '${name}' given to Ansible. gather_subset options allowed: all, ${GATHER_SUBSET_NAMES.join(', ')}`;
}

/**
 * gather_subset as written → its names: a list as it is, a string split at commas
 * (as Ansible's `list` type does), each name trimmed; nothing given: `all`.
 */
export function gatherSubsetList(value: string | readonly string[] | undefined): string[] {
  const names = (typeof value === 'string' ? value.split(',') : [...(value ?? [])]).map((s) => s.trim());
  return names.length > 0 ? names : ['all'];
}

/** The first name Ansible would refuse (an unknown subset asked for), or undefined. */
export function unknownSubset(names: readonly string[]): string | undefined {
  return names.find((n) => n !== 'all' && n !== 'min' && !n.startsWith('!') && !SELECTS.has(n));
}

/** The collectors a gather_subset list runs; throws Ansible's message for an unknown name. */
export function gatherCollectors(names: readonly string[]): Set<string> {
  const added = new Set<string>();
  const excluded = new Set<string>();
  const explicit = new Set<string>();
  const valid = [...SELECTS.keys()];
  for (const name of ['min', ...names]) {
    if (name === 'min') MIN_COLLECTORS.forEach((n) => added.add(n));
    else if (name === 'all') valid.forEach((n) => added.add(n));
    else if (name === '!min') MIN_COLLECTORS.forEach((n) => excluded.add(n));
    else if (name === '!all') valid.filter((n) => !MIN_COLLECTORS.includes(n)).forEach((n) => excluded.add(n));
    else if (name.startsWith('!')) {
      const bare = name.slice(1);
      excluded.add(bare);
      // A collector's exclusion takes its facts' names with it (`!hardware` drops `processor`).
      for (const id of COLLECTORS[bare]?.ids ?? []) excluded.add(id);
    } else {
      if (!SELECTS.has(name)) throw new Error(badSubsetMessage(name));
      explicit.add(name);
      added.add(name);
    }
  }
  const collectors = new Set<string>();
  for (const name of added) {
    if (excluded.has(name) && !explicit.has(name)) continue;
    for (const c of SELECTS.get(name) ?? []) collectors.add(c);
  }
  // What the chosen collectors need comes along (until nothing new is needed).
  const pending = [...collectors];
  while (pending.length > 0) {
    for (const need of COLLECTORS[pending.pop()!]?.requires ?? []) {
      if (!collectors.has(need)) {
        collectors.add(need);
        pending.push(need);
      }
    }
  }
  return collectors;
}
