import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';
import { isMutating, parseOutput, virshModule } from './virsh-module.js';

describe('virsh module', () => {
  const table: Array<[string[], boolean]> = [
    [['list', '--all'], false], [['dominfo', 'web01'], false], [['dumpxml', '--inactive', 'web01'], false],
    [['domstate', 'web01'], false], [['vncdisplay', 'web01'], false], [['net-list', '--all'], false],
    [['capabilities'], false], [['version'], false], [['start', 'web01'], true], [['shutdown', 'web01'], true],
    [['setmem', 'web01', '1G', '--config'], true], [['autostart', 'web01'], true], [['undefine', 'web01'], true],
    [['vcpupin', 'web01'], false], [['vcpupin', 'web01', '0', '1'], true], [['schedinfo', 'web01', '--set', 'x=1'], true],
  ];
  for (const [argv, mutating] of table) {
    it(`${argv.join(' ')} ${mutating ? 'changes' : 'only reads'}`, () => assert.equal(isMutating(argv), mutating));
  }

  it('parses list output', () => {
    const out = ' Id   Name        State\n-----------------------------\n 1    web 01      running\n -    db01        shut off\n\n';
    assert.deepEqual(parseOutput('list', out), [{ id: 1, name: 'web 01', state: 'running' }, { id: null, name: 'db01', state: 'shut off' }]);
    assert.equal(parseOutput('dumpxml', '<domain/>'), undefined);
  });

  it('runs with the C locale, splits a string command, and classifies failures', async () => {
    const host = new RecordedHost().on(['env', 'LC_ALL=C', 'virsh'], { rc: 1, stderr: "error: failed to get domain 'web 01'\nerror: Domain not found: no domain with matching name 'web 01'\n" });
    const r = await virshModule.run(host, virshModule.args.parse({ command: "start 'web 01'" }), fakeContext());
    assert.deepEqual(host.calls[0]?.argv, ['env', 'LC_ALL=C', 'virsh', '-c', 'qemu:///system', 'start', 'web 01']);
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.equal(r.rc, 1);
    assert.match(r.msg, /failed to get domain 'web 01'/);
    assert.deepEqual((r.data?.['failure'] as { kind: string }).kind, 'no-such-domain');
  });

  it('reads run in check mode; actions do not', async () => {
    const host = new RecordedHost().on(['env', 'LC_ALL=C', 'virsh'], { stdout: 'shut off\n\n' });
    const read = await virshModule.run(host, virshModule.args.parse({ command: ['domstate', 'x'] }), fakeContext({ check: true }));
    assert.deepEqual([read.changed, read.msg, read.rc, read.data?.['parsed']], [false, '', 0, { state: 'shut off', reason: null }]);
    const act = await virshModule.run(host, virshModule.args.parse({ command: ['destroy', 'x'] }), fakeContext({ check: true }));
    assert.deepEqual([act.changed, act.msg, act.data], [true, 'would run virsh destroy x', { cmd: ['virsh', 'destroy', 'x'] }]);
    assert.equal(host.calls.length, 1);
  });

  it('reports a failed read with its output and the failure kind', async () => {
    const stderr = "error: failed to get domain 'x'\nerror: Domain not found: no domain with matching name 'x'\n";
    const host = new RecordedHost().on(['env', 'LC_ALL=C', 'virsh'], { rc: 1, stderr });
    const r = await virshModule.run(host, virshModule.args.parse({ command: ['domstate', 'x'] }), fakeContext({ check: true }));
    assert.deepEqual([r.failed, r.changed, r.rc, r.stderr, r.msg], [true, false, 1, stderr, "failed to get domain 'x': Domain not found: no domain with matching name 'x'"]);
    assert.deepEqual(r.data?.['stderr_lines'], ["error: failed to get domain 'x'", "error: Domain not found: no domain with matching name 'x'"]);
  });

  it('runs an action and reports it changed, with its output', async () => {
    const host = new RecordedHost().on(['env', 'LC_ALL=C', 'virsh'], { stdout: 'Domain \'x\' destroyed\n\n' });
    const r = await virshModule.run(host, virshModule.args.parse({ command: 'destroy x' }), fakeContext());
    assert.deepEqual([r.changed, r.msg, r.rc, r.stdout], [true, '', 0, "Domain 'x' destroyed\n\n"]);
    assert.deepEqual(r.data?.['cmd'], ['virsh', '-c', 'qemu:///system', 'destroy', 'x']);
  });
});
