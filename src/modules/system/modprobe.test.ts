import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost } from '../../../test/support/recorded-host.js';
import { ModprobeArgs, modprobeModule, parseModprobeProbe, planModprobe, planPersistence, type ModprobeState } from './modprobe.js';

const loadedState = (over: Partial<ModprobeState> = {}): ModprobeState => ({
  bin: '/usr/sbin/modprobe', path: '/usr/sbin:/usr/bin', loaded: false, dryRun: { rc: 0, stdout: '', stderr: '' }, loadFiles: [], optionFiles: [], ...over,
});
const steps = (a: Record<string, unknown>, s: ModprobeState): string[] => {
  const p = planModprobe(ModprobeArgs.parse(a), s);
  return 'fail' in p ? [`fail ${p.fail}`] : p.changes.map((c) => (c.kind === 'write' ? `write ${c.path} ${JSON.stringify(c.content)}` : c.kind === 'load' ? `load ${c.name} ${c.params.join(' ')}`.trim() : `unload ${c.name}`));
};

describe('modprobe planning', () => {
  const table: Array<[string, Record<string, unknown>, ModprobeState, string[]]> = [
    ['loads a module that is not loaded, with its params split as a shell would', { name: 'dummy', params: 'numdummies=2 x="a b"' }, loadedState(), ['load dummy numdummies=2 x=a b']],
    ['does nothing for a loaded module', { name: 'dummy' }, loadedState({ loaded: true, dryRun: null }), []],
    ['unloads a loaded module', { name: 'dummy', state: 'absent' }, loadedState({ loaded: true }), ['unload dummy']],
    ["fails with modprobe's own message when the dry run fails", { name: 'nope' }, loadedState({ dryRun: { rc: 1, stdout: '', stderr: 'modprobe: FATAL: Module nope not found' } }), ['fail modprobe: FATAL: Module nope not found']],
    ['fails without modprobe, naming the PATH searched', { name: 'dummy' }, loadedState({ bin: null }), ['fail Failed to find required executable "modprobe" in paths: /usr/sbin:/usr/bin']],
    ['persists a module and its params', { name: 'dummy', params: 'numdummies=2', persistent: 'present' }, loadedState({ loaded: true, dryRun: null }),
      ['write /etc/modules-load.d/dummy.conf "dummy\\n"', 'write /etc/modprobe.d/dummy.conf "options dummy numdummies=2\\n"']],
    ['comments out the old params before writing the new ones', { name: 'dummy', params: 'numdummies=3', persistent: 'present' },
      loadedState({ loaded: true, dryRun: null, loadFiles: [{ path: '/etc/modules-load.d/m.conf', mode: 0o644, content: 'dummy\n' }], optionFiles: [{ path: '/etc/modprobe.d/o.conf', mode: 0o600, content: 'options dummy numdummies=2\noptions other a=1\n' }] }),
      ['write /etc/modprobe.d/o.conf "#options dummy numdummies=2\\noptions other a=1\\n"', 'write /etc/modprobe.d/dummy.conf "options dummy numdummies=3\\n"']],
    ['comments the module out with persistent: absent', { name: 'dummy', persistent: 'absent' },
      loadedState({ loaded: true, dryRun: null, loadFiles: [{ path: '/etc/modules-load.d/m.conf', mode: 0o644, content: 'loop\ndummy # keep\n' }] }),
      ['write /etc/modules-load.d/m.conf "loop\\n#dummy # keep\\n"']],
    ['fails when a persistence folder is missing', { name: 'dummy', persistent: 'present' }, loadedState({ loaded: true, dryRun: null, loadFiles: "[Errno 2] No such file or directory: '/etc/modules-load.d'" }),
      ["fail [Errno 2] No such file or directory: '/etc/modules-load.d'"]],
  ];
  for (const [title, a, s, expected] of table) it(title, () => assert.deepEqual(steps(a, s), expected));

  it('takes params as set when the files hold exactly them', () => {
    const s = { loadFiles: [{ path: '/etc/modules-load.d/dummy.conf', mode: 0o644, content: 'dummy\n' }], optionFiles: [{ path: '/etc/modprobe.d/dummy.conf', mode: 0o644, content: 'options dummy numdummies=2\n' }] };
    assert.deepEqual(planPersistence(ModprobeArgs.parse({ name: 'dummy', params: 'numdummies=2', persistent: 'present' }), s).writes, []);
  });
});

describe('modprobe probe', () => {
  for (const c of loadProbeCases<ModprobeState>('modprobe-probe')) {
    it(`parses ${c.name}: ${c.title}`, () => assert.deepEqual(parseModprobeProbe(c.stdout), c.expected));
  }
});

describe('modprobe module', () => {
  it('fails on a lab host (no modprobe) in check mode as in a run, and changes nothing', async () => {
    const [lab] = loadProbeCases('modprobe-probe');
    const host = new RecordedHost().on(['sh', '-c'], { stdout: lab?.stdout ?? '' });
    const r = await modprobeModule.run(host, modprobeModule.args.parse({ name: 'dummy', persistent: 'present' }), fakeContext({ check: true }));
    assert.equal(r.failed, true);
    assert.match(r.msg, /^Failed to find required executable "modprobe" in paths: /);
    assert.deepEqual(r.data, { name: 'dummy', params: '', state: 'present' });
    assert.equal(host.commands().length, 1);
  });
});
