import assert from 'node:assert/strict';
import { planDomainState, type WantedDomainState } from './domain-plan.js';
import { describeDomainChange, libvirtDomainModule, planDomain, type DomainFacts, type LibvirtDomainArgs } from './libvirt-domain.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { RecordedHost } from '../../../../test/support/recorded-host.js';
import type { DomainState } from '../virsh/index.js';

describe('libvirt_domain state plan', () => {
  const table: Array<[WantedDomainState, DomainState | null, string[] | 'fail']> = [
    ['defined', 'running', []],
    ['running', 'shut off', ['start']],
    ['running', 'running', []],
    ['running', 'paused', ['resume']],
    ['running', 'crashed', ['start']],
    ['paused', 'running', ['suspend']],
    ['paused', 'shut off', ['start paused']],
    ['paused', 'paused', []],
    ['shutdown', 'running', ['shutdown']],
    ['shutdown', 'shut off', []],
    ['destroyed', 'paused', ['destroy']],
    ['destroyed', 'shut off', []],
    ['undefined', null, []],
    ['undefined', 'shut off', ['undefine']],
    ['undefined', 'running', ['destroy', 'undefine']],
    ['running', null, 'fail'],
  ];
  for (const [want, cur, expect] of table) {
    it(`${want} from ${cur ?? 'absent'} → ${expect === 'fail' ? 'fails' : expect.join(', ') || 'nothing'}`, () => {
      const plan = planDomainState(want, cur);
      if (expect === 'fail') { assert.ok('fail' in plan); return; }
      assert.ok(Array.isArray(plan));
      assert.deepEqual(plan.map((a) => (a.kind === 'start' && a.paused ? 'start paused' : a.kind)), expect);
    });
  }
});

const XML = "<domain type='qemu'>\n  <name>it's; $(touch PWNED)</name>\n  <memory unit='KiB'>1024</memory>\n</domain>\n";
// What `virsh dumpxml --inactive` prints for XML once libvirt has defined it.
const DEFINED = "<domain type='qemu'>\n  <name>it's; $(touch PWNED)</name>\n  <uuid>7c5a0f0e-3b4d-4a51-9c55-2f6a1f3f1e01</uuid>\n  <memory unit='KiB'>1024</memory>\n  <currentMemory unit='KiB'>1024</currentMemory>\n  <os>\n    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n  </os>\n</domain>\n";
const BIGGER = XML.replace('1024', '2048');
const NAME = "it's; $(touch PWNED)";
const parse = (raw: Record<string, unknown>): LibvirtDomainArgs => libvirtDomainModule.args.parse(raw) as LibvirtDomainArgs;

describe('libvirt_domain plan', () => {
  const facts = (over: Partial<DomainFacts> = {}): DomainFacts => ({ before: DEFINED, state: 'shut off', autostart: false, wanted: null, ...over });
  const table: Array<[string, Record<string, unknown>, DomainFacts, string[]]> = [
    ['defines a new domain, starts it and enables autostart', { state: 'running', autostart: true }, facts({ before: null, state: null, wanted: XML }), ['define (new domain)', 'start', 'enable autostart']],
    ['defines again a domain the estimate finds unchanged (libvirt compares)', { state: 'running' }, facts({ state: 'running', wanted: XML }), ['define (no difference estimated)']],
    ['names what differs', {}, facts({ wanted: BIGGER }), ["define (differs: domain/memory unit='KiB' = 2048)"]],
    ['destroys and undefines a running domain', { state: 'undefined', autostart: true }, facts({ state: 'running' }), ['destroy', 'undefine']],
    ['disables autostart', { autostart: false }, facts({ autostart: true }), ['disable autostart']],
    ['changes nothing on a domain as wanted', { state: 'shutdown', autostart: false }, facts(), []],
  ];
  for (const [title, raw, state, expect] of table) {
    it(title, () => {
      const plan = planDomain(parse({ name: NAME, ...raw }), state);
      assert.ok(!('fail' in plan), JSON.stringify(plan));
      assert.deepEqual(plan.changes.map(describeDomainChange), expect);
    });
  }

  it('carries the existing uuid into the XML it defines', () => {
    const plan = planDomain(parse({ name: NAME }), facts({ wanted: BIGGER }));
    assert.ok(!('fail' in plan));
    const define = plan.changes[0];
    assert.ok(define?.kind === 'define');
    assert.match(define.xml, /<uuid>7c5a0f0e-3b4d-4a51-9c55-2f6a1f3f1e01<\/uuid>/);
  });
});

describe('libvirt_domain run through the runner', () => {
  const NOT_FOUND = { rc: 1, stdout: '', stderr: `error: failed to get domain '${NAME}'\nerror: Domain not found: no domain with matching name '${NAME}'\n` };
  const virsh = (sub: string) => (argv: readonly string[]): boolean => argv[2] === 'virsh' && argv[5] === sub;
  const subs = (host: RecordedHost): string[] => host.commands().filter((a) => a[2] === 'virsh').map((a) => a[5] ?? '');

  /**
   * A host with libvirt: `existing` is the inactive XML (null: no such domain), replies
   * in order; `host` may hold recordings that answer first.
   */
  function libvirtHost(existing: Array<string | null>, state = 'shut off', host = new RecordedHost()): RecordedHost {
    for (const xml of existing) host.on(virsh('dumpxml'), xml === null ? NOT_FOUND : { stdout: xml }, 1);
    return host
      .on(virsh('domstate'), { stdout: `${state}\n\n` })
      .on(virsh('dominfo'), { stdout: 'Id:             -\nName:           x\nState:          shut off\nAutostart:      disable\n\n' })
      // libvirt's schema check (virt-xml-validate) passes.
      .on((argv) => argv[0] === 'sh', { rc: 0 })
      .on(virsh('define'), { stdout: `Domain '${NAME}' defined from /tmp/kvmplay-0.xml\n\n` })
      .on(virsh('start'), { stdout: `Domain '${NAME}' started\n\n` });
  }

  it('check mode on a new domain reports "would define" and runs no mutating virsh', async () => {
    const host = libvirtHost([null]);
    const r = await libvirtDomainModule.run(host, parse({ name: NAME, xml: XML, state: 'running' }), fakeContext({ check: true }));
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'would define (new domain), would start');
    assert.deepEqual(subs(host), ['dumpxml']);
    assert.ok(host.calls.every((c) => c.op !== 'writeAtomic'));
  });

  it('check mode names the differences in one clause and shows the estimated diff', async () => {
    const r = await libvirtDomainModule.run(libvirtHost([DEFINED]), parse({ name: NAME, xml: BIGGER.replace('</domain>', "<vcpu>2</vcpu></domain>") }), fakeContext({ check: true, diff: true }));
    assert.equal(r.msg, "would define (differs: domain/memory unit='KiB' = 2048; domain/vcpu = 2)");
    assert.match(r.diff ?? '', /inactive XML, estimate/);
  });

  it('check mode does not call an estimated-unchanged domain changed; a real run defines and compares', async () => {
    const check = await libvirtDomainModule.run(libvirtHost([DEFINED]), parse({ name: NAME, xml: XML }), fakeContext({ check: true }));
    assert.deepEqual([check.changed, check.skipped, check.msg], [false, undefined, 'up to date']);
    const host = libvirtHost([DEFINED, DEFINED]);
    const real = await libvirtDomainModule.run(host, parse({ name: NAME, xml: XML }), fakeContext({ diff: true }));
    assert.deepEqual([real.changed, real.msg, real.diff], [false, 'up to date', undefined]);
    assert.deepEqual(subs(host), ['dumpxml', 'domstate', 'define', 'dumpxml']);
  });

  it('reports a redefine with the real before/after diff', async () => {
    const after = DEFINED.replace(/1024/g, '2048');
    const r = await libvirtDomainModule.run(libvirtHost([DEFINED, after]), parse({ name: NAME, xml: BIGGER, state: 'running' }), fakeContext({ diff: true }));
    assert.equal(r.msg, 'redefined, started');
    assert.match(r.diff ?? '', /^-\s*<memory unit='KiB'>1024<\/memory>$/m);
    assert.match(r.diff ?? '', /^\+\s*<memory unit='KiB'>2048<\/memory>$/m);
    assert.doesNotMatch(r.diff ?? '', /estimate/);
  });

  it('feeds the XML to virsh define on stdin, never through a file in /tmp', async () => {
    const host = libvirtHost([null, DEFINED]);
    const r = await libvirtDomainModule.run(host, parse({ name: NAME, xml: XML }), fakeContext());
    assert.equal(r.changed, true, r.msg);
    const define = host.calls.find((c) => c.argv?.[5] === 'define');
    assert.deepEqual(define?.argv?.slice(5), ['define', '--file', '/dev/stdin']);
    assert.equal(define?.opts?.stdin, XML);
    assert.ok(host.calls.every((c) => c.op !== 'writeAtomic' && !(c.argv ?? []).some((w) => w.startsWith('/tmp/'))));
  });

  const onNetwork = (net: string): string => XML.replace('</domain>', `  <devices>\n    <!-- <interface type='network'><source network='old'/></interface> -->\n    <interface type='network'><source network='${net}'/></interface>\n  </devices>\n</domain>\n`);
  const netInfo = (active: boolean): { stdout: string } => ({ stdout: `Name:           n\nUUID:           u\nActive:         ${active ? 'yes' : 'no'}\nPersistent:     yes\nAutostart:      no\nBridge:         virbr0\n\n` });
  const NO_NET = { rc: 1, stdout: '', stderr: "error: failed to get network 'gone'\nerror: Network not found: no network with matching name 'gone'\n" };

  it('fails before defining a VM whose network is missing, naming it', async () => {
    const host = libvirtHost([null]).on(virsh('net-info'), NO_NET);
    const r = await libvirtDomainModule.run(host, parse({ name: NAME, xml: onNetwork('gone'), state: 'defined' }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.msg, `domain "${NAME}": network 'gone' is not defined on this host; nothing defined (define it first, e.g. with libvirt_network)`);
    assert.deepEqual(subs(host), ['dumpxml', 'net-info'], 'only the real interface\'s network is looked up; nothing defined');
  });

  it('fails before defining a VM to start on an inactive network; defining it only is allowed', async () => {
    const start = libvirtHost([null]).on(virsh('net-info'), netInfo(false));
    const r = await libvirtDomainModule.run(start, parse({ name: NAME, xml: onNetwork('idle'), state: 'running' }), fakeContext({ check: true }));
    assert.equal(r.failed, true);
    assert.match(r.msg, /network 'idle' is not active; nothing defined \(start it/);
    const defineOnly = libvirtHost([null, DEFINED]).on(virsh('net-info'), netInfo(false));
    assert.equal((await libvirtDomainModule.run(defineOnly, parse({ name: NAME, xml: onNetwork('idle'), state: 'defined' }), fakeContext())).changed, true);
    const active = libvirtHost([null, DEFINED]).on(virsh('net-info'), netInfo(true));
    const ok = await libvirtDomainModule.run(active, parse({ name: NAME, xml: onNetwork('default'), state: 'running' }), fakeContext());
    assert.equal(ok.failed, undefined, ok.msg);
  });

  it('passes the name as one argv word after --domain', async () => {
    const host = libvirtHost([XML]);
    const r = await libvirtDomainModule.run(host, parse({ name: NAME, state: 'defined' }), fakeContext());
    assert.equal(r.changed, false, r.msg);
    assert.deepEqual(host.calls[0]?.argv, ['env', 'LC_ALL=C', 'virsh', '-c', 'qemu:///system', 'dumpxml', '--inactive', '--domain', NAME]);
  });

  it('refuses XML whose <name> is another domain', async () => {
    const r = await libvirtDomainModule.run(libvirtHost([null]), parse({ name: 'other', xml: XML }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /<name> is "it's; \$\(touch PWNED\)", not "other"/);
  });

  it('refuses XML that is not well-formed before sending anything', async () => {
    const host = libvirtHost([null]);
    const r = await libvirtDomainModule.run(host, parse({ name: 'x', xml: "<domain type='qemu'><name>x</name" }), fakeContext());
    assert.match(r.msg, /^invalid XML \(not well-formed\), nothing defined: line 1, column \d+: /);
    assert.deepEqual(subs(host), ['dumpxml']);
  });

  it('fails clearly for a state without a domain and without XML', async () => {
    const r = await libvirtDomainModule.run(libvirtHost([null]), parse({ name: 'x', state: 'running' }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /does not exist; give xml or template/);
  });

  it('treats a domain started by someone else meanwhile as already running', async () => {
    const raced = new RecordedHost().on(virsh('start'), { rc: 1, stderr: "error: Failed to start domain 'x'\nerror: Requested operation is not valid: domain is already running\n" });
    const host = libvirtHost([DEFINED], 'shut off', raced);
    const r = await libvirtDomainModule.run(host, parse({ name: NAME, state: 'running' }), fakeContext());
    assert.deepEqual([r.failed, r.changed], [undefined, false]);
    assert.deepEqual(subs(host), ['dumpxml', 'domstate', 'start']);
  });

  it('fails with libvirt\'s words and the virt_type hint, keeping rc and stderr', async () => {
    const stderr = "error: Failed to define domain from /tmp/kvmplay-0.xml\nerror: unsupported configuration: Emulator '/usr/bin/qemu-system-x86_64' does not support virt type 'kvm'\n";
    const host = new RecordedHost()
      .on(virsh('dumpxml'), NOT_FOUND)
      .on((argv) => argv[0] === 'sh' || argv[0] === 'rm', { rc: 0 })
      .on(virsh('define'), { rc: 1, stderr });
    const r = await libvirtDomainModule.run(host, parse({ name: NAME, xml: XML }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /virt type 'kvm'.*\(use virt_type: qemu on hosts without \/dev\/kvm\)$/);
    assert.deepEqual([r.rc, r.stderr, r.changed], [1, stderr, false]);
  });

  it('destroys after a shutdown timeout when forced, and fails without force', async () => {
    const running = () => libvirtHost([DEFINED], 'running').on(virsh('shutdown'), {}).on(virsh('destroy'), {});
    const forced = await libvirtDomainModule.run(running(), parse({ name: NAME, state: 'shutdown', shutdown_timeout: 0, force: true }), fakeContext());
    assert.deepEqual([forced.changed, forced.msg], [true, 'destroyed, (after a shutdown timeout of 0s)']);
    const stuck = await libvirtDomainModule.run(running(), parse({ name: NAME, state: 'shutdown', shutdown_timeout: 0 }), fakeContext());
    assert.equal(stuck.failed, true);
    assert.match(stuck.msg, /did not shut down within 0s \(set force: true/);
  });

  it('undefines with --nvram only when the domain has one, unless told', async () => {
    const undefine = async (xml: string, raw: Record<string, unknown> = {}): Promise<readonly string[] | undefined> => {
      const host = libvirtHost([xml]).on(virsh('undefine'), {});
      const r = await libvirtDomainModule.run(host, parse({ name: NAME, state: 'undefined', ...raw }), fakeContext());
      assert.equal(r.msg, raw['remove_storage'] ? 'undefined (storage removed)' : 'undefined');
      return host.commands().find((a) => a[5] === 'undefine')?.slice(6, -2);
    };
    assert.deepEqual(await undefine(DEFINED), ['--keep-nvram']);
    assert.deepEqual(await undefine(DEFINED.replace('</os>', '<nvram>/var/lib/libvirt/qemu/nvram/x.fd</nvram></os>')), ['--nvram']);
    assert.deepEqual(await undefine(DEFINED, { undefine_nvram: true, remove_storage: true }), ['--nvram', '--remove-all-storage']);
  });

  it('rejects xml and template together and unknown states', () => {
    assert.throws(() => parse({ name: 'x', xml: '<domain/>', template: 'd.hbs' }));
    assert.throws(() => parse({ name: 'x', state: 'stopped' }));
  });
});
