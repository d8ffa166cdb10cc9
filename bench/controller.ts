// `node dist/bench/controller.js [hosts…]`: the controller's own cost per host-task,
// without a network. The real loader, executor and modules run a playbook against
// hosts that answer every command at once (rc 0, empty output), so what is measured is
// kvmplay's work: variable scopes, templating, events, results. An inventory shaped
// like the lab's (group vars with nested maps, racks of hosts, host vars) grows with the
// fleet. Prints wall time, CPU per host-task and the heap after the run per fleet size.
// With --cpu-prof on node, the profile shows where the time goes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunContext, runPlaybooks } from '../src/exec/runner.js';
import { ALL_TAGS } from '../src/exec/tags.js';
import { loadInventory } from '../src/inventory/index.js';
import { findModule } from '../src/modules/registry.js';
import { EventBus } from '../src/output/events.js';
import { Recap } from '../src/output/recap.js';
import { Redactor } from '../src/output/redact.js';
import { loadPlaybooks } from '../src/playbook/index.js';
import type { Host, RunResult } from '../src/transport/host.js';

const TASKS = 6;
const PLAYBOOK = `- name: controller cost
  hosts: all
  gather_facts: false
  vars:
    motd: "welcome to {{ inventory_hostname }} in {{ rack }}"
  tasks:
    - name: a command
      command: uname -r
      changed_when: false
    - name: a templated command
      command: echo {{ motd }} {{ groups['all'] | length }}
      changed_when: false
    - name: a registered shell command
      shell: cat /srv/bench-copy || true
      register: copied
      changed_when: false
    - name: a fact
      set_fact:
        seen: "{{ copied.rc }} {{ hostvars[inventory_hostname]['rack'] }}"
    - name: a check
      assert:
        that: [seen is defined, "libvirt_settings.memory_mb > 0"]
        quiet: true
    - name: a command with a loop
      command: echo {{ item }}
      loop: [a, b]
      changed_when: false
`;

function inventoryYaml(hosts: number): string {
  const lines = ['all:', '  vars:', '    ansible_user: root', '    ntp_servers: [ntp1.example.org, ntp2.example.org]',
    '    libvirt_settings: {memory_mb: 2048, vcpus: 2, networks: [{name: default, bridge: virbr0}, {name: br0, bridge: br0}]}',
    // As many variables as gathered facts bring (ansible_*), which every task's scope holds.
    ...Array.from({ length: 150 }, (_, i) => `    site_setting_${i}: {name: setting-${i}, values: [${i}, ${i + 1}], enabled: true}`),
    '  children:', '    hypervisors:', '      children:'];
  const racks = Math.ceil(hosts / 10);
  for (let r = 1; r <= racks; r++) {
    lines.push(`        rack${r}:`, `          vars: {rack: rack${r}, rack_switch: "sw-{{ rack }}"}`, '          hosts:');
    for (let h = (r - 1) * 10 + 1; h <= Math.min(hosts, r * 10); h++) {
      lines.push(`            hv${String(h).padStart(4, '0')}: {ansible_host: 10.0.${r}.${h % 250}, serial_no: "SN${h}"}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function instantHost(name: string): Host {
  const ok: RunResult = { rc: 0, stdout: '', stderr: '' };
  return {
    name,
    connect: async () => undefined,
    run: async () => ok,
    readFile: async () => null,
    writeAtomic: async () => undefined,
    stat: async () => null,
    reconnect: async () => undefined,
    close: async () => undefined,
  };
}

async function measure(hosts: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kvmplay-bench-controller-'));
  try {
    writeFileSync(join(dir, 'inventory.yaml'), inventoryYaml(hosts));
    writeFileSync(join(dir, 'site.yaml'), PLAYBOOK);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const inventory = await loadInventory([join(dir, 'inventory.yaml')]);
    const loaded = await loadPlaybooks([join(dir, 'site.yaml')], { inventory, extraVars: [] });
    const bus = new EventBus();
    const recap = new Recap();
    const redactor = new Redactor();
    bus.subscribe((e) => recap.record(redactor.redactValue(e)));
    const ctx = await createRunContext({
      loaded, inventory, bus, redactor,
      options: { limit: undefined, tags: ALL_TAGS, check: false, diff: false, forks: hosts, stepTimeoutMs: undefined },
      signal: new AbortController().signal,
      openHost: (spec) => instantHost(spec.name),
      controlHost: () => instantHost('localhost'),
      findModule,
    });
    await runPlaybooks(ctx);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const failed = Object.values(recap.toJson().hosts).filter((h) => h.failed > 0 || h.unreachable).length;
    (globalThis as { gc?: () => void }).gc?.();
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    return `${hosts} hosts × ${TASKS} tasks: wall ${(ms / 1000).toFixed(2)} s, CPU ${(cpuMs / 1000).toFixed(2)} s = ` +
      `${(cpuMs / (hosts * TASKS)).toFixed(2)} ms per host-task, heap ${heapMb.toFixed(0)} MB${failed ? `, ${failed} hosts FAILED` : ''}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const n of sizes.length > 0 ? sizes : [50, 240, 1000]) process.stdout.write(`${await measure(n)}\n`);
