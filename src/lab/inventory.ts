// The lab's inventory: Ansible-shaped YAML (SPEC 3), so both kvmplay and
// Ansible can drive the lab. Pure: lab facts in, text out.
import { stringify } from 'yaml';
import { TINY_GUEST_DIR } from './guest-tiny-init.js';
import { REPO_MOUNT } from './paths.js';
import type { HostKind } from './state.js';

export interface InventoryHost {
  name: string;
  address: string;
  netns: string;
  /** The host's kind (`systemd` hosts get their own vars). */
  kind?: HostKind;
}

export interface InventoryInput {
  hosts: readonly InventoryHost[];
  kind: HostKind;
  privateKey: string;
  /** The lab key's public half (one OpenSSH line), for guests' authorized keys. */
  publicKeyLine: string;
  knownHosts: string;
  becomePassword: string;
}

// qemu.conf settings libvirt needs inside lab hosts (LAB-NOTES "libvirt inside a lab
// host"), applied by bootstrap-hypervisor.yaml. Without systemd: domains with a pty
// serial/console fail ("Failed to create PTY") under libvirt's private /dev per
// domain, so no namespaces.
const LAB_QEMU_SETTINGS = { namespaces: [] as string[] };
// systemd-nspawn hosts (LAB-NOTES "Alternatives tried"): the same, and libvirt must
// not try to create cgroups it cannot get inside the container.
const SYSTEMD_QEMU_SETTINGS = { namespaces: [] as string[], cgroup_controllers: [] as string[] };

// libvirt's `default` NAT network as Debian defines it, with the two DHCP fixes a new
// guest needs not to wait (issue 17): no STP on virbr0 (4 s), no ping before a lease (3 s).
const LAB_NAT_NETWORK = {
  name: 'default', bridge: 'virbr0', address: '192.168.122.1', prefix: 24,
  dhcp_start: '192.168.122.2', dhcp_end: '192.168.122.254', stp: false, dhcp_no_ping: true,
};

/** Variables of one host beyond its address: what its kind needs that the group's do not give. */
export function hostVars(h: InventoryHost): Record<string, unknown> {
  const vars: Record<string, unknown> = { ansible_host: h.address, lab_netns: h.netns };
  if (h.kind === 'systemd') {
    vars['lab_kind'] = 'systemd';
    // Host vars replace the group's map as a whole (hash_behaviour=replace): both keys here.
    vars['libvirt_qemu_settings'] = structuredClone(SYSTEMD_QEMU_SETTINGS);
  }
  return vars;
}

export function inventoryText(i: InventoryInput): string {
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const h of i.hosts) hosts[h.name] = hostVars(h);
  const doc = {
    all: {
      children: {
        lab: {
          vars: {
            ansible_user: 'root',
            ansible_ssh_private_key_file: i.privateKey,
            known_hosts: i.knownHosts,
            // For Ansible, which does not read `known_hosts`.
            ansible_ssh_common_args: `-o UserKnownHostsFile=${i.knownHosts} -o StrictHostKeyChecking=yes`,
            ansible_python_interpreter: '/usr/bin/python3',
            // Non-root user `kvp` (same key) has sudo with this password.
            lab_become_user: 'kvp',
            lab_become_password: i.becomePassword,
            lab_kind: i.kind,
            // No /dev/kvm in lab hosts: domains run with software emulation (SPEC 9).
            virt_type: 'qemu',
            libvirt_qemu_settings: structuredClone(LAB_QEMU_SETTINGS),
            libvirt_network_definitions: [structuredClone(LAB_NAT_NETWORK)],
            // The tiny guest (kernel, initrd) in the lab repository every host mounts,
            // and the key its kernel command line gives root (scripts/lab-vms.yaml).
            lab_guest_images: `${REPO_MOUNT}/${TINY_GUEST_DIR}`,
            lab_public_key: i.publicKeyLine,
          },
          hosts,
        },
      },
    },
  };
  return `# Written by \`kvmplay lab up\` (rewritten on every lab up; removed by lab down).\n${stringify(doc, { lineWidth: 0 })}`;
}
