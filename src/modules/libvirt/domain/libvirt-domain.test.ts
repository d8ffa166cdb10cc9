import assert from 'node:assert/strict';
import { planDomainState, type WantedDomainState } from './domain-plan.js';
import { libvirtDomainModule } from './libvirt-domain.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { FakeHost } from '../../../../test/support/fake-host.js';
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

describe('libvirt_domain with a fake host', () => {
  const XML = "<domain type='qemu'>\n  <name>it's; $(touch PWNED)</name>\n  <memory unit='KiB'>1024</memory>\n</domain>\n";
  const parse = (raw: Record<string, unknown>) => libvirtDomainModule.args.parse(raw);

  function virshHost(existing: string | null, state = 'shut off'): FakeHost {
    const host = new FakeHost({ '/tmp/x': '' });
    host.onCommand = (argv) => {
      assert.deepEqual(argv.slice(0, 5), ['env', 'LC_ALL=C', 'virsh', '-c', 'qemu:///system']);
      const sub = argv[5];
      if (sub === 'dumpxml') return existing === null ? { rc: 1, stdout: '', stderr: "error: failed to get domain 'x'\nerror: Domain not found: no domain with matching name 'x'\n" } : { rc: 0, stdout: existing, stderr: '' };
      if (sub === 'domstate') return { rc: 0, stdout: `${state}\n\n`, stderr: '' };
      return undefined;
    };
    return host;
  }

  it('check mode on a new domain reports "would define" and runs no mutating virsh', async () => {
    const host = virshHost(null);
    const r = await libvirtDomainModule.run(host, parse({ name: "it's; $(touch PWNED)", xml: XML, state: 'running' }), fakeContext({ check: true }));
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.match(r.msg, /would define/);
    assert.match(r.msg, /would start/);
    const subs = host.calls.filter((c) => c.op === 'run').map((c) => c.argv?.[5]);
    assert.deepEqual(subs, ['dumpxml']);
    assert.ok(host.calls.every((c) => c.op !== 'writeAtomic'));
  });

  it('passes the name as one argv word after --domain', async () => {
    const host = virshHost(XML);
    const r = await libvirtDomainModule.run(host, parse({ name: "it's; $(touch PWNED)", state: 'defined' }), fakeContext());
    assert.equal(r.changed, false, r.msg);
    assert.deepEqual(host.calls[0]?.argv?.slice(5), ['dumpxml', '--inactive', '--domain', "it's; $(touch PWNED)"]);
  });

  it('refuses XML whose <name> is another domain', async () => {
    const host = virshHost(null);
    const r = await libvirtDomainModule.run(host, parse({ name: 'other', xml: XML }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /<name> is "it's; \$\(touch PWNED\)", not "other"/);
  });

  it('fails clearly for a state without a domain and without XML', async () => {
    const r = await libvirtDomainModule.run(virshHost(null), parse({ name: 'x', state: 'running' }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /does not exist; give xml or template/);
  });

  it('rejects xml and template together and unknown states', () => {
    assert.throws(() => parse({ name: 'x', xml: '<domain/>', template: 'd.hbs' }));
    assert.throws(() => parse({ name: 'x', state: 'stopped' }));
  });
});
