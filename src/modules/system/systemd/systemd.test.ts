import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { INSTALL_DIR } from '../../../util/install-dir.js';
import { globFailure, isEnabled, planUnit, type UnitWant } from './systemd-plan.js';
import { parseSystemctlShow, parseUnitProbe, UNIT_PROBE_SCRIPT, type UnitProbe } from './systemd-show.js';
import { SystemdArgs, systemdModule } from './systemd.js';

/** The recorded probe output of test/fixtures/probes/systemd-unit/NAME.json. */
function recorded(name: string): string {
  const file = join(INSTALL_DIR, 'test', 'fixtures', 'probes', 'systemd-unit', `${name}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { stdout: string }).stdout;
}
const probeOf = (name: string): UnitProbe => parseUnitProbe(recorded(name));

/** A probe of a stopped, disabled unit, with the fields a case changes. */
function unit(over: Partial<UnitProbe> & { active?: string } = {}): UnitProbe {
  const { active = 'inactive', ...rest } = over;
  return {
    systemctl: true, showRc: 0, showText: `Id=kvp.service\nLoadState=loaded\nActiveState=${active}`,
    show: { Id: 'kvp.service', LoadState: 'loaded', ActiveState: active }, showErr: '',
    enabledRc: 1, enabledLines: ['disabled'], listRc: null, initd: false, sysvEnabled: false, ...rest,
  };
}

describe('systemctl show parsing', () => {
  it('strips values, keeps the last of a repeated key, and joins a multi-line Exec value', () => {
    const text = 'Id=a.service\nDescription= padded \nExecReload={ path=/x ; argv[]=/x }\nExecReload={ path=/y ; argv[]=/y }\nExecStart={ path=/bin/sh ; argv[]=/bin/sh -c "a\nb" ; status=0/0 }\nDescription2={ not exec\nLoadState=loaded';
    assert.deepEqual(parseSystemctlShow(text), {
      Id: 'a.service', Description: 'padded', ExecReload: '{ path=/y ; argv[]=/y }',
      ExecStart: '{ path=/bin/sh ; argv[]=/bin/sh -c "a\nb" ; status=0/0 }', Description2: '{ not exec', LoadState: 'loaded',
    });
  });
});

describe('systemd unit probe', () => {
  const KEYS = ['Id', 'LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'LoadError', 'ExecStart'];
  for (const c of loadProbeCases<Record<string, unknown>>('systemd-unit')) {
    it(`parses ${c.name}: ${c.title}`, () => {
      const p = parseUnitProbe(c.stdout);
      const { showText: _text, ...rest } = p;
      const show = Object.fromEntries(KEYS.filter((k) => k in p.show).map((k) => [k, p.show[k]]));
      assert.deepEqual({ ...rest, show, showKeys: Object.keys(p.show).length }, c.expected);
    });
  }

  it('reads enablement as Ansible: a lone alias or indirect line is disabled, an alias with its links is enabled', () => {
    assert.equal(isEnabled(probeOf('running-enabled')), true);
    assert.equal(isEnabled(probeOf('alias-with-links')), true);
    assert.equal(isEnabled(probeOf('init-script-alias')), false);
    assert.equal(isEnabled(probeOf('masked')), false);
    assert.equal(isEnabled(unit({ enabledRc: 0, enabledLines: ['static'] })), true);
    assert.equal(isEnabled(unit({ enabledRc: 0, enabledLines: ['indirect'] })), false);
    // An init script's S links count when systemd does not say disabled.
    assert.equal(isEnabled(unit({ enabledRc: 1, enabledLines: [], initd: true, sysvEnabled: true })), true);
    assert.equal(isEnabled(unit({ enabledRc: 1, enabledLines: ['disabled'], initd: true, sysvEnabled: true })), false);
  });
});

describe('systemd planning', () => {
  const kinds = (want: UnitWant, p: UnitProbe): string[] | string => {
    const r = planUnit('kvp.service', want, p);
    return typeof r === 'string' ? r : r.changes.map((c) => ('unit' in c && c.unit !== null ? `${c.kind} ${c.unit}` : c.kind));
  };
  const table: Array<[string, UnitWant, UnitProbe, string[] | string]> = [
    ['starts a stopped unit', { state: 'started' }, unit(), ['start kvp.service']],
    ['leaves an activating unit alone when asked to start', { state: 'started' }, unit({ active: 'activating' }), []],
    ['stops a deactivating unit', { state: 'stopped' }, unit({ active: 'deactivating' }), ['stop kvp.service']],
    ['always restarts a running unit', { state: 'restarted' }, unit({ active: 'active' }), ['restart kvp.service']],
    ['starts a stopped unit asked to reload', { state: 'reloaded' }, unit(), ['start kvp.service']],
    ['reloads a running unit', { state: 'reloaded' }, unit({ active: 'active' }), ['reload kvp.service']],
    ['masks, then enables, then starts, in Ansible\'s order', { state: 'started', enabled: true, masked: false }, unit({ enabledLines: ['masked'] }), ['unmask kvp.service', 'enable kvp.service', 'start kvp.service']],
    ['puts daemon-reload first', { daemon_reload: true, state: 'stopped' }, unit({ active: 'active' }), ['daemon-reload kvp.service', 'stop kvp.service']],
    ['disables a static unit (is-enabled exits 0 for it), as Ansible does', { enabled: false }, unit({ enabledRc: 0, enabledLines: ['static'] }), ['disable kvp.service']],
    ['fails on a missing unit asked to start', { state: 'started' }, probeOf('not-found'), 'Could not find the requested service kvp.service: host'],
    ['masks a missing unit (systemd can)', { masked: true }, probeOf('not-found'), ['mask kvp.service']],
    ['fails when systemd is offline and a state is asked', { state: 'started' }, { ...probeOf('template'), show: {} }, 'Service is in unknown state'],
  ];
  for (const [name, want, p, expected] of table) it(name, () => assert.deepEqual(kinds(want, p), expected));

  it('registers the status read before, the wanted enablement and started for restarted', () => {
    const r = planUnit('ssh.service', { state: 'restarted', enabled: true }, probeOf('running-enabled'));
    assert.ok(typeof r !== 'string');
    assert.equal(r.data.name, 'ssh.service');
    assert.equal(r.data.state, 'started');
    assert.equal(r.data.enabled, true);
    assert.equal(r.data.status['ActiveState'], 'active');
    assert.equal(r.data.status['UnitFileState'], 'enabled');
  });

  it('fails on a unit file with a load error and refuses glob patterns with Ansible\'s words', () => {
    assert.equal(planUnit('bad.service', { state: 'started' }, unit({ show: { LoadState: 'bad-setting', ActiveState: 'inactive', LoadError: 'org.freedesktop.systemd1.BadUnitSetting "bad"' } })),
      'Error loading unit file \'bad.service\': org.freedesktop.systemd1.BadUnitSetting "bad"');
    assert.equal(globFailure('ssh*'), "This module does not currently support using glob patterns, found '*' in service name: ssh*");
    assert.equal(globFailure('ssh.service'), undefined);
  });
});

describe('systemd_service arguments', () => {
  const msg = (a: Record<string, unknown>): string => {
    const r = SystemdArgs.safeParse(a);
    return r.success ? 'ok' : r.error.issues.map((i) => i.message).join('; ');
  };
  it('takes Ansible\'s aliases and needs a name for state, enabled and masked', () => {
    assert.deepEqual(SystemdArgs.parse({ unit: 'a', 'daemon-reload': 'yes' }), { name: 'a', daemon_reload: true });
    assert.equal(msg({ state: 'started' }), "missing parameter(s) required by 'state': name");
    assert.equal(msg({ daemon_reexec: true }), 'ok');
    // Ansible's required_one_of never fires: daemon_reload's default counts as given.
    assert.equal(msg({ name: 'a' }), 'ok');
  });
  it('refuses the user and global scopes by name', () => {
    assert.match(msg({ name: 'a', scope: 'user' }), /^scope "user" is not supported by kvmplay/);
    assert.match(msg({ name: 'a', scope: 'global' }), /^scope "global" is not supported by kvmplay/);
    assert.equal(msg({ name: 'a', scope: 'system' }), 'ok');
  });
});

describe('systemd_service module', () => {
  const isProbe = runsScript(UNIT_PROBE_SCRIPT);
  const mutating = (argv: readonly string[]): boolean => argv[0] === 'systemctl' && !['show', 'is-enabled'].includes(argv.find((w) => !w.startsWith('-') && w !== 'systemctl') ?? '');
  const sshProbe = recorded('running-enabled');
  const stopped = sshProbe.replace('ActiveState=active', 'ActiveState=inactive');

  it('starts with the flags on every call; check mode runs nothing', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: stopped }).on(['systemctl'], {});
    const args = systemdModule.args.parse({ name: 'ssh.service', state: 'started', no_block: true, force: true });
    const check = await systemdModule.run(host, args, fakeContext({ check: true }));
    assert.equal(check.changed, true);
    assert.equal(check.msg, 'would start ssh.service');
    assert.deepEqual(host.commands().filter(mutating), []);
    assert.deepEqual(host.commands()[0]?.slice(3), ['kvmplay', 'ssh.service', '--no-block', '--force']);
    const r = await systemdModule.run(host, args, fakeContext());
    assert.equal(r.changed, true, r.msg);
    assert.deepEqual(host.commands().filter(mutating), [['systemctl', '--no-block', '--force', 'start', 'ssh.service']]);
    assert.equal(r.data?.['state'], 'started');
    assert.equal((r.data?.['status'] as Record<string, string>)['ActiveState'], 'inactive', 'the status read before the start');
  });

  it('reloads the daemon without reporting a change, and returns the status read after it', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: sshProbe }).on(['systemctl', 'daemon-reload'], {})
      .on(['systemctl', 'show', 'ssh.service'], { stdout: 'Id=ssh.service\nActiveState=active\nDescription=reloaded\n' });
    const args = systemdModule.args.parse({ name: 'ssh.service', daemon_reload: true, state: 'started' });
    const check = await systemdModule.run(host, args, fakeContext({ check: true }));
    assert.equal(check.changed, false);
    const r = await systemdModule.run(host, args, fakeContext());
    assert.equal(r.changed, false, r.msg);
    assert.equal((r.data?.['status'] as Record<string, string>)['Description'], 'reloaded');
    assert.deepEqual(host.commands().filter(mutating), [['systemctl', 'daemon-reload']]);
  });

  it('fails with Ansible\'s message when systemctl refuses, changed as it was tried', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: recorded('masked') })
      .on(['systemctl', 'start'], { rc: 1, stderr: 'Failed to start sudo.service: Unit sudo.service is masked.\n' });
    const r = await systemdModule.run(host, systemdModule.args.parse({ name: 'sudo.service', state: 'started' }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'Unable to start service sudo.service: Failed to start sudo.service: Unit sudo.service is masked.\n');
  });

  it('reads the enablement again after unmasking, and enables only if still needed', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: recorded('masked') }).on(['systemctl', 'unmask'], {})
      .on(['systemctl', 'is-enabled'], { stdout: 'enabled\n' });
    const r = await systemdModule.run(host, systemdModule.args.parse({ name: 'sudo.service', masked: false, enabled: true }), fakeContext());
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'unmask sudo.service');
    assert.equal(r.data?.['enabled'], true);
  });

  it('fails on a host without systemctl, and on a glob without asking the host about it', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: recorded('no-systemctl') });
    const r = await systemdModule.run(host, systemdModule.args.parse({ name: 'ssh', state: 'started' }), fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /^Failed to find required executable "systemctl"/);
    const g = await systemdModule.run(new RecordedHost().on(isProbe, { stdout: '' }), systemdModule.args.parse({ name: 'ssh*', state: 'started' }), fakeContext());
    assert.match(g.msg, /does not currently support using glob patterns, found '\*'/);
  });

  it('registers name null and an empty status for a daemon-reload alone', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: '' }).on(['systemctl', 'daemon-reload'], {});
    const r = await systemdModule.run(host, systemdModule.args.parse({ daemon_reload: true }), fakeContext());
    assert.equal(r.changed, false);
    assert.deepEqual(r.data, { name: null, status: {} });
  });
});
