import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { mergeUnitFiles, parseChkconfig, parseInitctl, parseListUnits, parseServiceFacts, parseStatusAll, SERVICE_FACTS_SCRIPT, type ServiceFact } from './service-facts-parse.js';
import { NO_SERVICES, serviceFactsModule } from './service-facts.js';

interface Expected { count: number; warnings: string[]; services: Record<string, ServiceFact | null> }

describe('service_facts probe', () => {
  for (const c of loadProbeCases<Expected>('service-facts')) {
    it(`parses ${c.name}: ${c.title}`, () => {
      const p = parseServiceFacts(c.stdout);
      assert.equal(Object.keys(p.services).length, c.expected.count);
      assert.deepEqual(p.warnings, c.expected.warnings);
      for (const [name, fact] of Object.entries(c.expected.services)) assert.deepEqual(p.services[name] ?? null, fact, name);
    });
  }
});

describe('service_facts parsing', () => {
  it('reads list-units as Ansible: a bad state drops the marker column and becomes the status', () => {
    const out = [
      '  UNIT                 LOAD      ACTIVE   SUB     DESCRIPTION',
      '● apparmor.service     not-found inactive dead    apparmor.service',
      '● broken.service       loaded    failed   failed  Broken',
      '  ssh.service          loaded    active   running OpenBSD Secure Shell server',
      '  networking.service   loaded    active   exited  Raise network interfaces',
      'LOAD   = Reflects whether the unit definition was properly loaded.',
    ].join('\n');
    assert.deepEqual(parseListUnits(out), [
      { name: 'apparmor.service', state: 'stopped', status: 'not-found', source: 'systemd' },
      { name: 'broken.service', state: 'stopped', status: 'failed', source: 'systemd' },
      { name: 'ssh.service', state: 'running', status: 'active', source: 'systemd' },
      { name: 'networking.service', state: 'stopped', status: 'active', source: 'systemd' },
    ]);
  });

  it('takes the unit file state unless list-units gave a bad state, and show\'s ActiveState for unit files it missed', () => {
    const services: Record<string, ServiceFact> = {
      'ssh.service': { name: 'ssh.service', state: 'running', status: 'active', source: 'systemd' },
      'gone.service': { name: 'gone.service', state: 'stopped', status: 'not-found', source: 'systemd' },
    };
    const files = 'UNIT FILE STATE VENDOR PRESET\nssh.service enabled enabled\ngone.service disabled enabled\ngetty@.service enabled enabled\nx.service disabled enabled\n';
    mergeUnitFiles(services, files, 'getty@.service\t1\t\nx.service\t0\tActiveState=inactive');
    assert.equal(services['ssh.service']?.status, 'enabled');
    assert.equal(services['gone.service']?.status, 'not-found');
    assert.deepEqual(services['getty@.service'], { name: 'getty@.service', state: 'unknown', status: 'enabled', source: 'systemd' });
    assert.equal(services['x.service']?.state, 'inactive');
  });

  it('reads service --status-all, initctl and chkconfig lines', () => {
    assert.deepEqual(parseStatusAll(' [ + ]  ssh\n [ - ]  procps\n [ ? ]  hwclock.sh\n'), [
      { name: 'ssh', state: 'running', source: 'sysv' }, { name: 'procps', state: 'stopped', source: 'sysv' },
    ]);
    assert.deepEqual(parseInitctl('ssh start/running, process 818\ntty1 stop/waiting\n'), [
      { name: 'ssh', state: 'running', goal: 'start', source: 'upstart' }, { name: 'tty1', state: 'waiting', goal: 'stop', source: 'upstart' },
    ]);
    const warnings: string[] = [];
    const rh = parseChkconfig('netconsole     \t0:off\t1:off\t2:off\t3:off\t4:off\t5:off\t6:off\nnetwork        \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n', 'netconsole\t3\t\nnetwork\t0\t', warnings);
    assert.deepEqual(rh, [
      { name: 'netconsole', state: 'stopped', status: 'disabled', source: 'sysv' },
      { name: 'network', state: 'running', status: 'enabled', source: 'sysv' },
    ]);
    assert.deepEqual(warnings, []);
  });
});

describe('service_facts module', () => {
  it('returns the services as ansible_facts, unchanged, and takes no arguments', async () => {
    const [sysv] = loadProbeCases('service-facts').filter((c) => c.name === 'sysv-debian12');
    const host = new RecordedHost().on(runsScript(SERVICE_FACTS_SCRIPT), { stdout: sysv?.stdout ?? '' });
    const r = await serviceFactsModule.run(host, serviceFactsModule.args.parse({}), fakeContext());
    assert.equal(r.changed, false);
    const facts = r.data?.['ansible_facts'] as { services: Record<string, ServiceFact> };
    assert.deepEqual(Object.keys(facts.services).sort(), ['procps', 'ssh', 'sudo']);
    assert.equal(serviceFactsModule.args.safeParse({ name: 'x' }).success, false);
  });

  it('says so when no service was found', async () => {
    const host = new RecordedHost().on(runsScript(SERVICE_FACTS_SCRIPT), { stdout: '' });
    const r = await serviceFactsModule.run(host, {}, fakeContext());
    assert.equal(r.msg, NO_SERVICES);
    assert.equal(r.data?.['ansible_facts'], undefined);
  });
});
