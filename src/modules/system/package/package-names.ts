// Distribution names of the KVM stack (SPEC 6): playbooks may name packages the
// way one family does; each host gets its own family's names. Pure and table-tested.

export interface DistroInfo {
  /** Ansible's os_family: `Debian`, `RedHat`, … */
  family: string;
  /** Major release (`9`), '' when unknown. */
  major: string;
  service_mgr: 'systemd' | 'sysv';
}

export interface MappedNames {
  names: string[];
  /** Why a requested name was changed or dropped. */
  notes: string[];
}

// Logical (or other family's) name → Debian names.
const DEBIAN: Readonly<Record<string, readonly string[]>> = {
  'qemu-kvm': ['qemu-system-x86', 'qemu-utils'],
  libvirt: ['libvirt-daemon-system'],
  'libvirt-daemon': ['libvirt-daemon-system'],
  'libvirt-client': ['libvirt-clients'],
  'libvirt-clients': ['libvirt-clients'],
  'virt-install': ['virtinst'],
};

// Logical (or Debian) name → RHEL-family names.
const REDHAT: Readonly<Record<string, readonly string[]>> = {
  'qemu-system-x86': ['qemu-kvm'],
  'qemu-utils': ['qemu-img'],
  'libvirt-daemon-system': ['libvirt'],
  'libvirt-clients': ['libvirt-client'],
  'libvirt-client': ['libvirt-client'],
  virtinst: ['virt-install'],
};

/**
 * `state` matters: on a Debian host without systemd as PID 1, installing
 * libvirt-daemon-system lets apt pick libvirt-daemon-system-systemd, which has no
 * init scripts; libvirt-daemon-system-sysv must be asked for (LAB-NOTES). And
 * dnsmasq-base, which libvirt's NAT networks need. Removing adds nothing.
 */
export function mapPackageNames(requested: readonly string[], d: DistroInfo, state: 'present' | 'absent' | 'latest'): MappedNames {
  const names: string[] = [];
  const notes: string[] = [];
  const add = (n: string): void => {
    if (!names.includes(n)) names.push(n);
  };
  for (const name of requested) {
    if (d.family === 'Debian') {
      const mapped = DEBIAN[name] ?? [name];
      if (mapped.length !== 1 || mapped[0] !== name) notes.push(`${name} → ${mapped.join(' ')}`);
      mapped.forEach(add);
    } else if (d.family === 'RedHat') {
      const major = parseInt(d.major, 10);
      if (name === 'bridge-utils' && major >= 9) {
        notes.push('bridge-utils dropped: not shipped on RHEL 9 and later (use iproute2 / NetworkManager)');
        continue;
      }
      // RHEL 9 ships no genisoimage; xorriso makes the same ISOs (cloud_init_seed uses either).
      if (name === 'genisoimage' && major >= 9) {
        notes.push('genisoimage → xorriso: RHEL 9 and later ship xorriso instead');
        add('xorriso');
        continue;
      }
      const mapped = REDHAT[name] ?? [name];
      if (mapped.length !== 1 || mapped[0] !== name) notes.push(`${name} → ${mapped.join(' ')}`);
      mapped.forEach(add);
    } else add(name);
  }
  if (d.family === 'Debian' && state !== 'absent' && names.includes('libvirt-daemon-system')) {
    if (d.service_mgr === 'sysv') {
      add('libvirt-daemon-system-sysv');
      notes.push('libvirt-daemon-system-sysv added: no systemd as PID 1, libvirt needs its init scripts');
    }
    // Only recommended by Debian's libvirt: an install without recommends would
    // leave NAT networks (libvirt's `default`) unable to start.
    if (!names.includes('dnsmasq-base')) {
      add('dnsmasq-base');
      notes.push('dnsmasq-base added: libvirt NAT networks need it');
    }
  }
  return { names, notes };
}
