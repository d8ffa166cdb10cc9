import assert from 'node:assert/strict';
import { parseStatus, planService, psRunning, resolveUnits, serviceCommands, STATUS_SCRIPT, type UnitStatus, type Wanted } from './service-plan.js';
import { UNIT_PROBE_SCRIPT } from '../systemd/systemd-show.js';
import { serviceModule } from './service.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';

const st = (name: string, active: boolean, enabled: boolean, exists = true): [string, UnitStatus] => [name, { name, exists, active, enabled }];

describe('service units', () => {
  it('manages virtqemud and its sockets for libvirtd on a modular systemd host', () => {
    const r = resolveUnits('libvirtd', 'systemd', true);
    assert.deepEqual(r.units.map((u) => u.name), ['virtqemud.service', 'virtqemud.socket', 'virtqemud-ro.socket', 'virtqemud-admin.socket']);
    assert.match(r.note, /modular/);
  });
  it('starts virtlogd before libvirtd under sysv', () => {
    assert.deepEqual(resolveUnits('libvirtd', 'sysv', false).units, [{ name: 'virtlogd', prereq: true }, { name: 'libvirtd', prereq: false }]);
  });
  it('leaves libvirtd alone on a monolithic systemd host and other names everywhere', () => {
    assert.deepEqual(resolveUnits('libvirtd', 'systemd', false).units.map((u) => u.name), ['libvirtd']);
    assert.deepEqual(resolveUnits('nginx', 'sysv', null).units.map((u) => u.name), ['nginx']);
  });
});

describe('service planning', () => {
  const roles = resolveUnits('libvirtd', 'sysv', false).units;
  const table: Array<[string, Wanted, Array<[string, UnitStatus]>, string[]]> = [
    ['starts virtlogd then libvirtd when both are stopped', { state: 'started' }, [st('virtlogd', false, false), st('libvirtd', false, false)], ['start virtlogd', 'start libvirtd']],
    ['does nothing when started and running', { state: 'started' }, [st('virtlogd', true, false), st('libvirtd', true, false)], []],
    ['stops libvirtd but not virtlogd', { state: 'stopped' }, [st('virtlogd', true, false), st('libvirtd', true, false)], ['stop libvirtd']],
    ['always restarts, making sure virtlogd runs', { state: 'restarted' }, [st('virtlogd', false, true), st('libvirtd', true, true)], ['start virtlogd', 'restart libvirtd']],
    ['reloads a running service', { state: 'reloaded' }, [st('virtlogd', true, true), st('libvirtd', true, true)], ['reload libvirtd']],
    ['starts a stopped service asked to reload', { state: 'reloaded' }, [st('virtlogd', true, true), st('libvirtd', false, true)], ['start libvirtd']],
    ['enables both after starting', { state: 'started', enabled: true }, [st('virtlogd', true, false), st('libvirtd', false, true)], ['start libvirtd', 'enable virtlogd']],
    ['disables only the main unit', { enabled: false }, [st('virtlogd', true, true), st('libvirtd', true, true)], ['disable libvirtd']],
    ['skips a missing prereq', { state: 'started' }, [st('virtlogd', false, false, false), st('libvirtd', false, false)], ['start libvirtd']],
  ];
  for (const [name, want, status, expected] of table) {
    it(name, () => assert.deepEqual(planService(want, roles, new Map(status)).map((a) => `${a.action} ${a.unit}`), expected));
  }

  it('builds systemctl, init script, update-rc.d and chkconfig argv', () => {
    assert.deepEqual(serviceCommands('systemd', 'Debian', { unit: 'virtqemud.socket', action: 'enable' }), [['systemctl', 'enable', 'virtqemud.socket']]);
    assert.deepEqual(serviceCommands('sysv', 'Debian', { unit: 'libvirtd', action: 'start' }), [['/etc/init.d/libvirtd', 'start']]);
    assert.deepEqual(serviceCommands('sysv', 'Debian', { unit: 'libvirtd', action: 'enable' }), [['update-rc.d', 'libvirtd', 'defaults'], ['update-rc.d', 'libvirtd', 'enable']]);
    assert.deepEqual(serviceCommands('sysv', 'RedHat', { unit: 'libvirtd', action: 'disable' }), [['chkconfig', 'libvirtd', 'off']]);
  });

});

describe('service status probe', () => {
  for (const c of loadProbeCases<Record<string, UnitStatus>>('service-status')) {
    it(`parses ${c.name}: ${c.title}`, () => {
      assert.equal(c.rc, 0);
      assert.deepEqual(Object.fromEntries(parseStatus(c.stdout)), c.expected);
    });
  }
});

describe('service module', () => {
  const facts = { service_mgr: 'sysv', os_family: 'Debian', libvirt_modular: false };
  const isStatus = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === STATUS_SCRIPT;
  // The status probe's lines, as it prints them on a sysv host (service-status fixtures).
  const status = (active: boolean, units = ['virtlogd', 'libvirtd']): { stdout: string } => ({
    stdout: units.map((u) => `${u} yes ${active ? 'active' : 'inactive'} disabled\n`).join(''),
  });
  const isMutating = (argv: readonly string[]): boolean => !isStatus(argv);

  it('starts virtlogd and libvirtd, verifies, and reports the sysv note; check mode runs nothing', async () => {
    // Stopped for the check run and the real run's gather, running from then on.
    const host = new RecordedHost().on(isStatus, status(false), 2).on(isStatus, status(true)).on((argv) => argv[0]?.startsWith('/etc/init.d/') ?? false, {});
    const args = serviceModule.args.parse({ name: 'libvirtd', state: 'started' });
    const check = await serviceModule.run(host, args, fakeContext({ check: true, vars: { facts } }));
    assert.equal(check.changed, true);
    assert.equal(check.msg, 'would start virtlogd, would start libvirtd (sysv: virtlogd is started before libvirtd)');
    assert.deepEqual(host.commands().filter(isMutating), []);
    const r = await serviceModule.run(host, args, fakeContext({ vars: { facts } }));
    assert.equal(r.changed, true, r.msg);
    assert.equal(r.failed, undefined, r.msg);
    assert.match(r.msg, /start virtlogd, start libvirtd.*virtlogd is started before libvirtd/);
    assert.deepEqual(host.commands().filter(isMutating), [['/etc/init.d/virtlogd', 'start'], ['/etc/init.d/libvirtd', 'start']]);
    assert.deepEqual(host.commands().at(-1)?.slice(3), ['kvmplay', 'sysv', 'virtlogd', 'libvirtd'], 'verified after starting');
    const again = await serviceModule.run(host, args, fakeContext({ vars: { facts } }));
    assert.equal(again.changed, false, again.msg);
    assert.equal(again.msg, 'libvirtd already started (sysv: virtlogd is started before libvirtd)');
  });

  it('fails, changed, when the daemon is not running after its init script said it started', async () => {
    const host = new RecordedHost().on(isStatus, status(false)).on((argv) => argv[0]?.startsWith('/etc/init.d/') ?? false, {});
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'libvirtd', state: 'started' }), fakeContext({ vars: { facts } }));
    assert.equal(r.failed, true);
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'virtlogd, libvirtd not running after start virtlogd, start libvirtd (sysv: virtlogd is started before libvirtd)');
  });

  it('fails with the rc and output of a command that fails, changed as the action was tried', async () => {
    const host = new RecordedHost()
      .on(isStatus, status(false, ['nginx']))
      .on(['/etc/init.d/nginx', 'start'], { rc: 1, stdout: 'Starting nginx: ', stderr: 'nginx: [emerg] bind() to 0.0.0.0:80 failed\n' });
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'nginx', state: 'started' }), fakeContext({ vars: { facts } }));
    assert.equal(r.failed, true);
    assert.equal(r.changed, true);
    assert.equal(r.rc, 1);
    assert.equal(r.msg, '/etc/init.d/nginx start failed (rc=1): nginx: [emerg] bind() to 0.0.0.0:80 failed');
    assert.equal(r.stderr, 'nginx: [emerg] bind() to 0.0.0.0:80 failed\n');
  });

  it('fails clearly when the service does not exist', async () => {
    const host = new RecordedHost().on(isStatus, { stdout: 'nope no inactive disabled\n' });
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'nope', state: 'started' }), fakeContext({ vars: { facts } }));
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.match(r.msg, /could not find the requested service nope/);
  });

  it('requires state or enabled at validate time', () => {
    assert.equal(serviceModule.args.safeParse({ name: 'nginx' }).success, false);
    assert.equal(serviceModule.args.safeParse({ name: 'nginx', enabled: 'yes' }).success, true);
  });
});

describe('service module, Ansible\'s arguments', () => {
  const sysvFacts = { service_mgr: 'sysv', os_family: 'Debian', libvirt_modular: false };
  const isStatus = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === STATUS_SCRIPT;
  const line = (active: boolean, enabled = false): { stdout: string } => ({ stdout: `kvp ${'yes'} ${active ? 'active' : 'inactive'} ${enabled ? 'enabled' : 'disabled'}\n` });
  const mutating = (host: RecordedHost): Array<readonly string[]> => host.commands().filter((argv) => !isStatus(argv) && argv[0] !== 'ps');

  it('restarts an init script as stop then start, with the arguments after the action, and registers started', async () => {
    const host = new RecordedHost().on(isStatus, line(true)).on((argv) => argv[0] === '/etc/init.d/kvp', {});
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'kvp', state: 'restarted', args: 'one "two three"', sleep: '0' }), fakeContext({ vars: { facts: sysvFacts } }));
    assert.equal(r.changed, true, r.msg);
    assert.deepEqual(mutating(host), [['/etc/init.d/kvp', 'stop', 'one', 'two three'], ['/etc/init.d/kvp', 'start', 'one', 'two three']]);
    assert.equal(r.data?.['state'], 'started');
    assert.equal(r.data?.['name'], 'kvp');
  });

  it('takes running from ps when given a pattern (Ansible\'s check_ps)', async () => {
    const ps = 'USER PID COMMAND\nroot 10 sh -c while :; do sleep 3600; done kvp-daemon\nroot 11 python3 x.py pattern=kvp-daemon\n';
    const host = new RecordedHost().on(isStatus, line(false)).on(['ps', 'auxww'], { stdout: ps });
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'kvp', state: 'started', pattern: 'kvp-daemon' }), fakeContext({ vars: { facts: sysvFacts } }));
    assert.equal(r.changed, false, r.msg);
    assert.deepEqual(mutating(host), []);
    assert.equal(psRunning(ps.split('\n').filter((l) => !l.includes('sh -c')).join('\n'), 'kvp-daemon'), false);
  });

  it('registers the enablement asked for, and stopped for a stop', async () => {
    const host = new RecordedHost().on(isStatus, line(true, true)).on(['/etc/init.d/kvp', 'stop'], {}).on(['update-rc.d'], {});
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'kvp', state: 'stopped', enabled: 'no' }), fakeContext({ vars: { facts: sysvFacts } }));
    assert.equal(r.changed, true);
    assert.equal(r.data?.['state'], 'stopped');
    assert.equal(r.data?.['enabled'], false);
    assert.deepEqual(mutating(host), [['/etc/init.d/kvp', 'stop'], ['update-rc.d', 'kvp', 'disable']]);
  });

  it('is the systemd module on a systemd host, warning about what systemd does not use', async () => {
    const probe = loadProbeCases<unknown>('systemd-unit').find((c) => c.name === 'running-enabled')?.stdout ?? '';
    const host = new RecordedHost().on(runsScript(UNIT_PROBE_SCRIPT), { stdout: probe.replace('ActiveState=active', 'ActiveState=inactive') }).on(['systemctl', 'start'], {});
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'ssh.service', state: 'started', pattern: 'sshd', sleep: 2 }), fakeContext({ vars: { facts: { service_mgr: 'systemd', os_family: 'Debian' } } }));
    assert.equal(r.changed, true, r.msg);
    assert.deepEqual(host.commands().filter((argv) => argv[0] === 'systemctl'), [['systemctl', 'start', 'ssh.service']]);
    assert.deepEqual(r.data?.['warnings'], ['Ignoring "pattern" as it is not used in "systemd"', 'Ignoring "sleep" as it is not used in "systemd"']);
    assert.equal((r.data?.['status'] as Record<string, string>)['ActiveState'], 'inactive');
    assert.equal(r.data?.['state'], 'started');
  });

  it('takes use: systemd, sysvinit, service and auto, and refuses the other managers by name', () => {
    for (const use of ['auto', 'systemd', 'sysvinit', 'service']) assert.equal(serviceModule.args.safeParse({ name: 'a', state: 'started', use }).success, true, use);
    const r = serviceModule.args.safeParse({ name: 'a', state: 'started', use: 'openrc' });
    assert.equal(r.success, false);
    assert.match(r.error?.issues[0]?.message ?? '', /^use "openrc" is not supported by kvmplay/);
  });
});
