// The shipped libvirt templates (SPEC 5): rendered with fixed variables and compared
// byte for byte with reviewed golden files, then checked element by element.
// UPDATE_GOLDEN=1 rewrites the golden files; review them by eye before committing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileTemplate, renderTemplate, type CompiledTemplate, type TemplateVars } from './render.js';
import { TemplateError } from './template-error.js';

// Compiled to dist/src/template/: the repository root is three levels up.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const GOLDEN = join(ROOT, 'test/fixtures/golden');

function load(file: string): CompiledTemplate {
  const name = `templates/${file}`;
  return compileTemplate(readFileSync(join(ROOT, name), 'utf8'), { name });
}

const domain = load('domain.xml.hbs');
const network = load('network.xml.hbs');

const FULL_VM = {
  name: 'web01',
  memory: '2GiB',
  current_memory: '1GiB',
  vcpus: 2,
  machine: 'pc',
  boot: ['cdrom', 'hd'],
  disks: [
    { size: '20GiB', format: 'qcow2', bus: 'virtio' },
    { size: '40GiB', format: 'qcow2', bus: 'virtio', path: '/srv/vm/web01-data.qcow2' },
    { size: '1GiB', format: 'raw', bus: 'ide', device: 'hda' },
  ],
  cdrom: '/var/lib/libvirt/images/install.iso',
  interfaces: [
    { bridge: 'br0', model: 'virtio' },
    { network: 'default', model: 'e1000' },
    { bridge: 'br1', model: 'virtio', mac: '52:54:00:aa:bb:cc' },
  ],
  graphics: { type: 'vnc', listen: '127.0.0.1', port: 5901 },
};

const FULL_VARS = {
  inventory_hostname: 'hv01',
  virt_type: 'kvm',
  pool_path: '/var/lib/libvirt/pool',
  emulator: '/usr/libexec/qemu-kvm',
  vm: FULL_VM,
};

const MINIMAL_VARS = {
  inventory_hostname: 'hv01',
  virt_type: 'qemu',
  vm: {
    name: 'db01',
    memory: '512MiB',
    vcpus: 1,
    disks: [{ size: '10GiB', format: 'qcow2', bus: 'virtio' }],
    interfaces: [{ network: 'default', model: 'virtio' }],
  },
};

const NETWORK_VARS = {
  net: {
    name: 'default',
    bridge: 'virbr0',
    address: '192.168.122.1',
    netmask: '255.255.255.0',
    dhcp_start: '192.168.122.2',
    dhcp_end: '192.168.122.254',
  },
};

/** Render and check that the result is well-formed XML, indented two spaces a level. */
function render(template: CompiledTemplate, vars: TemplateVars): string {
  const text = renderTemplate(template, vars);
  checkXml(text);
  return text;
}

function withVm(vm: Record<string, unknown>, vars: Record<string, unknown> = MINIMAL_VARS): TemplateVars {
  return { ...vars, vm: { ...(vars['vm'] as Record<string, unknown>), ...vm } };
}

function renderError(template: CompiledTemplate, vars: TemplateVars): TemplateError {
  try {
    renderTemplate(template, vars);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `expected a TemplateError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the template to fail');
}

function all(text: string, re: RegExp): string[] {
  return [...text.matchAll(re)].map((m) => m[1] ?? '');
}

function golden(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${file} differs from the render (UPDATE_GOLDEN=1 rewrites it)`);
}

// A small checker for the XML these templates write: elements, quoted attributes,
// entity references, comments-free, one root, every line indented 2 spaces a level
// and no blank lines. Not a general parser: no DTD, CDATA or processing instructions.
const NAME = '[A-Za-z_][\\w.:-]*';
const TAG = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}='[^'<]*'|\\s+${NAME}="[^"<]*")*)\\s*(/?)>`);
const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

function checkXml(text: string): void {
  assert.ok(text.endsWith('>\n'), 'ends with one newline after the root element');
  const lines = text.slice(0, -1).split('\n');
  const stack: string[] = [];
  let roots = 0;
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    assert.ok(line.trim() !== '', `blank ${where}`);
    assert.ok(!/\s$/.test(line), `trailing whitespace on ${where}`);
    const indent = line.length - line.trimStart().length;
    let rest = line.trimStart();
    const depthBefore = stack.length - (rest.startsWith('</') ? 1 : 0);
    assert.equal(indent, 2 * depthBefore, `indentation of ${where}`);
    while (rest !== '') {
      if (rest.startsWith('<')) {
        const m = TAG.exec(rest);
        assert.ok(m, `malformed tag at ${where}`);
        const [whole, close, name, attrs, selfClose] = m;
        assert.ok(!ENTITY.test(attrs ?? ''), `bare & in attributes at ${where}`);
        const keys = all(attrs ?? '', new RegExp(`(${NAME})=`, 'g'));
        assert.equal(new Set(keys).size, keys.length, `duplicate attribute at ${where}`);
        if (close) {
          assert.ok(!selfClose && !attrs, `malformed end tag at ${where}`);
          assert.equal(stack.pop(), name, `mismatched </${name}> at ${where}`);
        } else {
          if (stack.length === 0) roots += 1;
          if (!selfClose) stack.push(name ?? '');
        }
        rest = rest.slice(whole.length);
      } else {
        const end = rest.indexOf('<');
        const chars = end === -1 ? rest : rest.slice(0, end);
        assert.ok(stack.length > 0, `text outside the root at ${where}`);
        assert.ok(!ENTITY.test(chars) && !chars.includes('>'), `unescaped text at ${where}`);
        rest = end === -1 ? '' : rest.slice(end);
      }
    }
  });
  assert.deepEqual(stack, [], 'every element is closed');
  assert.equal(roots, 1, 'exactly one root element');
}

describe('the well-formedness check these tests rely on', () => {
  it('accepts nested, indented elements and rejects broken XML', () => {
    checkXml("<a>\n  <b x='1'>t &amp; u</b>\n  <c/>\n</a>\n");
    for (const bad of [
      '<a>\n  <b>\n</a>\n', // mismatched
      '<a>\n<b/>\n</a>\n', // indentation
      '<a>\n\n</a>\n', // blank line
      "<a x='1' x='2'/>\n", // duplicate attribute
      '<a>b & c</a>\n', // bare ampersand
      "<a x='<'/>\n", // < in attribute
      '<a/>\n<b/>\n', // two roots
    ]) {
      assert.throws(() => checkXml(bad), assert.AssertionError, JSON.stringify(bad));
    }
  });
});

describe('templates/domain.xml.hbs', () => {
  it('renders the full VM exactly as the reviewed golden file', () => {
    golden('domain-full.xml', render(domain, FULL_VARS));
  });

  it('renders a minimal VM exactly as the reviewed golden file', () => {
    golden('domain-minimal.xml', render(domain, MINIMAL_VARS));
  });

  it('writes memory and currentMemory in KiB, currentMemory defaulting to memory', () => {
    const full = render(domain, FULL_VARS);
    assert.match(full, /<memory unit='KiB'>2097152<\/memory>/);
    assert.match(full, /<currentMemory unit='KiB'>1048576<\/currentMemory>/);
    const minimal = render(domain, MINIMAL_VARS);
    assert.match(minimal, /<memory unit='KiB'>524288<\/memory>/);
    assert.match(minimal, /<currentMemory unit='KiB'>524288<\/currentMemory>/);
  });

  it('names disk targets by bus and position unless a device is given', () => {
    assert.deepEqual(all(render(domain, FULL_VARS), /<target dev='(\w+)' bus=/g), ['vda', 'vdb', 'hda', 'hdc']);
    const mixed = withVm({
      disks: [
        { size: '1GiB', format: 'raw', bus: 'ide' },
        { size: '1GiB', format: 'qcow2', bus: 'virtio' },
        { size: '1GiB', format: 'qcow2', bus: 'sata' },
        { size: '1GiB', format: 'qcow2', bus: 'scsi' },
      ],
    });
    assert.deepEqual(all(render(domain, mixed), /<target dev='(\w+)' bus=/g), ['hda', 'vdb', 'sdc', 'sdd']);
  });

  it('puts default disk paths under pool_path, /var/lib/libvirt/images when not given', () => {
    assert.deepEqual(all(render(domain, FULL_VARS), /<source file='([^']+)'/g), [
      '/var/lib/libvirt/pool/web01-0.qcow2',
      '/srv/vm/web01-data.qcow2',
      '/var/lib/libvirt/pool/web01-2.raw',
      '/var/lib/libvirt/images/install.iso',
    ]);
    assert.match(render(domain, MINIMAL_VARS), /<source file='\/var\/lib\/libvirt\/images\/db01-0\.qcow2'\/>/);
  });

  it('gives each NIC a stable MAC of its own, distinct per interface index', () => {
    const macs = all(render(domain, FULL_VARS), /<mac address='([^']+)'/g);
    assert.equal(macs.length, 3);
    assert.equal(macs[2], '52:54:00:aa:bb:cc');
    for (const m of macs) assert.match(m, /^52:54:00(:[0-9a-f]{2}){3}$/);
    assert.equal(new Set(macs).size, 3);
    assert.deepEqual(all(render(domain, FULL_VARS), /<mac address='([^']+)'/g), macs);
    // Seeded by host/vm/index: another host or VM gets other addresses.
    const other = all(render(domain, { ...FULL_VARS, inventory_hostname: 'hv02' }), /<mac address='([^']+)'/g);
    assert.notEqual(other[0], macs[0]);
    assert.notEqual(other[1], macs[1]);
  });

  it('writes bridge and network interfaces with their source and model', () => {
    const full = render(domain, FULL_VARS);
    assert.match(full, /<interface type='bridge'>\n {6}<mac address='[^']+'\/>\n {6}<source bridge='br0'\/>\n {6}<model type='virtio'\/>/);
    assert.match(full, /<interface type='network'>\n {6}<mac address='[^']+'\/>\n {6}<source network='default'\/>\n {6}<model type='e1000'\/>/);
  });

  it('keeps the uuid stable across renders and uses a given uuid as is', () => {
    const uuid = all(render(domain, FULL_VARS), /<uuid>([^<]+)<\/uuid>/g);
    assert.equal(uuid.length, 1);
    assert.match(uuid[0] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(all(render(domain, FULL_VARS), /<uuid>([^<]+)<\/uuid>/g), uuid);
    assert.notDeepEqual(all(render(domain, MINIMAL_VARS), /<uuid>([^<]+)<\/uuid>/g), uuid);
    const given = '11111111-2222-3333-4444-555555555555';
    assert.match(render(domain, withVm({ uuid: given })), new RegExp(`<uuid>${given}</uuid>`));
  });

  it('uses autoport for VNC unless a port is given', () => {
    assert.match(render(domain, FULL_VARS), /<graphics type='vnc' port='5901' autoport='no' listen='127\.0\.0\.1'>/);
    const auto = render(domain, withVm({ graphics: { type: 'vnc', listen: '0.0.0.0' } }));
    assert.match(auto, /<graphics type='vnc' port='-1' autoport='yes' listen='0\.0\.0\.0'>\n {6}<listen type='address' address='0\.0\.0\.0'\/>/);
    assert.doesNotMatch(render(domain, MINIMAL_VARS), /<graphics/);
  });

  it('boots from the given list, else hd then the cdrom when there is one', () => {
    assert.deepEqual(all(render(domain, FULL_VARS), /<boot dev='(\w+)'\/>/g), ['cdrom', 'hd']);
    assert.deepEqual(all(render(domain, MINIMAL_VARS), /<boot dev='(\w+)'\/>/g), ['hd']);
    assert.deepEqual(all(render(domain, withVm({ cdrom: '/iso/x.iso' })), /<boot dev='(\w+)'\/>/g), ['hd', 'cdrom']);
  });

  it('boots a kernel directly when given one (no boot devices), with its initrd and command line', () => {
    const cmdline = `console=ttyS0 hostname=g1 key="ssh-ed25519 AAAA x@y" & more`;
    const xml = render(domain, withVm({ kernel: '/var/lib/kvmplay/guest/vmlinuz', initrd: '/var/lib/kvmplay/guest/initrd.img', cmdline, cdrom: '/iso/seed.iso' }));
    assert.match(xml, /<type arch='x86_64'>hvm<\/type>\n {4}<kernel>\/var\/lib\/kvmplay\/guest\/vmlinuz<\/kernel>\n {4}<initrd>\/var\/lib\/kvmplay\/guest\/initrd\.img<\/initrd>\n {4}<cmdline>console=ttyS0 hostname=g1 key=&quot;ssh-ed25519 AAAA x@y&quot; &amp; more<\/cmdline>\n {2}<\/os>/);
    assert.doesNotMatch(xml, /<boot /);
    const bare = render(domain, withVm({ kernel: '/boot/vmlinuz' }));
    assert.match(bare, /<kernel>\/boot\/vmlinuz<\/kernel>\n {2}<\/os>/);
    assert.doesNotMatch(render(domain, FULL_VARS), /<kernel>|<initrd>|<cmdline>/);
  });

  it('attaches the cloud-init seed read-only on hdd, beside an install ISO on hdc, and never boots from it', () => {
    const seed = render(domain, withVm({ cloud_init: { user_data: { hostname: 'db01' } } }));
    assert.match(seed, /<disk type='file' device='cdrom'>\n {6}<driver name='qemu' type='raw'\/>\n {6}<source file='\/var\/lib\/libvirt\/images\/db01-cidata\.iso'\/>\n {6}<target dev='hdd' bus='ide'\/>\n {6}<readonly\/>\n {4}<\/disk>/);
    assert.equal(all(seed, /<controller type='(ide)'/g).length, 1);
    assert.deepEqual(all(seed, /<boot dev='(\w+)'\/>/g), ['hd']);
    const both = render(domain, withVm({ cdrom: '/iso/install.iso', cloud_init: {} }, { ...MINIMAL_VARS, pool_path: '/srv/pool' }));
    assert.deepEqual(all(both, /<target dev='(\w+)' bus=/g), ['vda', 'hdc', 'hdd']);
    assert.deepEqual(all(both, /<source file='([^']+)'/g), ['/srv/pool/db01-0.qcow2', '/iso/install.iso', '/srv/pool/db01-cidata.iso']);
    assert.deepEqual(all(both, /<boot dev='(\w+)'\/>/g), ['hd', 'cdrom'], 'the install ISO boots after the disk, the seed never');
    assert.equal(all(both, /<controller type='(ide)'/g).length, 1);
    const kernel = render(domain, withVm({ kernel: '/boot/vmlinuz', cloud_init: {} }));
    assert.match(kernel, /<source file='\/var\/lib\/libvirt\/images\/db01-cidata\.iso'\/>/);
    assert.doesNotMatch(kernel, /<boot /);
    assert.doesNotMatch(render(domain, MINIMAL_VARS), /cidata|device='cdrom'|type='ide'/);
  });

  it('sizes the translation cache of software emulation only when asked', () => {
    assert.match(render(domain, withVm({ tb_cache: '32MiB' })), /<pae\/>\n {4}<tcg>\n {6}<tb-cache unit='KiB'>32768<\/tb-cache>\n {4}<\/tcg>\n {2}<\/features>/);
    assert.doesNotMatch(render(domain, FULL_VARS), /<tcg>/);
  });

  it('writes the emulator and the machine only when given', () => {
    assert.match(render(domain, FULL_VARS), /<emulator>\/usr\/libexec\/qemu-kvm<\/emulator>/);
    assert.match(render(domain, FULL_VARS), /<type arch='x86_64' machine='pc'>hvm<\/type>/);
    const minimal = render(domain, MINIMAL_VARS);
    assert.doesNotMatch(minimal, /<emulator>/);
    assert.match(minimal, /<type arch='x86_64'>hvm<\/type>/);
    assert.match(minimal, /^<domain type='qemu'>$/m);
  });

  it('escapes an awkward VM name everywhere it appears', () => {
    const name = `a&b <c> "d" 'e'`;
    const xml = render(domain, withVm({ name }));
    assert.match(xml, /<name>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;<\/name>/);
    assert.match(xml, /<source file='\/var\/lib\/libvirt\/images\/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;-0\.qcow2'\/>/);
    assert.ok(!xml.includes(name));
  });

  it('refuses to render without vm.vcpus, naming the variable', () => {
    const vm = { ...MINIMAL_VARS.vm } as Record<string, unknown>;
    delete vm['vcpus'];
    const e = renderError(domain, { ...MINIMAL_VARS, vm });
    assert.equal(e.variable, 'vm.vcpus');
    assert.equal(e.template, 'templates/domain.xml.hbs');
    assert.match(e.message, /vm\.vcpus/);
  });

  it('refuses an interface with neither bridge nor network, naming network', () => {
    const e = renderError(domain, withVm({ interfaces: [{ model: 'virtio' }] }));
    assert.match(e.variable ?? '', /network$/);
  });

  it('refuses an eleventh disk without a device rather than guessing its target', () => {
    const disks = Array.from({ length: 11 }, () => ({ size: '1GiB', format: 'qcow2', bus: 'virtio' }));
    assert.match(renderError(domain, withVm({ disks })).variable ?? '', /device$/);
  });

});

describe('templates/network.xml.hbs', () => {
  it('renders a NAT network like libvirt\'s default exactly as the reviewed golden file', () => {
    golden('network-default.xml', render(network, NETWORK_VARS));
  });

  it('keeps the uuid and bridge MAC stable across renders', () => {
    const first = render(network, NETWORK_VARS);
    assert.equal(render(network, NETWORK_VARS), first);
    assert.match(first, /<uuid>[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}<\/uuid>/);
    assert.match(first, /<mac address='52:54:00(:[0-9a-f]{2}){3}'\/>/);
    const other = render(network, { net: { ...NETWORK_VARS.net, name: 'lab' } });
    assert.notEqual(all(other, /<uuid>([^<]+)/g)[0], all(first, /<uuid>([^<]+)/g)[0]);
  });

  it('takes a prefix instead of a netmask, a given uuid and mac, and leaves DHCP out when not asked', () => {
    const xml = render(network, {
      net: { name: 'isolated', bridge: 'virbr9', address: '10.9.0.1', prefix: 24, forward: 'route', uuid: '11111111-2222-3333-4444-555555555555', mac: '52:54:00:01:02:03' },
    });
    assert.match(xml, /<ip address='10\.9\.0\.1' prefix='24'>/);
    assert.match(xml, /<forward mode='route'\/>/);
    assert.match(xml, /<uuid>11111111-2222-3333-4444-555555555555<\/uuid>/);
    assert.match(xml, /<mac address='52:54:00:01:02:03'\/>/);
    assert.doesNotMatch(xml, /<dhcp>/);
  });

  it('refuses to render without net.bridge, naming the variable', () => {
    const net: Record<string, unknown> = { ...NETWORK_VARS.net };
    delete net['bridge'];
    assert.equal(renderError(network, { net }).variable, 'net.bridge');
  });

});
