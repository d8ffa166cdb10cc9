import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { FakeHost } from '../../../test/support/fake-host.js';
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
    const host = new FakeHost();
    host.onCommand = (argv) => ({ rc: 1, stdout: '', stderr: `error: failed to get domain '${argv[argv.length - 1] ?? ''}'\n` });
    const r = await virshModule.run(host, virshModule.args.parse({ command: "start 'web 01'" }), fakeContext());
    assert.deepEqual(host.calls[0]?.argv, ['env', 'LC_ALL=C', 'virsh', '-c', 'qemu:///system', 'start', 'web 01']);
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.match(r.msg, /failed to get domain 'web 01'/);
    assert.deepEqual((r.data?.['failure'] as { kind: string }).kind, 'no-such-domain');
  });

  it('reads run in check mode; actions do not', async () => {
    const host = new FakeHost();
    host.onCommand = () => ({ rc: 0, stdout: 'shut off\n', stderr: '' });
    const read = await virshModule.run(host, virshModule.args.parse({ command: ['domstate', 'x'] }), fakeContext({ check: true }));
    assert.deepEqual([read.changed, read.data?.['parsed']], [false, { state: 'shut off', reason: null }]);
    const act = await virshModule.run(host, virshModule.args.parse({ command: ['destroy', 'x'] }), fakeContext({ check: true }));
    assert.equal(act.changed, true);
    assert.equal(host.calls.length, 1);
  });
});
