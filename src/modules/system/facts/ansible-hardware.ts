// Ansible's processor, memory (hardware/linux.py) and virtualization (virtual/linux.py)
// facts from the probe's raw reads. The processor counts keep Ansible's arithmetic,
// quirks included (a core id is remembered only when no socket has that id), so that
// the numbers are the ones a playbook written for Ansible expects.
import { fileContent, fileLines, type AnsibleProbe } from './ansible-probe.js';

type Facts = Record<string, unknown>;

const PROCESSOR_KEYS = new Set(['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor']);

export function cpuFacts(p: AnsibleProbe, architecture: string, nproc: number | undefined): Facts {
  const lines = p.section('cpuinfo').split('\n').filter((l) => l !== '');
  if (lines.length === 0) return {};
  const xen = p.exists.has('/proc/xen') || (fileLines(p, '/sys/hypervisor/type')[0] ?? '').trim() === 'xen';
  let xenParavirt = false;
  const processor: string[] = [];
  let i = 0;
  let vendorIds = 0;
  let modelNames = 0;
  let processors = 0;
  // Python dict keys: the initial ids are the int 0, distinct from the string '0'.
  let physid: string | number = 0;
  let coreid: string | number = 0;
  const sockets = new Map<string | number, number>();
  const cores = new Map<string | number, number>();
  const out: Facts = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const key = (colon >= 0 ? line.slice(0, colon) : line).trim();
    const val = colon >= 0 ? line.slice(colon + 1).trim() : '';
    // The probe reduces each flags line to `vme` or `-`: Xen paravirt lacks vme.
    if (xen && key === 'flags' && !val.includes('vme')) xenParavirt = true;
    if (PROCESSOR_KEYS.has(key)) {
      processor.push(val);
      if (key === 'vendor_id') vendorIds += 1;
      if (key === 'model name') modelNames += 1;
      if (key === 'processor') processors += 1;
      i += 1;
    } else if (key === 'physical id') {
      physid = val;
      if (!sockets.has(physid)) sockets.set(physid, 1);
    } else if (key === 'core id') {
      coreid = val;
      if (!sockets.has(coreid)) cores.set(coreid, 1);
    } else if (key === 'cpu cores') sockets.set(physid, parseInt(val, 10));
    else if (key === 'siblings') cores.set(coreid, parseInt(val, 10));
    else if (key === '# processors') out['processor_cores'] = parseInt(val, 10);
    else if (key === 'ncpus active') i = parseInt(val, 10);
  }
  out['processor'] = processor;
  if (vendorIds > 0 && vendorIds === modelNames) i = vendorIds;
  if (/^(armv|aarch|ppc)/.test(architecture)) i = processors;
  if (architecture === 's390x') return out;
  if (xenParavirt) {
    Object.assign(out, { processor_count: i, processor_cores: i, processor_threads_per_core: 1, processor_vcpus: i });
    return out;
  }
  const count = sockets.size > 0 ? sockets.size : i;
  const firstSocket = [...sockets.values()][0];
  const coresPerSocket = firstSocket ? firstSocket : 1;
  const firstCore = [...cores.values()][0];
  const threads = Math.floor((firstCore ?? 1) / coresPerSocket);
  Object.assign(out, {
    processor_count: count,
    processor_cores: coresPerSocket,
    processor_threads_per_core: threads,
    processor_vcpus: threads * count * coresPerSocket,
    // len(os.sched_getaffinity(0)): what nproc prints.
    processor_nproc: nproc ?? processors,
  });
  return out;
}

const ORIGINAL_MEMORY = new Set(['MemTotal', 'SwapTotal', 'MemFree', 'SwapFree']);
const MEMORY = new Set([...ORIGINAL_MEMORY, 'Buffers', 'Cached', 'SwapCached']);

export function memoryFacts(p: AnsibleProbe): Facts {
  if (!p.files.has('/proc/meminfo') || p.files.get('/proc/meminfo') === null) return {};
  const out: Facts = {};
  const stats = new Map<string, number>();
  for (const line of fileLines(p, '/proc/meminfo')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const mb = Math.floor(parseInt(line.slice(colon + 1).trim().split(' ')[0] ?? '', 10) / 1024);
    if (ORIGINAL_MEMORY.has(key)) out[`${key.toLowerCase()}_mb`] = mb;
    if (MEMORY.has(key)) stats.set(key.toLowerCase(), mb);
  }
  const get = (k: string): number | null => stats.get(k) ?? null;
  const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
  const nocacheFree = get('cached') === null || get('memfree') === null || get('buffers') === null ? null : get('cached')! + get('memfree')! + get('buffers')!;
  out['memory_mb'] = {
    real: { total: get('memtotal'), used: diff(get('memtotal'), get('memfree')), free: get('memfree') },
    nocache: { free: nocacheFree, used: diff(get('memtotal'), nocacheFree) },
    swap: { total: get('swaptotal'), free: get('swapfree'), used: diff(get('swaptotal'), get('swapfree')), cached: get('swapcached') },
  };
  return out;
}

const KVM_SYS_VENDORS = new Set(['QEMU', 'Amazon EC2', 'DigitalOcean', 'Google', 'Scaleway', 'Nutanix']);

/** virtual/linux.py: the first technology found sets type and role; every one found joins the tech lists. */
export function virtualFacts(p: AnsibleProbe): Facts {
  const facts: { virtualization_type?: string; virtualization_role?: string } = {};
  let found = false;
  const host: string[] = [];
  const guest: string[] = [];
  const add = (set: string[], tech: string): void => {
    if (!set.includes(tech)) set.push(tech);
  };
  const guestIs = (tech: string, type = tech, role: string | undefined = 'guest'): void => {
    add(guest, tech);
    if (!found) {
      facts.virtualization_type = type;
      if (role !== undefined) facts.virtualization_role = role;
      found = true;
    }
  };

  for (const line of p.files.has('/proc/1/cgroup') ? fileLines(p, '/proc/1/cgroup') : []) {
    if (/\/docker(\/|-[0-9a-f]+\.scope)/.test(line)) guestIs('docker');
    if (/\/lxc\//.test(line) || /\/machine\.slice\/machine-lxc/.test(line)) guestIs('lxc');
    if (/\/system\.slice\/containerd\.service/.test(line)) guestIs('containerd');
  }
  for (const line of p.section('pid1-environ').split('\n')) {
    if (line.includes('container=lxc')) guestIs('lxc');
    if (line.includes('container=podman')) guestIs('podman');
    if (/^container=./.test(line)) guestIs('container');
  }
  if (p.exists.has('/proc/vz') && !p.exists.has('/proc/lve')) {
    facts.virtualization_type = 'openvz';
    if (p.exists.has('/proc/bc')) {
      add(host, 'openvz');
      if (!found) facts.virtualization_role = 'host';
    } else {
      add(guest, 'openvz');
      if (!found) facts.virtualization_role = 'guest';
    }
    found = true;
  }
  const systemdContainer = fileContent(p, '/run/systemd/container');
  if (systemdContainer) guestIs(systemdContainer);
  if (p.exists.has('/.dockerenv') || p.exists.has('/.dockerinit')) guestIs('docker');
  if (['docker', 'lxc', 'podman', 'openvz', 'containerd'].some((t) => guest.includes(t)) || systemdContainer) add(guest, 'container');

  if (p.exists.has('/proc/xen')) {
    if (fileLines(p, '/proc/xen/capabilities').some((l) => l.includes('control_d'))) {
      add(host, 'xen');
      if (!found) Object.assign(facts, { virtualization_type: 'xen', virtualization_role: 'host' });
    } else if (!found) Object.assign(facts, { virtualization_type: 'xen', virtualization_role: 'guest' });
    found = true;
  }
  // Assume guest for the DMI checks; taken back below when none matched.
  if (!found) facts.virtualization_role = 'guest';
  const dmi = (f: string): string | undefined => fileContent(p, `/sys/devices/virtual/dmi/id/${f}`);
  const product = dmi('product_name');
  const vendor = dmi('sys_vendor');
  const family = dmi('product_family');
  const bios = dmi('bios_vendor');
  const dmiIs = (cond: boolean, tech: string): void => {
    if (cond) guestIs(tech, tech, undefined);
  };
  dmiIs(['KVM', 'KVM Server', 'Bochs', 'AHV'].includes(product ?? ''), 'kvm');
  dmiIs(vendor === 'oVirt', 'oVirt');
  dmiIs(vendor === 'Red Hat' && family === 'RHV', 'RHV');
  dmiIs(vendor === 'Red Hat' && family !== 'RHV' && product === 'RHEV Hypervisor', 'RHEV');
  dmiIs(['VMware Virtual Platform', 'VMware7,1'].includes(product ?? ''), 'VMware');
  dmiIs(['OpenStack Compute', 'OpenStack Nova'].includes(product ?? ''), 'openstack');
  dmiIs(bios === 'Xen', 'xen');
  dmiIs(bios === 'innotek GmbH', 'virtualbox');
  dmiIs(['Amazon EC2', 'DigitalOcean', 'Hetzner'].includes(bios ?? ''), 'kvm');
  dmiIs(KVM_SYS_VENDORS.has(vendor ?? ''), 'kvm');
  dmiIs(vendor === 'KubeVirt', 'KubeVirt');
  dmiIs(vendor === 'Microsoft Corporation', 'VirtualPC');
  dmiIs(vendor === 'Parallels Software International Inc.', 'parallels');
  dmiIs(vendor === 'OpenStack Foundation', 'openstack');
  if (!found) delete facts.virtualization_role;

  for (const line of p.section('vxid').split('\n')) {
    if (!/^VxID:\s+\d+/.test(line)) continue;
    if (!found) facts.virtualization_type = 'linux_vserver';
    const isHost = /^VxID:\s+0/.test(line);
    add(isHost ? host : guest, 'linux_vserver');
    if (!found) facts.virtualization_role = isHost ? 'host' : 'guest';
    found = true;
  }
  for (const line of p.section('cpuinfo').split('\n')) {
    let tech: string | undefined;
    if (/^model name.*QEMU Virtual CPU/.test(line)) tech = 'kvm';
    else if (/^vendor_id.*User Mode Linux/.test(line) || /^model name.*UML/.test(line)) tech = 'uml';
    else if (/^machine.*CHRP IBM pSeries .emulated by qemu./.test(line)) tech = 'kvm';
    else if (/^vendor_id.*PowerVM Lx86/.test(line)) tech = 'powervm_lx86';
    // IBM/S390: Ansible asks lscpu for the hypervisor; the probe does not run it (ibm_systemz).
    else if (/^vendor_id.*IBM\/S390/.test(line)) {
      add(guest, 'PR/SM');
      if (!found) facts.virtualization_type = 'PR/SM';
      add(guest, 'ibm_systemz');
      if (!found) facts.virtualization_type = 'ibm_systemz';
    } else continue;
    if (tech) {
      add(guest, tech);
      if (!found) facts.virtualization_type = tech;
    }
    if (!found) facts.virtualization_role = facts.virtualization_type === 'PR/SM' ? 'LPAR' : 'guest';
    found = true;
  }
  if (p.has('modules')) {
    const modules = new Set(p.section('modules').split('\n').filter(Boolean));
    if (modules.has('kvm')) {
      add(host, 'kvm');
      if (!found) Object.assign(facts, { virtualization_type: 'kvm', virtualization_role: 'host' });
      if (p.exists.has('/rhev/') && p.kv.get('vdsm') === 'yes') {
        add(host, 'RHEV');
        if (!found) facts.virtualization_type = 'RHEV';
      }
      found = true;
    }
    const hostOrGuest = (module: string, tech: string, role: string, list: string[]): void => {
      if (!modules.has(module)) return;
      add(list, tech);
      if (!found) {
        Object.assign(facts, { virtualization_type: tech, virtualization_role: role });
        found = true;
      }
    };
    hostOrGuest('vboxdrv', 'virtualbox', 'host', host);
    hostOrGuest('virtio', 'kvm', 'guest', host);
  }
  const dmidecode = p.section('dmidecode');
  if (/^@@rc 0$/m.test(dmidecode)) {
    const out = dmidecode.split('\n').filter((l) => !l.startsWith('@@')).join('\n');
    const vendorName = out.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.trim()).join('');
    if (vendorName.startsWith('VMware')) guestIs('VMware');
    if (out.includes('BHYVE')) guestIs('bhyve');
  }
  if (p.exists.has('/dev/kvm')) {
    add(host, 'kvm');
    if (!found) {
      Object.assign(facts, { virtualization_type: 'kvm', virtualization_role: 'host' });
      found = true;
    }
  }
  if (!found) Object.assign(facts, { virtualization_type: 'NA', virtualization_role: 'NA' });
  return { ...facts, virtualization_tech_guest: guest, virtualization_tech_host: host };
}
