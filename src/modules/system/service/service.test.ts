import assert from 'node:assert/strict';
import { parseStatus, planService, resolveUnits, serviceCommands, type UnitStatus, type Wanted } from './service-plan.js';
import { serviceModule } from './service.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { FakeHost } from '../../../../test/support/fake-host.js';

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

  it('parses the status probe', () => {
    assert.deepEqual([...parseStatus('libvirtd yes active enabled\nvirtlogd no inactive disabled\n').values()].map((s) => [s.name, s.exists, s.active, s.enabled]), [['libvirtd', true, true, true], ['virtlogd', false, false, false]]);
  });
});

describe('service module', () => {
  const facts = { service_mgr: 'sysv', os_family: 'Debian', libvirt_modular: false };
  it('starts virtlogd and libvirtd, verifies, and reports the sysv note; check mode runs nothing', async () => {
    const running = new Set<string>();
    const host = new FakeHost();
    host.onCommand = (argv) => {
      if (argv[0] === 'sh') return { rc: 0, stdout: argv.slice(5).map((u) => `${u} yes ${running.has(u) ? 'active' : 'inactive'} disabled\n`).join(''), stderr: '' };
      if (argv[0]?.startsWith('/etc/init.d/') && argv[1] === 'start') {
        running.add(argv[0].slice('/etc/init.d/'.length));
        return { rc: 0, stdout: '', stderr: '' };
      }
      return undefined;
    };
    const args = serviceModule.args.parse({ name: 'libvirtd', state: 'started' });
    const check = await serviceModule.run(host, args, fakeContext({ check: true, vars: { facts } }));
    assert.equal(check.changed, true);
    assert.equal(running.size, 0);
    const r = await serviceModule.run(host, args, fakeContext({ vars: { facts } }));
    assert.equal(r.changed, true, r.msg);
    assert.match(r.msg, /start virtlogd, start libvirtd.*virtlogd is started before libvirtd/);
    const again = await serviceModule.run(host, args, fakeContext({ vars: { facts } }));
    assert.equal(again.changed, false, again.msg);
  });

  it('fails clearly when the service does not exist', async () => {
    const host = new FakeHost();
    host.onCommand = (argv) => (argv[0] === 'sh' ? { rc: 0, stdout: 'nope no inactive disabled\n', stderr: '' } : undefined);
    const r = await serviceModule.run(host, serviceModule.args.parse({ name: 'nope', state: 'started' }), fakeContext({ vars: { facts } }));
    assert.equal(r.failed, true);
    assert.match(r.msg, /could not find the requested service nope/);
  });
});
