// The lab's inventory: Ansible-shaped YAML (SPEC 3), so both kvmplay and
// Ansible can drive the lab. Pure: lab facts in, text out.
import { stringify } from 'yaml';
import type { HostKind } from './state.js';

export interface InventoryInput {
  hosts: readonly { name: string; address: string; netns: string }[];
  kind: HostKind;
  privateKey: string;
  knownHosts: string;
  becomePassword: string;
}

export function inventoryText(i: InventoryInput): string {
  const hosts: Record<string, { ansible_host: string; lab_netns: string }> = {};
  for (const h of i.hosts) hosts[h.name] = { ansible_host: h.address, lab_netns: h.netns };
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
          },
          hosts,
        },
      },
    },
  };
  return `# Written by \`kvmplay lab up\` (rewritten on every lab up; removed by lab down).\n${stringify(doc, { lineWidth: 0 })}`;
}
