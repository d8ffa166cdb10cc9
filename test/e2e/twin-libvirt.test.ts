// community.libvirt's virt, virt_net and virt_pool against ansible-playbook
// (test/support/twin.ts): ansible-playbook on lab02, kvmplay on lab03, both with libvirt
// from the lab's repository (test/support/kvm-fixture.ts) and the collection's Python
// bindings on the Ansible host. Compared: every task's status on both runs, what the
// playbooks register (written under root) and libvirt's objects (`kvtw-*` domains,
// networks and pools: their states, autostart and inactive XML without the per-host
// uuid and MACs). Each test removes what it created.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { ensureLibvirt } from '../support/kvm-fixture.js';
import { TwinLab } from '../support/twin.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'twin-modules', 'libvirt', name);
const ANSIBLE_HOST = 'lab02';
const KVMPLAY_HOST = 'lab03';

const VIRSH = 'env LC_ALL=C virsh -c qemu:///system';
// libvirt's view of the test's objects; uuids and MACs differ per host by design.
const LIBVIRT_STATE = `
strip() { grep -v -e '<uuid>' -e '<mac address' ; }
for d in $(${VIRSH} list --all --name | grep '^kvtw-' | sort); do
  echo "domain $d: $(${VIRSH} domstate --domain "$d") autostart=$(${VIRSH} dominfo --domain "$d" | sed -n 's/^Autostart: *//p')"
  ${VIRSH} dumpxml --inactive --domain "$d" | strip
done
for n in $(${VIRSH} net-list --all --name | grep '^kvtw-' | sort); do
  echo "network $n: $(${VIRSH} net-info --network "$n" | grep -E '^(Active|Persistent|Autostart|Bridge):' | tr -s ' ' | tr '\\n' ' ')"
  ${VIRSH} net-dumpxml --inactive --network "$n" | strip
done
for p in $(${VIRSH} pool-list --all --name | grep '^kvtw-' | sort); do
  echo "pool $p: $(${VIRSH} pool-info --pool "$p" | grep -E '^(State|Persistent|Autostart):' | tr -s ' ' | tr '\\n' ' ')"
  ${VIRSH} pool-dumpxml --inactive --pool "$p" | strip | grep -v -e '<capacity' -e '<allocation' -e '<available'
  ${VIRSH} vol-list --pool "$p" 2>/dev/null | sed -n '3,$p' | awk 'NF { print "  volume", $1 }'
done
for d in /srv/kvtw-pool /srv/kvtw-pool2; do [ -d "$d" ] && echo "dir $d: $(ls "$d" | tr '\\n' ' ')"; done
true`;

// Everything named kvtw-* goes, whatever state it is in.
const CLEAN = `
for d in $(${VIRSH} list --all --name | grep '^kvtw-'); do ${VIRSH} destroy --domain "$d" >/dev/null 2>&1; ${VIRSH} undefine --domain "$d" >/dev/null 2>&1; done
for n in $(${VIRSH} net-list --all --name | grep '^kvtw-'); do ${VIRSH} net-destroy --network "$n" >/dev/null 2>&1; ${VIRSH} net-undefine --network "$n" >/dev/null 2>&1; done
for p in $(${VIRSH} pool-list --all --name | grep '^kvtw-'); do ${VIRSH} pool-destroy --pool "$p" >/dev/null 2>&1; ${VIRSH} pool-delete --pool "$p" >/dev/null 2>&1; ${VIRSH} pool-undefine --pool "$p" >/dev/null 2>&1; done
rm -rf /srv/kvtw-pool /srv/kvtw-pool2
true`;

// The collection's modules import libvirt and lxml on the managed host.
const PYTHON_BINDINGS = `export DEBIAN_FRONTEND=noninteractive
python3 -c 'import libvirt, lxml' 2>/dev/null && exit 0
apt-get install -y -q -o DPkg::Lock::Timeout=600 python3-libvirt python3-lxml >/dev/null`;

describe('community.libvirt virt, virt_net and virt_pool against Ansible', function () {
  let lab: TwinLab;
  const state = async (h: string, root: string): Promise<string> =>
    `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/registered.txt`)}${await lab.read(h, `${root}/created.txt`)}${await lab.sh(h, LIBVIRT_STATE)}`;

  before(async () => {
    lab = await TwinLab.open('libvirt');
    await Promise.all([ANSIBLE_HOST, KVMPLAY_HOST].map(async (h) => {
      await ensureLibvirt(lab.host(h));
      await lab.sh(h, CLEAN);
    }));
    await lab.sh(ANSIBLE_HOST, PYTHON_BINDINGS);
  });
  afterEach(async () => {
    await Promise.all([ANSIBLE_HOST, KVMPLAY_HOST].map((h) => lab.sh(h, CLEAN)));
  });
  after(async () => {
    await lab.close();
  });

  it('defines, starts, pauses, resumes, autostarts and destroys a domain, and reads the host, as ansible-playbook does', async () => {
    const r = await lab.twin({ playbook: fixture('virt.yaml'), ansibleHost: ANSIBLE_HOST, kvmplayHost: KVMPLAY_HOST, state });
    assert.deepEqual(r.problems, []);
    for (const line of ['Define the domain: changed', 'Define it again, unchanged: ok', 'Pause a paused domain by command: ok',
      'Start a running domain by command: failed', 'A state for a domain libvirt does not know: failed', 'Destroyed again: ok']) {
      assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    }
    assert.match(await lab.read(KVMPLAY_HOST, `${lab.base}/1-kvmplay/registered.txt`), /^info: running 65536 65536 1 1 True$/m);
  });

  it('defines, starts, autostarts, modifies and removes networks, and reads their facts, as ansible-playbook does', async () => {
    const r = await lab.twin({ playbook: fixture('virt-net.yaml'), ansibleHost: ANSIBLE_HOST, kvmplayHost: KVMPLAY_HOST, state });
    assert.deepEqual(r.problems, []);
    for (const line of ['Define the network: changed', 'Present, already: ok', 'Add a DHCP host: changed', 'The same DHCP host again: ok',
      'Stopped again: ok', 'Removed again: ok', 'Start a network libvirt does not know: failed']) {
      assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    }
    assert.match(await lab.read(KVMPLAY_HOST, `${lab.base}/2-kvmplay/registered.txt`), /^net: yes yes active kvtwbr0 nat kvtw\.test \[\] 36 True$/m);
  });

  it('defines, builds, starts, refreshes and deletes directory pools, and reads their facts, as ansible-playbook does', async () => {
    const r = await lab.twin({ playbook: fixture('virt-pool.yaml'), ansibleHost: ANSIBLE_HOST, kvmplayHost: KVMPLAY_HOST, state });
    assert.deepEqual(r.problems, []);
    for (const line of ['Define the pool: changed', 'Build it: changed', 'Present, already: ok', 'Built with no_overwrite, which a directory pool refuses: failed', 'Deleted with its directory: changed', 'Start a pool libvirt does not know: failed']) {
      assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    }
    assert.match(await lab.read(KVMPLAY_HOST, `${lab.base}/3-kvmplay/registered.txt`), /^pool: running yes yes active dir \/srv\/kvtw-pool 1 \['disk0\.img'\] True True 36$/m);
  });
});
