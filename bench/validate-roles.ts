// The "role-heavy" project of bench/validate.ts: about 1,000 tasks shaped as real KVM
// projects are, most of them in roles. Ten roles (common, kvm_host, libvirt, bridge,
// storage, vm, firewall, users, monitoring, backup), each with defaults/, vars/,
// tasks/main.yml importing 3–6 task files (one include_tasks), handlers/ with `listen`,
// Jinja templates/ ({% for %}, {% if %}, filters) and meta/ dependencies between some
// (libvirt → kvm_host, bridge → kvm_host, vm → libvirt, monitoring → users, backup →
// storage with the parameters the play already used: it runs once). site.yaml has
// pre_tasks, roles (some with parameters, storage twice with different ones), tasks
// with a block/rescue/always, post_tasks and handlers. Tasks use kvmplay's modules with
// Jinja in arguments and `when`. The project is valid Ansible too: ansible-playbook
// 2.14's --syntax-check passes on it (given stub modules for kvmplay's own virsh,
// libvirt_domain, libvirt_network, disk_image); its --list-tasks gives the same tasks
// once the role runs Ansible skips at run time (already run with those parameters) are
// left out, the rescue/always tasks it does not list added and the include expanded.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What the generator wrote, for the report and the task-count check. */
export interface RoleSet {
  playbook: string;
  inventory: string;
  /** Tasks the loaded play holds: a role used twice counts twice, a deduplicated dependency once. */
  tasks: number;
  /** Task entries written in files (block/rescue/always tasks included, imports and blocks not). */
  written: number;
  /** Of `tasks`, those that come from roles. */
  roleTasks: number;
  roles: number;
  /** tasks/*.yml files of the roles, main.yml included. */
  taskFiles: number;
  templates: number;
}

// ── Task shapes ─────────────────────────────────────────────────────────────────────
// A shape is one task (YAML lines at list indentation) of role `r`, numbered `n`. The
// generic shapes read only the variables every role defines (`<r>_dir`, `<r>_enabled`,
// `<r>_settings`…, see roleDefaults), the inventory's and gathered facts; the others
// belong to one role and read its own variables.

type Shape = (r: string, n: string, template: string) => string[];

const SHAPES = {
  dir: (r, n) => [
    `- name: "${r} | state folder ${n}"`,
    `  file:`,
    `    path: "{{ ${r}_state_dir }}/${n}"`,
    `    state: directory`,
    `    mode: "0750"`,
    `    owner: root`,
    `  tags: [${r}, setup]`,
  ],
  template: (r, n, template) => [
    `- name: "${r} | render ${template} (${n})"`,
    `  template:`,
    `    src: ${template}`,
    `    dest: "{{ ${r}_dir }}/${template.replace(/\.j2$/, '')}-${n}"`,
    `    mode: "{{ ${r}_conf_mode }}"`,
    `    owner: root`,
    `    backup: true`,
    `  notify: ${r} config changed`,
    `  when: ${r}_enabled | bool`,
  ],
  lineinfile: (r, n) => [
    `- name: "${r} | setting ${n}"`,
    `  lineinfile:`,
    `    path: "{{ ${r}_config_file }}"`,
    `    regexp: '^setting_${n}\\s*='`,
    `    line: "setting_${n} = {{ ${r}_settings.level | default(${r}_log_level) }}"`,
    `    create: true`,
    `    mode: "{{ ${r}_conf_mode }}"`,
    `  when:`,
    `    - ${r}_enabled | bool`,
    `    - ansible_facts['os_family'] in ['Debian', 'RedHat']`,
    `  notify: [${r} config changed]`,
  ],
  copy: (r, n) => [
    `- name: "${r} | options file ${n}"`,
    `  copy:`,
    `    content: "OPTIONS=\\"{{ ${r}_options | join(' ') }}\\"\\nHOST={{ inventory_hostname }}\\nBRIDGE={{ bridge }}\\n"`,
    `    dest: "{{ ${r}_dir }}/options-${n}"`,
    `    mode: "0644"`,
    `  become: true`,
  ],
  command: (r, n) => [
    `- name: "${r} | probe ${n}"`,
    `  command: "test -d {{ ${r}_dir }}"`,
    `  register: ${r}_probe_${n}`,
    `  changed_when: false`,
    `  failed_when: ${r}_probe_${n}.rc not in [0, 1]`,
  ],
  shell: (r, n) => [
    `- name: "${r} | inventory count ${n}"`,
    `  shell: "set -o pipefail && ls {{ ${r}_state_dir | quote }} | wc -l > {{ ${r}_state_dir }}/count-${n}"`,
    `  args:`,
    `    executable: /bin/bash`,
    `    creates: "{{ ${r}_state_dir }}/count-${n}"`,
    `  when: ${r}_enabled | bool and (${r}_options | length) > 0`,
  ],
  package: (r, n) => [
    `- name: "${r} | packages ${n}"`,
    `  package:`,
    `    name: "{{ ${r}_packages + (${r}_packages_by_family[ansible_facts['os_family']] | default([])) }}"`,
    `    state: present`,
    `  when: ansible_facts['os_family'] == 'Debian' and ${r}_enabled | bool`,
  ],
  service: (r, n) => [
    `- name: "${r} | service ${n}"`,
    `  service:`,
    `    name: "{{ ${r}_service }}"`,
    `    state: started`,
    `    enabled: true`,
    `  when: ${r}_manage_service | bool`,
  ],
  set_fact: (r, n) => [
    `- name: "${r} | facts ${n}"`,
    `  set_fact:`,
    `    ${r}_keys_${n}: "{{ ${r}_settings | dict2items | map(attribute='key') | list }}"`,
    `    ${r}_weight_${n}: "{{ (${r}_options | length) + ${Number(n)} }}"`,
  ],
  debug: (r, n) => [
    `- name: "${r} | show ${n}"`,
    `  debug:`,
    `    msg: "{{ inventory_hostname }}: ${r} has {{ ${r}_options | length }} options, bridge {{ bridge }}, {{ vms | default([]) | length }} VMs"`,
    `    verbosity: 1`,
  ],
  assert: (r, n) => [
    `- name: "${r} | check ${n}"`,
    `  assert:`,
    `    that:`,
    `      - ${r}_dir is match('^/')`,
    `      - ${r}_options | length > 0`,
    `      - ${r}_settings is mapping`,
    `    fail_msg: "${r}_dir must be absolute, got {{ ${r}_dir }}"`,
    `    quiet: true`,
  ],
  virsh: (r, n) => [
    `- name: "${r} | domain info ${n}"`,
    `  virsh:`,
    `    command: "dominfo {{ vm.name }}"`,
    `    uri: "{{ libvirt_uri }}"`,
    `  loop: "{{ vms | default([]) }}"`,
    `  loop_control:`,
    `    loop_var: vm`,
    `    label: "{{ vm.name }}"`,
    `  register: ${r}_dominfo_${n}`,
    `  changed_when: false`,
    `  failed_when: false`,
  ],
  // libvirt
  network: (_r, n) => [
    `- name: "libvirt | network {{ net.name }} (${n})"`,
    `  libvirt_network:`,
    `    name: "{{ net.name }}"`,
    `    template: network.xml.j2`,
    `    state: "{{ 'active' if net.autostart | default(true) else 'present' }}"`,
    `    autostart: "{{ net.autostart | default(true) }}"`,
    `    uri: "{{ libvirt_uri }}"`,
    `  loop: "{{ libvirt_networks }}"`,
    `  loop_control: { loop_var: net, label: "{{ net.name }}" }`,
    `  when: libvirt_manage_networks | bool`,
  ],
  // storage
  pool: (_r, n) => [
    `- name: "storage | pool {{ storage_pool_name }} (${n})"`,
    `  virsh:`,
    `    command: ["pool-info", "{{ storage_pool_name }}"]`,
    `  register: storage_pool_${n}`,
    `  changed_when: false`,
    `  failed_when: storage_pool_${n}.rc != 0 and 'not found' not in (storage_pool_${n}.stderr | default(''))`,
  ],
  // vm
  disk: (_r, n) => [
    `- name: "vm | disks (${n})"`,
    `  disk_image:`,
    `    path: "{{ vm_pool_path }}/{{ item.0.name }}-{{ item.1.size | lower }}.{{ item.1.format }}"`,
    `    size: "{{ item.1.size }}"`,
    `    format: "{{ item.1.format }}"`,
    `  loop: "{{ vms | subelements('disks') }}"`,
    `  loop_control:`,
    `    label: "{{ item.0.name }} {{ item.1.size }}"`,
    `  when: item.1.format in ['qcow2', 'raw']`,
  ],
  domain: (_r, n) => [
    `- name: "vm | domain (${n})"`,
    `  libvirt_domain:`,
    `    name: "{{ vm.name }}"`,
    `    template: domain.xml.j2`,
    `    state: "{{ vm.state | default(vm_state) }}"`,
    `    autostart: "{{ vm.autostart | default(vm_autostart) }}"`,
    `    uri: "{{ libvirt_uri }}"`,
    `  loop: "{{ vms }}"`,
    `  loop_control: { loop_var: vm, label: "{{ vm.name }}" }`,
    `  when: vm_enabled | bool and vm.name is not search('^tmp-')`,
  ],
  domxml: (_r, n) => [
    `- name: "vm | domain XML on disk (${n})"`,
    `  template:`,
    `    src: domain.xml.j2`,
    `    dest: "{{ vm_dir }}/{{ vm.name }}-${n}.xml"`,
    `    mode: "0640"`,
    `  loop: "{{ vms }}"`,
    `  loop_control:`,
    `    loop_var: vm`,
    `    label: "{{ vm.name }}"`,
    `  notify: vm definitions changed`,
  ],
} satisfies Record<string, Shape>;

type ShapeName = keyof typeof SHAPES;

// ── Roles ───────────────────────────────────────────────────────────────────────────

interface RoleSpec {
  name: string;
  /** Task files tasks/main.yml imports, in order; `include:` ones are include_tasks. */
  files: string[];
  include?: string;
  /** Times the play runs the role (storage: twice, with other parameters). */
  runs: number;
  /** meta/main.yml `dependencies:` entries, as YAML lines at list indentation. */
  deps: string[];
  /** Shapes its generated tasks go through, in turn. */
  shapes: ShapeName[];
  /** Templates the generic `template` shape renders (in templates/). */
  renders: string[];
  packages: string[];
  service: string;
  /** Role-specific defaults, YAML lines. */
  defaults: string[];
  /** Role-specific handlers, YAML lines at list indentation. */
  handlers: string[];
  /** Templates the role owns: name → Jinja text. */
  templates: Record<string, string>;
}

const RESTART_LIBVIRTD = [
  `- name: restart libvirtd`,
  `  service:`,
  `    name: "{{ libvirt_service }}"`,
  `    state: restarted`,
  `  listen: [libvirt config changed, libvirt networks changed]`,
];

const ROLES: RoleSpec[] = [
  {
    name: 'common',
    files: ['packages.yml', 'time.yml', 'motd.yml'],
    runs: 1,
    deps: [],
    shapes: ['package', 'template', 'lineinfile', 'copy', 'dir', 'service', 'set_fact', 'debug', 'command', 'shell', 'assert'],
    renders: ['common.conf.j2', 'chrony.conf.j2', 'motd.j2'],
    packages: ['chrony', 'curl', 'vim-tiny'],
    service: 'chrony',
    defaults: ['common_ntp_servers: "{{ ntp_servers | default([\'0.pool.ntp.org\', \'1.pool.ntp.org\']) }}"', 'common_motd_lines: [KVM hypervisor, managed by kvmplay]'],
    handlers: [],
    templates: {
      'chrony.conf.j2': `# {{ ansible_managed | default('Managed by kvmplay') }}
{% for server in common_ntp_servers %}
server {{ server }} iburst{% if loop.first %} prefer{% endif %}

{% endfor %}
driftfile /var/lib/chrony/chrony.drift
{% if common_settings.makestep is defined %}
makestep {{ common_settings.makestep }} 3
{% endif %}
`,
      'motd.j2': `{{ inventory_hostname | upper }} ({{ ansible_facts['distribution'] | default('Linux') }})
{% for line in common_motd_lines %}
  * {{ line }}
{% endfor %}
{% if vms is defined and vms %}
VMs: {{ vms | map(attribute='name') | join(', ') }}
{% endif %}
`,
    },
  },
  {
    name: 'kvm_host',
    files: ['checks.yml', 'packages.yml', 'modules.yml', 'sysctl.yml', 'hugepages.yml'],
    runs: 1,
    deps: [],
    shapes: ['assert', 'command', 'lineinfile', 'package', 'copy', 'shell', 'set_fact', 'template', 'debug', 'dir'],
    renders: ['kvm_host.conf.j2', 'modules.conf.j2'],
    packages: ['qemu-system-x86', 'qemu-utils', 'cpu-checker'],
    service: 'systemd-modules-load',
    defaults: ['kvm_host_nested: false', 'kvm_host_hugepages: 0', 'kvm_host_cpu_vendor: intel'],
    handlers: [
      `- name: reload kernel modules`,
      `  command: "modprobe -a {{ 'kvm_' ~ kvm_host_cpu_vendor }}"`,
      `  listen: kvm_host config changed`,
    ],
    templates: {
      'modules.conf.j2': `# {{ ansible_managed | default('Managed by kvmplay') }}
{% set module = 'kvm_' ~ kvm_host_cpu_vendor %}
options {{ module }} nested={{ 1 if kvm_host_nested | bool else 0 }}
{% if kvm_host_hugepages | int > 0 %}
# {{ kvm_host_hugepages }} huge pages reserved for {{ vms | default([]) | length }} VMs
{% endif %}
`,
    },
  },
  {
    name: 'libvirt',
    files: ['install.yml', 'config.yml', 'daemon.yml', 'networks.yml'],
    runs: 1,
    deps: ['- role: kvm_host'],
    shapes: ['package', 'template', 'lineinfile', 'network', 'virsh', 'command', 'set_fact', 'debug', 'assert', 'service'],
    renders: ['libvirt.conf.j2', 'qemu.conf.j2'],
    packages: ['libvirt-daemon-system', 'libvirt-clients'],
    service: 'libvirtd',
    defaults: [
      'libvirt_uri: qemu:///system',
      'libvirt_listen_tcp: false',
      'libvirt_manage_networks: true',
      'libvirt_qemu_settings:',
      '  user: libvirt-qemu',
      '  group: kvm',
      '  security_driver: none',
    ],
    handlers: RESTART_LIBVIRTD,
    templates: {
      'qemu.conf.j2': `# {{ ansible_managed | default('Managed by kvmplay') }}
{% for key, value in libvirt_qemu_settings | dictsort %}
{{ key }} = {{ value | to_json }}
{% endfor %}
{% if virt_type == 'qemu' %}
# software emulation: no /dev/kvm
{% endif %}
`,
      'network.xml.j2': `<network>
  <name>{{ net.name }}</name>
{% if net.bridge is defined %}
  <forward mode="bridge"/>
  <bridge name="{{ net.bridge }}"/>
{% else %}
  <forward mode="{{ net.forward | default('nat') }}"/>
  <ip address="{{ net.address }}" netmask="{{ net.netmask | default('255.255.255.0') }}">
{% if net.dhcp is defined %}
    <dhcp>
      <range start="{{ net.dhcp.start }}" end="{{ net.dhcp.end }}"/>
    </dhcp>
{% endif %}
  </ip>
{% endif %}
</network>
`,
    },
  },
  {
    name: 'bridge',
    files: ['preflight.yml', 'config.yml', 'sysctl.yml', 'verify.yml'],
    runs: 1,
    deps: ['- kvm_host'],
    shapes: ['assert', 'template', 'lineinfile', 'command', 'shell', 'copy', 'set_fact', 'debug'],
    renders: ['bridge.conf.j2', 'interfaces.j2'],
    packages: ['bridge-utils'],
    service: 'networking',
    defaults: ['bridge_ports: [em1]', 'bridge_stp: false', 'bridge_forward_delay: 0'],
    handlers: [
      `- name: reload sysctl`,
      `  command: sysctl --system`,
      `  listen: bridge config changed`,
    ],
    templates: {
      'interfaces.j2': `# {{ ansible_managed | default('Managed by kvmplay') }}
auto {{ bridge }}
iface {{ bridge }} inet manual
{% if bridge_ports %}
    bridge_ports {{ bridge_ports | join(' ') }}
{% else %}
    bridge_ports none
{% endif %}
    bridge_stp {{ 'on' if bridge_stp | bool else 'off' }}
    bridge_fd {{ bridge_forward_delay }}
    mtu {{ mtu | default(1500) }}
`,
    },
  },
  {
    name: 'storage',
    files: ['folders.yml', 'pool.yml', 'volumes.yml'],
    runs: 2,
    deps: [],
    shapes: ['dir', 'template', 'pool', 'command', 'set_fact', 'assert', 'shell', 'debug'],
    renders: ['pool.xml.j2', 'storage.conf.j2'],
    packages: ['qemu-utils', 'lvm2'],
    service: 'lvm2-monitor',
    defaults: ['storage_pool_name: default', 'storage_pool_path: /var/lib/libvirt/images', 'storage_pool_type: dir', 'storage_pool_autostart: true'],
    handlers: [
      `- name: refresh storage pool`,
      `  virsh:`,
      `    command: "pool-refresh {{ storage_pool_name }}"`,
      `  listen: storage config changed`,
    ],
    templates: {
      'pool.xml.j2': `<pool type="{{ storage_pool_type }}">
  <name>{{ storage_pool_name }}</name>
  <target>
    <path>{{ storage_pool_path }}</path>
    <permissions><mode>0711</mode></permissions>
  </target>
{% if not storage_pool_autostart | bool %}
  <!-- not autostarted -->
{% endif %}
</pool>
`,
    },
  },
  {
    name: 'vm',
    files: ['facts.yml', 'disks.yml', 'domains.yml', 'state.yml', 'verify.yml'],
    include: 'cloudinit.yml',
    runs: 1,
    deps: ['- role: libvirt'],
    shapes: ['disk', 'domxml', 'domain', 'virsh', 'set_fact', 'assert', 'dir', 'debug', 'command'],
    renders: ['vm.conf.j2'],
    packages: ['genisoimage'],
    service: 'libvirt-guests',
    defaults: ['vm_pool_path: "{{ pool_path | default(\'/var/lib/libvirt/images\') }}"', 'vm_state: running', 'vm_autostart: true', 'vm_cloud_init: false'],
    handlers: [
      `- name: vm definitions changed`,
      `  debug:`,
      `    msg: "domain XML of {{ inventory_hostname }} changed"`,
    ],
    templates: {
      'domain.xml.j2': `<domain type="{{ virt_type }}">
  <name>{{ vm.name }}</name>
  <memory unit="KiB">{{ (vm.memory | regex_replace('GiB$', '') | int) * 1048576 }}</memory>
  <vcpu>{{ vm.vcpus }}</vcpu>
  <os><type arch="x86_64">hvm</type><boot dev="hd"/></os>
  <devices>
{% for disk in vm.disks %}
    <disk type="file" device="disk">
      <driver name="qemu" type="{{ disk.format }}"/>
      <source file="{{ vm_pool_path }}/{{ vm.name }}-{{ loop.index0 }}.{{ disk.format }}"/>
      <target dev="vd{{ 'abcdefgh'[loop.index0] }}" bus="virtio"/>
    </disk>
{% endfor %}
{% if vm.cdrom is defined %}
    <disk type="file" device="cdrom"><source file="{{ vm.cdrom }}"/></disk>
{% endif %}
    <interface type="bridge"><source bridge="{{ bridge }}"/><model type="virtio"/></interface>
  </devices>
</domain>
`,
    },
  },
  {
    name: 'firewall',
    files: ['install.yml', 'rules.yml', 'forwarding.yml'],
    runs: 1,
    deps: [],
    shapes: ['package', 'template', 'lineinfile', 'command', 'shell', 'service', 'debug', 'assert'],
    renders: ['nftables.conf.j2', 'firewall.conf.j2'],
    packages: ['nftables'],
    service: 'nftables',
    defaults: ['firewall_policy: drop', 'firewall_allowed_ports: [22, 16509, "5900-5999"]', 'firewall_trusted_nets: [192.0.2.0/24]'],
    handlers: [
      `- name: reload nftables`,
      `  command: "nft -f {{ firewall_dir }}/nftables.conf"`,
      `  listen: firewall config changed`,
    ],
    templates: {
      'nftables.conf.j2': `#!/usr/sbin/nft -f
# {{ ansible_managed | default('Managed by kvmplay') }}
table inet filter {
  chain input {
    type filter hook input priority 0; policy {{ firewall_policy }};
    ct state established,related accept
    iif lo accept
{% for net in firewall_trusted_nets %}
    ip saddr {{ net }} accept
{% endfor %}
{% for port in firewall_allowed_ports %}
    tcp dport {{ port }} accept
{% endfor %}
  }
{% if ip_forward | int == 1 %}
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "{{ bridge }}" accept
  }
{% endif %}
}
`,
    },
  },
  {
    name: 'users',
    files: ['groups.yml', 'accounts.yml', 'sudo.yml'],
    runs: 1,
    deps: [],
    shapes: ['lineinfile', 'template', 'copy', 'dir', 'command', 'set_fact', 'assert', 'debug'],
    renders: ['sudoers.j2', 'users.conf.j2'],
    packages: ['sudo'],
    service: 'ssh',
    defaults: ['users_group: libvirt', 'users_admins: "{{ admin_users | default([]) }}"'],
    handlers: [],
    templates: {
      'sudoers.j2': `# {{ ansible_managed | default('Managed by kvmplay') }}
{% for user in users_admins %}
{% if user.sudo | default(false) %}
{{ user.name }} ALL=(ALL) NOPASSWD: /usr/bin/virsh, /usr/bin/systemctl
{% else %}
# {{ user.name }}: no sudo
{% endif %}
{% endfor %}
%{{ users_group }} ALL=(root) /usr/bin/virsh list *
`,
    },
  },
  {
    name: 'monitoring',
    files: ['install.yml', 'exporter.yml', 'checks.yml', 'logs.yml'],
    runs: 1,
    deps: ['- role: users'],
    shapes: ['package', 'template', 'service', 'copy', 'command', 'shell', 'virsh', 'debug', 'lineinfile'],
    renders: ['exporter.env.j2', 'monitoring.conf.j2'],
    packages: ['prometheus-node-exporter'],
    service: 'prometheus-node-exporter',
    defaults: ['monitoring_port: 9100', 'monitoring_collectors: [cpu, meminfo, netdev, diskstats]'],
    handlers: [],
    templates: {
      'exporter.env.j2': `# {{ ansible_managed | default('Managed by kvmplay') }}
ARGS="--web.listen-address=:{{ monitoring_port }}{% for c in monitoring_collectors %} --collector.{{ c }}{% endfor %}"
{% if vms is defined %}
LIBVIRT_DOMAINS="{{ vms | map(attribute='name') | sort | join(',') }}"
{% endif %}
`,
    },
  },
  {
    name: 'backup',
    files: ['folders.yml', 'jobs.yml', 'verify.yml'],
    runs: 1,
    // The same parameters as the play's second storage entry: already ran, not run again.
    deps: [
      '- role: storage',
      '  storage_pool_name: backups',
      '  storage_pool_path: /srv/backups',
      '  storage_pool_autostart: false',
    ],
    shapes: ['dir', 'template', 'virsh', 'shell', 'copy', 'set_fact', 'debug', 'command'],
    renders: ['backup.sh.j2', 'backup.conf.j2'],
    packages: ['rsync', 'zstd'],
    service: 'cron',
    defaults: ['backup_retention_days: 7', 'backup_target: /srv/backups'],
    handlers: [],
    templates: {
      'backup.sh.j2': `#!/bin/sh
# {{ ansible_managed | default('Managed by kvmplay') }}
set -eu
{% for vm in vms | default([]) %}
virsh -c {{ libvirt_uri }} dumpxml --inactive {{ vm.name | quote }} > {{ backup_target }}/{{ vm.name }}.xml
{% endfor %}
find {{ backup_target }} -name '*.xml' -mtime +{{ backup_retention_days }} -delete
`,
    },
  },
];

function roleDefaults(role: RoleSpec): string {
  const r = role.name;
  return [
    `---`,
    `# Defaults of role ${r} (generated by bench/validate-roles.ts).`,
    `${r}_enabled: true`,
    `${r}_dir: /etc/kvmplay/${r}`,
    `${r}_state_dir: "{{ state_dir }}/${r}"`,
    `${r}_packages: [${role.packages.join(', ')}]`,
    `${r}_service: ${role.service}`,
    `${r}_manage_service: true`,
    `${r}_log_level: info`,
    `${r}_options: [${r}-a, ${r}-b, ${r}-c]`,
    `${r}_settings:`,
    `  level: info`,
    `  retries: 3`,
    `  makestep: 1.0`,
    ...role.defaults,
    ``,
  ].join('\n');
}

function roleVars(role: RoleSpec): string {
  const r = role.name;
  return [
    `---`,
    `${r}_config_file: "{{ ${r}_dir }}/${r}.conf"`,
    `${r}_conf_mode: "0644"`,
    `${r}_packages_by_family:`,
    `  Debian: [${role.packages[0]}]`,
    `  RedHat: []`,
    ``,
  ].join('\n');
}

/** templates/<role>.conf.j2: the generic template every role has. */
function roleConfTemplate(r: string): string {
  return `# {{ ansible_managed | default('Managed by kvmplay') }}
# role ${r} on {{ inventory_hostname }} ({{ ansible_facts['os_family'] | default('unknown') }})
{% if ${r}_enabled | bool %}
enabled = yes
{% else %}
enabled = no
{% endif %}
log_level = {{ ${r}_log_level | upper }}
{% for key, value in ${r}_settings | dictsort %}
{{ key }} = {{ value }}
{% endfor %}
options = {{ ${r}_options | join(',') }}
{% for vm in vms | default([]) | sort(attribute='name') %}
# vm {{ vm.name }}: {{ vm.memory }}, {{ vm.vcpus }} vCPU, {{ vm.disks | length }} disk(s)
{% endfor %}
`;
}

function roleHandlers(role: RoleSpec): string {
  const r = role.name;
  return [
    `---`,
    `- name: ${r} restart`,
    `  service:`,
    `    name: "{{ ${r}_service }}"`,
    `    state: restarted`,
    `  listen: ${r} config changed`,
    `  when: ${r}_manage_service | bool`,
    `- name: ${r} check config`,
    `  command: "test -s {{ ${r}_config_file }}"`,
    `  changed_when: false`,
    `  listen: [${r} config changed]`,
    ...role.handlers,
    ``,
  ].join('\n');
}

/** tasks/main.yml: two tasks of its own, then its task files (an include_tasks is a task of its own too). */
function roleMain(role: RoleSpec): { text: string; tasks: number } {
  const r = role.name;
  const out = [
    `---`,
    `- name: "${r} | parameters"`,
    `  assert:`,
    `    that:`,
    `      - ${r}_dir | length > 0`,
    `      - ${r}_packages | length > 0`,
    `    quiet: true`,
    `- name: "${r} | start"`,
    `  debug:`,
    `    msg: "${r} on {{ inventory_hostname }} ({{ ansible_facts['distribution'] | default('?') }})"`,
    `    verbosity: 2`,
  ];
  role.files.forEach((f, i) => {
    const stem = f.replace(/\.yml$/, '');
    out.push(`- name: "${r} | ${stem}"`, `  import_tasks: ${f}`, `  tags: [${r}, ${r}_${stem}]`);
    if (i === 1) out.push(`  when: ${r}_enabled | bool`);
    if (i === 2) out.push(`  vars:`, `    ${r}_step: ${stem}`);
  });
  if (role.include) out.push(`- include_tasks: ${role.include}`, `  when: ${r}_cloud_init | default(false) | bool`);
  return { text: `${out.join('\n')}\n`, tasks: role.include ? 3 : 2 };
}

/** A block/rescue/always as a role writes one around a daemon restart. */
function daemonBlock(r: string): string[] {
  return [
    `- name: "${r} | daemon, with a way back"`,
    `  block:`,
    ...indent([
      ...SHAPES.template(r, 'block', `${r}.conf.j2`),
      ...SHAPES.service(r, 'block'),
      `- name: "${r} | daemon answers"`,
      `  virsh:`,
      `    command: version`,
      `    uri: "{{ libvirt_uri }}"`,
      `  changed_when: false`,
    ], 4),
    `  rescue:`,
    ...indent([
      `- name: "${r} | what failed"`,
      `  debug:`,
      `    msg: "{{ ansible_failed_task.name | default('?') }}: {{ ansible_failed_result.msg | default('no message') }}"`,
      `- name: "${r} | journal"`,
      `  command: "journalctl -u {{ ${r}_service }} -n 50 --no-pager"`,
      `  changed_when: false`,
      `  failed_when: false`,
    ], 4),
    `  always:`,
    ...indent([...SHAPES.dir(r, 'always')], 4),
    `  when: ${r}_manage_service | bool`,
    `  tags: [${r}, daemon]`,
  ];
}

const indent = (lines: readonly string[], n: number): string[] => lines.map((l) => `${' '.repeat(n)}${l}`);

// ── site.yaml ───────────────────────────────────────────────────────────────────────

const PRE_TASKS = [
  `- name: Inventory is usable`,
  `  assert:`,
  `    that:`,
  `      - bridge is defined and bridge | length > 0`,
  `      - vms is defined`,
  `      - vms | map(attribute='name') | unique | list | length == vms | length`,
  `    fail_msg: "{{ inventory_hostname }}: fix bridge/vms in the inventory"`,
  `- name: Run facts`,
  `  set_fact:`,
  `    site_vm_names: "{{ vms | map(attribute='name') | list }}"`,
  `    site_disk_count: "{{ vms | map(attribute='disks') | map('length') | sum }}"`,
  `    site_is_first: "{{ inventory_hostname == groups['hypervisors'] | first }}"`,
  `- name: What this run does`,
  `  debug:`,
  `    msg: "{{ site_name }}: {{ site_vm_names | length }} VMs, {{ site_disk_count }} disks on {{ inventory_hostname }}"`,
  `- name: State folder`,
  `  file:`,
  `    path: "{{ state_dir }}"`,
  `    state: directory`,
  `    mode: "0755"`,
  `- name: Package cache`,
  `  package:`,
  `    name: [ca-certificates]`,
  `    update_cache: true`,
  `  when: ansible_facts['os_family'] == 'Debian'`,
  `- name: Does the host have /dev/kvm`,
  `  command: test -c /dev/kvm`,
  `  register: site_dev_kvm`,
  `  changed_when: false`,
  `  failed_when: false`,
  `- name: Hypervisors know each other`,
  `  lineinfile:`,
  `    path: /etc/hosts`,
  `    regexp: '\\s{{ item }}$'`,
  `    line: "{{ hostvars[item].host }} {{ item }}"`,
  `  loop: "{{ groups['hypervisors'] }}"`,
  `  when: hostvars[item].host is defined`,
  `- name: VM list for the operators`,
  `  copy:`,
  `    content: "{{ vms | to_json }}"`,
  `    dest: "{{ state_dir }}/vms.json"`,
  `    mode: "0644"`,
  `  notify: site changed`,
  `- name: Virtualization type`,
  `  assert:`,
  `    that: virt_type in ['kvm', 'qemu']`,
  `    success_msg: "{{ virt_type }}{{ '' if site_dev_kvm.rc == 0 else ' (no /dev/kvm)' }}"`,
];

const ROLES_SECTION = [
  `- common`,
  // No parameters: vm's dependency on libvirt is then the same role run, not a second one.
  `- libvirt`,
  `- role: bridge`,
  `  vars:`,
  `    bridge_stp: "{{ bridge_stp_on | default(false) }}"`,
  `- role: storage`,
  `  storage_pool_name: images`,
  `  storage_pool_path: "{{ pool_path }}"`,
  `- role: storage`,
  `  storage_pool_name: backups`,
  `  storage_pool_path: /srv/backups`,
  `  storage_pool_autostart: false`,
  `- firewall`,
  `- users`,
  `- role: vm`,
  `  when: vms is defined and vms | length > 0`,
  `  tags: [vm]`,
  `- role: monitoring`,
  `  monitoring_port: 9177`,
  `  tags: [monitoring]`,
  `- backup`,
];

const SMOKE_BLOCK = [
  `- name: Smoke test the VMs`,
  `  block:`,
  ...indent([
    `- name: Domain states`,
    `  virsh:`,
    `    command: "domstate {{ item }}"`,
    `  loop: "{{ site_vm_names }}"`,
    `  register: site_states`,
    `  changed_when: false`,
    `- name: Every VM is where the inventory wants it`,
    `  assert:`,
    `    that:`,
    `      - site_states.results | map(attribute='rc') | select('ne', 0) | list | length == 0`,
    `- name: Bridge has ports`,
    `  command: "ip -o link show master {{ bridge }}"`,
    `  register: site_ports`,
    `  changed_when: false`,
    `  failed_when: site_ports.stdout_lines | length == 0`,
    `- name: Report`,
    `  debug:`,
    `    msg: "{{ site_states.results | map(attribute='stdout') | map('trim') | list }}"`,
  ], 4),
  `  rescue:`,
  ...indent([
    `- name: Note the failure`,
    `  copy:`,
    `    content: "{{ ansible_failed_task.name }}: {{ ansible_failed_result.msg | default('') }}\\n"`,
    `    dest: "{{ state_dir }}/smoke-failed"`,
    `- name: Remember it`,
    `  set_fact:`,
    `    site_smoke_failed: true`,
  ], 4),
  `  always:`,
  ...indent([
    `- name: Smoke test ran`,
    `  file:`,
    `    path: "{{ state_dir }}/smoke-ran"`,
    `    state: touch`,
    `    mode: "0644"`,
    `- name: Smoke log`,
    `  lineinfile:`,
    `    path: "{{ state_dir }}/smoke.log"`,
    `    line: "{{ inventory_hostname }} {{ 'failed' if site_smoke_failed | default(false) else 'ok' }}"`,
    `    create: true`,
  ], 4),
  `  when: vms | default([]) | length > 0`,
  `  tags: [smoke]`,
];

const POST_TASKS = [
  `- name: Summary`,
  `  template:`,
  `    src: summary.txt.j2`,
  `    dest: "{{ state_dir }}/summary.txt"`,
  `    mode: "0644"`,
  `- name: All domains`,
  `  virsh:`,
  `    command: list --all --name`,
  `  register: site_all_domains`,
  `  changed_when: false`,
  `- name: Every inventory VM is defined`,
  `  assert:`,
  `    that: item in site_all_domains.stdout_lines`,
  `    fail_msg: "{{ item }} is not defined on {{ inventory_hostname }}"`,
  `  loop: "{{ site_vm_names }}"`,
  `  when: not ansible_check_mode`,
  `- name: Monitoring picks up the new domains`,
  `  command: "true"`,
  `  changed_when: site_all_domains.stdout_lines | length > 0`,
  `  notify: "monitoring : monitoring restart"`,
  `- name: Done`,
  `  debug:`,
  `    msg: "{{ inventory_hostname }} done: {{ site_vm_names | join(', ') }}"`,
];

const SITE_HANDLERS = [
  `- name: site report`,
  `  shell: "date >> {{ state_dir }}/changes.log"`,
  `  listen: site changed`,
];

const SUMMARY_TEMPLATE = `# {{ ansible_managed | default('Managed by kvmplay') }}
host:   {{ inventory_hostname }} ({{ hostvars[inventory_hostname].host | default('?') }})
bridge: {{ bridge }} mtu {{ mtu | default(1500) }}
{% for vm in vms | sort(attribute='name') %}
- {{ vm.name }}: {{ vm.memory }}, {{ vm.vcpus }} vCPU
{%   for disk in vm.disks %}
    disk {{ loop.index }}: {{ disk.size }} {{ disk.format }}
{%   endfor %}
{% endfor %}
{% if site_smoke_failed | default(false) %}
smoke test FAILED
{% endif %}
`;

const SITE_VARS = `---
site_name: kvm-fleet
pool_path: /var/lib/libvirt/images
libvirt_uri: qemu:///system
`;

const PROJECT_GROUP_VARS = `---
ntp_servers: [ntp1.example.net, ntp2.example.net]
admin_users:
  - { name: alice, sudo: true }
  - { name: bob }
libvirt_networks:
  - { name: default, address: 192.168.122.1, dhcp: { start: 192.168.122.2, end: 192.168.122.254 } }
  - { name: isolated, address: 10.10.0.1, forward: none, autostart: false }
  - { name: lan, bridge: br0 }
`;

function siteYaml(tasks: string[], postTasks: string[]): string {
  return [
    `# Generated by bench/validate-roles.ts: a KVM fleet as a role-based project.`,
    `- name: Hypervisors`,
    `  hosts: hypervisors`,
    `  become: true`,
    `  gather_facts: true`,
    `  serial: "25%"`,
    `  max_fail_percentage: 10`,
    `  vars_files:`,
    `    - vars/site.yml`,
    `  vars:`,
    `    xml_dir: /etc/kvmplay/xml`,
    `  pre_tasks:`,
    ...indent(PRE_TASKS, 4),
    `  roles:`,
    ...indent(ROLES_SECTION, 4),
    `  tasks:`,
    ...indent(tasks, 4),
    `  post_tasks:`,
    ...indent(postTasks, 4),
    `  handlers:`,
    ...indent(SITE_HANDLERS, 4),
    ``,
  ].join('\n');
}

/** Tasks in a list of YAML lines: entries at list indentation, or (a block's) one level in. */
const countTasks = (lines: readonly string[]): number => lines.filter((l) => /^- name: /.test(l)).length;
const countBlockTasks = (lines: readonly string[]): number => lines.filter((l) => /^ {4}- name: /.test(l)).length;

// The play's own tasks after the smoke block: they read the inventory's and the play's variables.
function siteTask(i: number): string[] {
  const n = String(i).padStart(3, '0');
  return i % 2 === 0
    ? [`- name: Host marker ${n}`, `  copy:`, `    content: "{{ site_name }} {{ inventory_hostname }} ${n}\\n"`, `    dest: "{{ state_dir }}/marker-${n}"`, `  notify: site changed`]
    : [`- name: Domain XML folder ${n}`, `  file:`, `    path: "{{ xml_dir }}/${n}"`, `    state: directory`, `    mode: "0750"`, `  when: inventory_hostname in groups['hypervisors']`];
}

// ── The project ─────────────────────────────────────────────────────────────────────

/**
 * Writes the project into `dir` with `inventory` (relative path → text, the flat set's
 * 50-host inventory) and about `total` tasks; returns what it holds.
 */
export async function writeRoleSet(dir: string, inventory: Record<string, string>, total: number): Promise<RoleSet> {
  const files: Record<string, string> = {
    'package.json': '{}\n',
    ...inventory,
    'vars/site.yml': SITE_VARS,
    'group_vars/all.yml': PROJECT_GROUP_VARS,
    'templates/summary.txt.j2': SUMMARY_TEMPLATE,
  };

  // Tasks outside the roles, and the roles' own (main.yml, the libvirt daemon block).
  const fixedSite = countTasks(PRE_TASKS) + countBlockTasks(SMOKE_BLOCK) + countTasks(POST_TASKS);
  const siteExtra = 6;
  const fixedRoles = ROLES.reduce((s, r) => s + r.runs * (2 + (r.name === 'libvirt' ? countBlockTasks(daemonBlock(r.name)) : 0)), 0);
  // The rest goes to the roles' task files, the same number in each (a role run twice counts twice).
  const slots = ROLES.flatMap((r) => [...r.files, ...(r.include ? [r.include] : [])].map((f) => ({ role: r, file: f })));
  const budget = total - fixedSite - siteExtra - fixedRoles;
  const runsTotal = slots.reduce((s, x) => s + x.role.runs, 0);
  const perFile = Math.floor(budget / runsTotal);
  let left = budget - perFile * runsTotal;
  const counts = slots.map((x) => {
    const extra = left >= x.role.runs ? 1 : 0;
    left -= extra * x.role.runs;
    return perFile + extra;
  });

  let written = 0;
  let loaded = 0;
  let templates = 1;
  for (const role of ROLES) {
    const r = role.name;
    const base = `roles/${r}`;
    files[`${base}/defaults/main.yml`] = roleDefaults(role);
    files[`${base}/vars/main.yml`] = roleVars(role);
    files[`${base}/handlers/main.yml`] = roleHandlers(role);
    files[`${base}/meta/main.yml`] = [
      `---`,
      `galaxy_info:`,
      `  role_name: ${r}`,
      `  author: bench`,
      `  min_ansible_version: "2.14"`,
      ...(role.deps.length ? [`dependencies:`, ...indent(role.deps, 2)] : [`dependencies: []`]),
      ``,
    ].join('\n');
    files[`${base}/templates/${r}.conf.j2`] = roleConfTemplate(r);
    for (const [name, text] of Object.entries(role.templates)) files[`${base}/templates/${name}`] = text;
    templates += 1 + Object.keys(role.templates).length;

    const main = roleMain(role);
    files[`${base}/tasks/main.yml`] = main.text;
    let roleWritten = main.tasks;
    let k = 0; // the role's task number, across its files: shapes go round in turn
    slots.forEach((slot, s) => {
      if (slot.role !== role) return;
      const out: string[] = ['---'];
      if (r === 'libvirt' && slot.file === 'daemon.yml') {
        const block = daemonBlock(r);
        out.push(...block);
        roleWritten += countBlockTasks(block);
      }
      for (let i = 0; i < counts[s]!; i++, k++) {
        const shape = role.shapes[k % role.shapes.length]!;
        const template = role.renders[Math.floor(k / role.shapes.length) % role.renders.length]!;
        out.push(...SHAPES[shape](r, String(k).padStart(3, '0'), template));
      }
      roleWritten += counts[s]!;
      files[`${base}/tasks/${slot.file}`] = `${out.join('\n')}\n`;
    });
    written += roleWritten;
    loaded += roleWritten * role.runs;
  }
  const roleTasks = loaded;

  const tasks = [...SMOKE_BLOCK];
  for (let i = 0; i < siteExtra; i++) tasks.push(...siteTask(i));
  files['site.yaml'] = siteYaml(tasks, POST_TASKS);
  written += fixedSite + siteExtra;
  loaded += fixedSite + siteExtra;

  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return {
    playbook: join(dir, 'site.yaml'),
    inventory: join(dir, 'inventory/hosts.yaml'),
    tasks: loaded,
    written,
    roleTasks,
    roles: ROLES.length,
    taskFiles: slots.length + ROLES.length,
    templates,
  };
}
