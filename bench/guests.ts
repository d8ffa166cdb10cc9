// Real guests on lab hypervisors (issue 17): the lab's tiny guest rolled out with
// vm-rollout.yaml, then, timed on the hypervisor itself (/proc/uptime, no SSH round
// trip in the figure):
//   start → SSH      `virsh start` until the guest's port 22 sends an SSH banner
//   shutdown → off   `virsh shutdown` (ACPI) until `domstate` is shut off
// per guest over `tries` boots (median, min, max), then all guests started at once
// (2 per host), and each running guest's qemu resident memory.
// Usage (after `npx tsc -p .`; the shared test lab, as ensureLab() makes it):
//   node dist/bench/guests.js [--tries 10] [--hosts lab01,lab04]
// `npm run bench` runs it on a lab of its own. Guests are removed at the end.
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

export async function measureGuests(inventory: string, hostNames: string[], tries: number, say: (line: string) => void): Promise<void> {
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
  const cleanup = (h: string): Promise<string> => sh(h, `for d in $(virsh -c qemu:///system list --all --name | grep '^${PREFIX}-'); do virsh -c qemu:///system destroy "$d" >/dev/null 2>&1; virsh -c qemu:///system undefine "$d" >/dev/null; done; rm -f /var/lib/libvirt/images/${PREFIX}-*`);
  try {
    for (const h of hostNames) await cleanup(h);
    // The hosts made hypervisors and the guests defined (shut off), by the shipped playbooks.
    const dir = mkdtempSync(join(tmpdir(), 'kvmplay-bench-guests-'));
    const guest = (tag: string) => ({
      name: `${PREFIX}-${tag}-{{ inventory_hostname }}`, memory: '128MiB', vcpus: 1, tb_cache: '32MiB', rng: true,
      kernel: '{{ lab_guest_images }}/vmlinuz', initrd: '{{ lab_guest_images }}/initrd.img',
      cmdline: `console=ttyS0 quiet kvmplay.hostname=${PREFIX}-${tag} kvmplay.ssh_key={{ lab_public_key | replace(' ', ':') }}`,
      disks: [{ size: '8MiB', format: 'raw', bus: 'virtio' }],
      interfaces: [{ network: 'default', model: 'virtio' }],
      autostart: false, state: 'shutdown',
    });
    writeFileSync(join(dir, 'vms.json'), JSON.stringify({ vms: [guest('a'), guest('b')] }));
    for (const playbook of ['bootstrap-hypervisor.yaml', 'vm-rollout.yaml']) {
      execFileSync(join(root, 'bin', 'kvmplay.js'), ['run', join(root, 'playbooks', playbook), '-i', inventory, '--limit', hostNames.join(','), '-e', `@${join(dir, 'vms.json')}`],
        { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    // One guest at a time on the first host: its boot and shutdown, `tries` times.
    const [first] = hostNames;
    const [one] = guestsOf(first!);
    const boots: number[] = [];
    const offs: number[] = [];
    for (let i = 0; i < tries; i++) {
      boots.push(seconds(await sh(first!, TIME_SCRIPT, one!, 'boot'), `boot ${one}`));
      offs.push(seconds(await sh(first!, TIME_SCRIPT, one!, 'shutdown'), `shutdown ${one}`));
    }
    say(`tiny guest, virsh start → SSH banner, ${tries} boots on ${first}: ${shown(stats(boots))}`);
    say(`tiny guest, virsh shutdown (ACPI) → shut off, ${tries} times: ${shown(stats(offs))}`);
    // Every guest of every host at once.
    const t0 = performance.now();
    const all = await Promise.all(hostNames.flatMap((h) => guestsOf(h).map(async (g) => seconds(await sh(h, TIME_SCRIPT, g, 'boot'), `boot ${g}`))));
    say(`${all.length} tiny guests on ${hostNames.length} hosts started at once: each answered SSH after ${shown(stats(all))}; all after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    const rss = await Promise.all(hostNames.flatMap((h) => guestsOf(h).map(async (g) =>
      Number(await sh(h, 'awk \'/^VmRSS/ {print $2}\' "/proc/$(cat "/run/libvirt/qemu/$1.pid")/status"', g)) / 1024)));
    say(`qemu resident memory per running tiny guest (128 MiB guest, 32 MiB translation cache): ${shown(stats(rss), 'MB', 0)}`);
    const offAll = await Promise.all(hostNames.flatMap((h) => guestsOf(h).map(async (g) => seconds(await sh(h, TIME_SCRIPT, g, 'shutdown'), `shutdown ${g}`))));
    say(`the same ${offAll.length} guests shut down at once (ACPI): ${shown(stats(offAll))}`);
  } finally {
    for (const h of hostNames) await cleanup(h).catch(() => undefined);
    await Promise.all([...hosts.values()].map((h) => h.close()));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { tries: { type: 'string', default: '10' }, hosts: { type: 'string', default: 'lab01,lab04' } } });
  const { ensureLab } = await import('../test/support/lab-fixture.js');
  const lab = await ensureLab();
  await measureGuests(lab.inventory, String(values.hosts).split(','), Number(values.tries), (l) => process.stdout.write(`${l}\n`));
}
