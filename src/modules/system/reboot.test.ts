import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost } from '../../../test/support/recorded-host.js';
import { UnreachableError } from '../../errors.js';
import type { Clock } from '../engine/pause.js';
import { splitSections } from '../probe-sections.js';
import { BOOT_ID_PATH, planReboot, RebootArgs, rebootAndWait, rebootCommand, rebootModule, type RebootState } from './reboot.js';

const args = (a: Record<string, unknown> = {}): RebootArgs => RebootArgs.parse(a);

/** Simulated time: sleeping advances it at once. */
function fakeClock(): Clock {
  let t = 0;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

const real = (over: Partial<RebootState> = {}): RebootState => ({
  bootId: 'b-old', localBootId: 'local', labHost: false, distribution: 'debian', program: '/sbin/shutdown', bootTime: { ok: true, value: 'b-old' }, ...over,
});

describe('reboot planning', () => {
  it('refuses a host on the control machine\'s kernel, and a lab host, before anything runs', () => {
    const same = planReboot(args(), real({ localBootId: 'b-old' }));
    assert.ok('fail' in same);
    assert.match(same.fail, /^reboot is not supported on this host: it runs on the kernel of the machine kvmplay runs on/);
    const lab = planReboot(args(), real({ labHost: true }));
    assert.ok('fail' in lab);
    assert.match(lab.fail, /it is a kvmplay lab host/);
  });

  it("builds Ansible's shutdown command for the distribution", () => {
    assert.deepEqual(rebootCommand(args(), 'debian'), { program: 'shutdown', args: '-r 0 "Reboot initiated by Ansible"' });
    assert.deepEqual(rebootCommand(args({ pre_reboot_delay: 125, msg: 'bye' }), 'debian'), { program: 'shutdown', args: '-r 2 "bye"' });
    assert.deepEqual(rebootCommand(args(), 'alpine'), { program: 'reboot', args: '' });
    assert.deepEqual(rebootCommand(args({ reboot_command: 'systemctl reboot -i' }), 'debian'), { program: 'systemctl', args: 'reboot -i' });
  });

  it('plans the reboot on another machine; check mode registers rebooted, as Ansible', () => {
    const p = planReboot(args(), real());
    assert.ok(!('fail' in p));
    assert.deepEqual(p.changes, [{ command: '/sbin/shutdown -r 0 "Reboot initiated by Ansible"', previousBootTime: 'b-old' }]);
    assert.deepEqual(p.data, { rebooted: true, elapsed: 0 });
    const missing = planReboot(args(), real({ program: null }));
    assert.ok('fail' in missing);
    assert.match(missing.fail, /Unable to find command "shutdown" in search paths/);
  });
});

describe('reboot and wait', () => {
  /** A host that reboots: the command drops the connection, two reconnects fail, the boot id then changes. */
  function rebootingHost(opts: { comesBack: boolean }): RecordedHost {
    let booted = false;
    let refused = 0;
    const host = new RecordedHost();
    host.onReconnect = () => {
      if (!booted || !opts.comesBack || refused++ < 2) throw new UnreachableError('h', 'connection refused');
    };
    const run = host.run.bind(host);
    host.run = async (command, o) => {
      if (typeof command === 'string' && command.includes('shutdown')) {
        booted = true;
        throw new UnreachableError('h', 'connection lost');
      }
      if (typeof command === 'string') return { rc: 0, stdout: command.startsWith('cat') ? (booted && refused > 2 ? 'b-new\n' : 'b-old\n') : 'root\n', stderr: '' };
      return run(command, o);
    };
    return host;
  }

  it('waits for a new boot id on new connections, then for the test command', async () => {
    const host = rebootingHost({ comesBack: true });
    const o = await rebootAndWait(host, args({ connect_timeout: 5 }), { command: '/sbin/shutdown -r 0 "x"', previousBootTime: 'b-old' }, fakeContext(), fakeClock());
    assert.equal(o.ok, true);
    assert.ok(host.calls.filter((c) => c.op === 'reconnect').length >= 3);
  });

  it('gives up after reboot_timeout with Ansible\'s message; rebooted stays true', async () => {
    const host = rebootingHost({ comesBack: false });
    const o = await rebootAndWait(host, args({ reboot_timeout: 30 }), { command: '/sbin/shutdown -r 0 "x"', previousBootTime: 'b-old' }, fakeContext(), fakeClock());
    assert.deepEqual(o.ok ? null : [o.rebooted, o.msg], [true, 'Timed out waiting for last boot time check (timeout=30)']);
  });
});

describe('reboot module', () => {
  it('fails on a lab host, check mode included, after one read-only probe', async () => {
    const [lab] = loadProbeCases<Record<string, string>>('reboot-probe');
    assert.ok(lab);
    const sections = splitSections(lab.stdout);
    assert.equal(sections.get('os')?.trim(), lab.expected['os']);
    // The recording's boot id was this machine's when captured; today's stands in for it.
    const local = readFileSync(BOOT_ID_PATH, 'utf8').trim();
    const host = new RecordedHost().on(['sh', '-c'], { stdout: lab.stdout.replace(lab.expected['bootid'] ?? '', local) });
    for (const check of [true, false]) {
      const r = await rebootModule.run(host, rebootModule.args.parse({}), fakeContext({ check }));
      assert.equal(r.failed, true);
      assert.equal(r.changed, false);
      assert.match(r.msg, /reboot is not supported on this host/);
    }
    assert.equal(host.commands().length, 2);
  });
});
