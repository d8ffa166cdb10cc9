// sysctl, hostname, modprobe and reboot on lab hosts. Lab hosts are network namespaces
// sharing this machine's kernel (LAB-NOTES): sysctl is compared with Ansible on per-netns
// keys only (net.ipv4.*) and files under each tool's root, and the running values are
// put back; hostname on Debian without systemd writes /etc/hostname (each host has its
// own UTS namespace anyway), put back too; modprobe runs in check mode only, with both
// tools; reboot runs with kvmplay only and must refuse, leaving the host as it was.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansiblePlaybook, ansibleTaskResults, parseAnsibleJson } from '../support/ansible.js';
import { kvmplay, repoRoot } from '../support/cli.js';
import { ansibleOutcomes, kvmplayOutcomes, TwinLab } from '../support/twin.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'twin-modules', 'kernel');
const ANSIBLE_HOST = 'lab02';
const KVMPLAY_HOST = 'lab03';
const KEYS = ['net.ipv4.ip_default_ttl', 'net.ipv4.icmp_echo_ignore_broadcasts'];

interface Saved { values: string; hostname: string }

describe('sysctl, hostname, modprobe and reboot on lab hosts', function () {
  let lab: TwinLab;
  const saved = new Map<string, Saved>();
  before(async () => {
    lab = await TwinLab.open('kernel');
    for (const h of [ANSIBLE_HOST, KVMPLAY_HOST]) {
      saved.set(h, { values: await lab.sh(h, 'sysctl -n "$@"', ...KEYS), hostname: await lab.read(h, '/etc/hostname') });
    }
  });
  after(async () => {
    // The running values, /etc/hostname and /etc/HOSTNAME as they were before the test.
    for (const [h, s] of saved) {
      const [ttl = '64', icmp = '1'] = s.values.trim().split('\n');
      await lab.sh(h, 'sysctl -q -w "$1=$2" "$3=$4"; printf %s "$5" > /etc/hostname; rm -f /etc/HOSTNAME', KEYS[0]!, ttl, KEYS[1]!, icmp, s.hostname);
    }
    await lab.close();
  });

  async function state(host: string, root: string): Promise<string> {
    const files = await lab.sh(host, 'cd "$1" 2>/dev/null || exit 0; for f in *.conf out/*; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 0', root);
    const running = await lab.sh(host, 'sysctl "$@"', ...KEYS);
    const names = await lab.sh(host, 'echo "--- /etc/hostname"; cat /etc/hostname; echo "--- /etc/HOSTNAME"; cat /etc/HOSTNAME 2>/dev/null; [ "$(hostname)" = "$1" ] && echo "the running name is still the host\'s"; exit 0', host);
    return `${await lab.fileTree(host, root)}${files}${running}${names}`;
  }

  it('sets sysctl keys in files and in the running namespace, and the host name, as Ansible does', async () => {
    const r = await lab.twin({ playbook: join(fixtures, 'sysctl-hostname.yaml'), ansibleHost: ANSIBLE_HOST, kvmplayHost: KVMPLAY_HOST, state });
    assert.deepEqual(r.problems, []);
    for (const line of ['sysctl: changed', 'sysctl: ok', 'sysctl: failed', 'hostname: changed', 'hostname: ok', 'hostname: failed']) assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    assert.equal(await lab.read(KVMPLAY_HOST, '/etc/hostname'), 'kvtw-host.example.test\n');
    // The running values are back where they were (the playbook ends with 64 and 1).
    assert.equal(await lab.sh(KVMPLAY_HOST, 'sysctl -n "$@"', ...KEYS), '64\n1\n');
  });

  it('fails modprobe in check mode as Ansible does: no modprobe on a lab host', async () => {
    const playbook = join(fixtures, 'modprobe-check.yaml');
    const scratch = mkdtempSync(join(tmpdir(), 'kvmplay-twin-modprobe-'));
    try {
      const a = await ansiblePlaybook(['-i', lab.lab.inventory, '--limit', ANSIBLE_HOST, '--check', playbook], { scratch, timeoutMs: 300_000 });
      const k = await kvmplay(['run', playbook, '-i', lab.lab.inventory, '--limit', KVMPLAY_HOST, '--check', '--json'], { timeoutMs: 300_000 });
      assert.equal(a.code, 0, a.stdout.slice(-3000));
      assert.equal(k.code, 0, k.stderr);
      assert.deepEqual(kvmplayOutcomes(k.stdout, KVMPLAY_HOST), ansibleOutcomes(a.stdout, ANSIBLE_HOST));
      const ansibleMsg = ansibleTaskResults(parseAnsibleJson(a.stdout)).find((t) => t.task === 'debug')?.result['msg'];
      assert.equal(ansibleMsg, 'True True True');
      assert.match(k.stdout, /"msg":"True True True"/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('refuses reboot on a lab host, in check mode too, and the host stays up on the same boot', async () => {
    const bootId = await lab.sh(KVMPLAY_HOST, 'cat /proc/sys/kernel/random/boot_id');
    for (const extra of [['--check'], []]) {
      const k = await kvmplay(['run', join(fixtures, 'reboot.yaml'), '-i', lab.lab.inventory, '--limit', KVMPLAY_HOST, '--json', ...extra], { timeoutMs: 300_000 });
      assert.equal(k.code, 0, k.stderr);
      assert.match(k.stdout, /"msg":"True False False: reboot is not supported on this host: it is a kvmplay lab host, so rebooting it would reboot the control machine"/);
    }
    assert.equal(await lab.sh(KVMPLAY_HOST, 'cat /proc/sys/kernel/random/boot_id'), bootId);
  });
});
