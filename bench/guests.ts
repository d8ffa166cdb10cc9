// Real guests on lab hypervisors (issue 17): the lab's tiny guest rolled out with
// vm-rollout.yaml, then, timed on the hypervisor itself (/proc/uptime, no SSH round
// trip in the figure):
//   start → SSH      `virsh start` until the guest's port 22 sends an SSH banner
//   shutdown → off   `virsh shutdown` (ACPI) until `domstate` is shut off
// per guest over `tries` boots (median, min, max), then all guests started at once
// (2 per host), and each running guest's qemu resident memory.
// Two kinds: the lab's tiny guest, and the Debian cloud-init guest (`lab guest-image`,
// built on first use), each of whose timed boots is a first boot (cloud-init's).
// Usage (after `npx tsc -p .`; the shared test lab, as ensureLab() makes it):
//   node dist/bench/guests.js [--tries 10] [--hosts lab01,lab04] [--kind tiny,debian]
// `npm run bench` runs both on a lab of its own. Guests are removed at the end.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SshHost } from '../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../src/inventory/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREFIX = 'kvbench';

// Positional: domain, then `boot` or `shutdown`. Prints centiseconds, or `timeout`.
const TIME_SCRIPT = `set -u
name=$1 what=$2
now() { IFS=' .' read -r s c _ </proc/uptime; echo $((s * 100 + 1$c - 100)); }
v() { LC_ALL=C virsh -q -c qemu:///system "$@"; }
t0=$(now); end=$((t0 + 18000))
if [ "$what" = boot ]; then
  v start --domain "$name" >/dev/null || exit 1
  while [ "$(now)" -lt "$end" ]; do
    for a in $(v domifaddr --source lease --domain "$name" 2>/dev/null | awk '$3 == "ipv4" { sub(/\\/.*/, "", $4); print $4 }'); do
      banner=$(timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/22" && head -c 7 <&3' "$a" 2>/dev/null)
      if [ "$banner" = SSH-2.0 ]; then echo $(($(now) - t0)); exit 0; fi
    done
    sleep 0.05
  done
else
  v shutdown --domain "$name" >/dev/null || exit 1
  while [ "$(now)" -lt "$end" ]; do
    [ "$(v domstate --domain "$name")" = "shut off" ] && { echo $(($(now) - t0)); exit 0; }
    sleep 0.05
  done
fi
echo timeout
`;

interface Stats { median: number; min: number; max: number }
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? NaN, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
};
const shown = (s: Stats, unit = 's', digits = 2): string => `median ${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)} ${unit})`;

/** What one kind of guest needs: its VMs (two per host), files set up first, a reset between boots. */
interface GuestKind {
  label: string;
  vms: Record<string, unknown>[];
  /** A playbook (text) run before the rollout, and its variables. */
  prepare?: { playbook: string; vars: Record<string, unknown> };
  /** Run on the hypervisor before each single-guest boot, with the guest's name: a first boot each time. */
  reset?: string;
}

const POOL = '/var/lib/libvirt/images';

function tinyGuests(): GuestKind {
  const guest = (tag: string) => ({
    name: `${PREFIX}-${tag}-{{ inventory_hostname }}`, memory: '128MiB', vcpus: 1, tb_cache: '32MiB', rng: true,
    kernel: '{{ lab_guest_images }}/vmlinuz', initrd: '{{ lab_guest_images }}/initrd.img',
    cmdline: `console=ttyS0 quiet kvmplay.hostname=${PREFIX}-${tag} kvmplay.ssh_key={{ lab_public_key | replace(' ', ':') }}`,
    disks: [{ size: '8MiB', format: 'raw', bus: 'virtio' }],
    interfaces: [{ network: 'default', model: 'virtio' }],
    autostart: false, state: 'shutdown',
  });
  return { label: 'tiny guest (128 MiB, 32 MiB translation cache)', vms: [guest('a'), guest('b')] };
}

/**
 * The Debian cloud-init guest (lab guest-image): the base copied once, a qcow2
 * overlay per guest, a cloud-init seed; each timed boot is a first boot (the
 * overlay made again), as a new guest's is.
 */
async function debianGuests(): Promise<GuestKind> {
  const { ensureDebianGuestImage } = await import('../src/lab/guest-debian.js');
  const { labDirs } = await import('../src/lab/paths.js');
  const image = await ensureDebianGuestImage(labDirs().cacheDir, () => undefined);
  const base = `${POOL}/${PREFIX}-base`;
  const guest = (tag: string) => ({
    name: `${PREFIX}-${tag}-{{ inventory_hostname }}`, memory: '256MiB', vcpus: 1, tb_cache: '256MiB', rng: true,
    kernel: `${base}/vmlinuz`, initrd: `${base}/initrd.img`, cmdline: image.cmdline,
    disks: [{ format: 'qcow2', bus: 'virtio', backing_file: `${base}/debian12.raw` }],
    interfaces: [{ network: 'default', model: 'virtio' }],
    cloud_init: { user_data: { disable_root: false, ssh_authorized_keys: ['{{ lab_public_key }}'] } },
    autostart: false, state: 'shutdown',
  });
  const playbook = [
    '- hosts: all',
    '  gather_facts: false',
    '  tasks:',
    `    - file: { path: "${base}", state: directory }`,
    '    - disk_image:',
    `        path: "${base}/debian12.raw"`,
    '        source: "{{ image_dir }}/debian12.raw"',
    '        checksum: "sha256:{{ image_sha256 }}"',
    '        format: raw',
    `    - copy: { src: "{{ image_dir }}/{{ item }}", dest: "${base}/{{ item }}" }`,
    '      loop: [vmlinuz, initrd.img]',
  ].join('\n');
  return {
    label: 'Debian 12 cloud-init guest, first boot (256 MiB, 256 MiB translation cache)',
    vms: [guest('a'), guest('b')],
    prepare: { playbook, vars: { image_dir: image.dir, image_sha256: image.sha256['debian12.raw'] } },
    reset: `rm -f "${POOL}/$1-0.qcow2" && qemu-img create -q -f qcow2 -F raw -b "${base}/debian12.raw" "${POOL}/$1-0.qcow2"`,
  };
}

export async function measureGuests(inventory: string, hostNames: string[], tries: number, say: (line: string) => void, kindName: 'tiny' | 'debian' = 'tiny'): Promise<void> {
  const inv = await loadInventory([inventory]);
  const hosts = new Map(hostNames.map((n) => [n, new SshHost(connectionFor(inv, n), { acceptNewHostKeys: false, agentSocket: '' })]));
  const sh = async (host: string, script: string, ...args: string[]): Promise<string> => {
    const r = await hosts.get(host)!.run(['bash', '-c', script, 'bash', ...args], { timeoutMs: 600_000 });
    if (r.rc !== 0) throw new Error(`${host}: ${r.stderr || r.stdout}`);
    return r.stdout.trim();
  };
  const seconds = (out: string, what: string): number => {
    if (!/^\d+$/.test(out)) throw new Error(`${what}: ${out}`);
    return Number(out) / 100;
  };
  const guestsOf = (h: string): string[] => [`${PREFIX}-a-${h}`, `${PREFIX}-b-${h}`];
  const cleanup = (h: string): Promise<string> => sh(h, `for d in $(virsh -c qemu:///system list --all --name | grep '^${PREFIX}-'); do virsh -c qemu:///system destroy "$d" >/dev/null 2>&1; virsh -c qemu:///system undefine "$d" >/dev/null; done; rm -rf ${POOL}/${PREFIX}-*`);
  const kvmplay = (playbook: string, varsFile: string): void => {
    execFileSync(join(root, 'bin', 'kvmplay.js'), ['run', playbook, '-i', inventory, '--limit', hostNames.join(','), '-e', `@${varsFile}`],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  try {
    for (const h of hostNames) await cleanup(h);
    const kind = kindName === 'debian' ? await debianGuests() : tinyGuests();
    // The hosts made hypervisors and the guests defined (shut off), by the shipped playbooks.
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-bench-guests-'));
    writeFileSync(join(dir, 'vms.json'), JSON.stringify({ vms: kind.vms, ...kind.prepare?.vars }));
    kvmplay(join(root, 'playbooks', 'bootstrap-hypervisor.yaml'), join(dir, 'vms.json'));
    if (kind.prepare) {
      writeFileSync(join(dir, 'prepare.yaml'), kind.prepare.playbook);
      kvmplay(join(dir, 'prepare.yaml'), join(dir, 'vms.json'));
    }
    kvmplay(join(root, 'playbooks', 'vm-rollout.yaml'), join(dir, 'vms.json'));
    const reset = async (h: string, g: string): Promise<void> => {
      if (kind.reset) await sh(h, kind.reset, g);
    };
    // One guest at a time on the first host: its boot and shutdown, `tries` times.
    const [first] = hostNames;
    const [one] = guestsOf(first!);
    const boots: number[] = [];
    const offs: number[] = [];
    for (let i = 0; i < tries; i++) {
      await reset(first!, one!);
      boots.push(seconds(await sh(first!, TIME_SCRIPT, one!, 'boot'), `boot ${one}`));
      offs.push(seconds(await sh(first!, TIME_SCRIPT, one!, 'shutdown'), `shutdown ${one}`));
    }
    say(`${kind.label}: virsh start → SSH banner, ${tries} boots on ${first}: ${shown(stats(boots))}`);
    say(`${kind.label}: virsh shutdown (ACPI) → shut off, ${tries} times: ${shown(stats(offs))}`);
    // Every guest of every host at once.
    const all = hostNames.flatMap((h) => guestsOf(h).map((g) => [h, g] as const));
    for (const [h, g] of all) await reset(h, g);
    const t0 = performance.now();
    const together = await Promise.all(all.map(async ([h, g]) => seconds(await sh(h, TIME_SCRIPT, g, 'boot'), `boot ${g}`)));
    say(`${kind.label}: ${together.length} guests on ${hostNames.length} hosts started at once: each answered SSH after ${shown(stats(together))}; all after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    const rss = await Promise.all(all.map(async ([h, g]) =>
      Number(await sh(h, 'awk \'/^VmRSS/ {print $2}\' "/proc/$(cat "/run/libvirt/qemu/$1.pid")/status"', g)) / 1024));
    say(`${kind.label}: qemu resident memory per running guest: ${shown(stats(rss), 'MB', 0)}`);
    const offAll = await Promise.all(all.map(async ([h, g]) => seconds(await sh(h, TIME_SCRIPT, g, 'shutdown'), `shutdown ${g}`)));
    say(`${kind.label}: the same ${offAll.length} guests shut down at once (ACPI): ${shown(stats(offAll))}`);
  } finally {
    for (const h of hostNames) await cleanup(h).catch(() => undefined);
    await Promise.all([...hosts.values()].map((h) => h.close()));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: {
    tries: { type: 'string', default: '10' }, hosts: { type: 'string', default: 'lab01,lab04' }, kind: { type: 'string', default: 'tiny' },
  } });
  const { ensureLab } = await import('../test/support/lab-fixture.js');
  const lab = await ensureLab();
  const kinds = String(values.kind).split(',') as ('tiny' | 'debian')[];
  for (const kind of kinds) {
    await measureGuests(lab.inventory, String(values.hosts).split(','), Number(values.tries), (l) => process.stdout.write(`${l}\n`), kind);
  }
}
