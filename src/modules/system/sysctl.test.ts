import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../test/support/recorded-host.js';
import { WRITE_SCRIPT } from '../files/put-file.js';
import { fixSysctlLines, parseSysctlProbe, planSysctl, readSysctlFile, sameValue, SYSCTL_PROBE, SysctlArgs, sysctlModule, sysctlValue, type SysctlState } from './sysctl.js';

const state = (procValue: string | null, content: string | null): SysctlState => ({ procValue, file: content === null ? null : { content, mode: 0o644, owner: '0:0' }, umask: 0o22 });
const steps = (a: Record<string, unknown>, s: SysctlState): string[] => {
  const p = planSysctl(SysctlArgs.parse(a), s);
  return 'fail' in p ? [`fail ${p.fail}`] : p.changes.map((c) => (c.kind === 'write' ? `write ${JSON.stringify(c.content)}` : c.kind === 'set' ? `set ${c.name}=${c.value}` : `${c.kind}`));
};

describe('sysctl values and files', () => {
  it("reads booleans as 1/0, as the module's _parse_value", () => {
    assert.equal(sysctlValue(true), '1');
    assert.equal(sysctlValue('off'), '0');
    assert.equal(sysctlValue(' 4096 87380 ') , '4096 87380');
    assert.equal(sysctlValue(64), '64');
  });

  it('compares values word by word', () => {
    assert.equal(sameValue('4096\t87380\n', '4096 87380'), true);
    assert.equal(sameValue(null, '1'), false);
  });

  it('rewrites the file as the module does: stripped lines, k=v, repeats dropped, the key added last', () => {
    const { lines } = readSysctlFile('# c\n  a.b = 1\n\na.b=2\nx.y =3');
    assert.equal(fixSysctlLines(lines, 'n.m', '5', 'present'), '# c\na.b=1\n\nx.y=3\nn.m=5\n');
    assert.equal(fixSysctlLines(lines, 'a.b', '7', 'present'), '# c\na.b=7\n\nx.y=3\n');
    assert.equal(fixSysctlLines(lines, 'a.b', '', 'absent'), '# c\n\nx.y=3\n');
  });
});

describe('sysctl planning', () => {
  const table: Array<[string, Record<string, unknown>, SysctlState, string[]]> = [
    ['adds the key to the file and reloads it', { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: '/r/s.conf' }, state('0', null), ['write "net.ipv4.ip_forward=1\\n"', 'reload']],
    ['is ok when the file and the running value agree', { name: 'k.a', value: '1', sysctl_file: '/r/s.conf' }, state('1\n', 'k.a=1\n'), []],
    ['reloads when only the running value differs', { name: 'k.a', value: '1', sysctl_file: '/r/s.conf' }, state('0', 'k.a = 1\n'), ['reload']],
    ['sets the running value without a reload', { name: 'k.a', value: '1', sysctl_set: true, reload: false, sysctl_file: '/r/s.conf' }, state('0', 'k.a=1\n'), ['set k.a=1']],
    ['only writes the file with reload: false', { name: 'k.a', value: '2', reload: false, sysctl_file: '/r/s.conf' }, state('0', 'k.a=1\n'), ['write "k.a=2\\n"']],
    ['removes the key', { name: 'k.a', state: 'absent', sysctl_file: '/r/s.conf' }, state('1', '# c\nk.a=1\n'), ['write "# c\\n"', 'reload']],
    ['does nothing to remove a key the file lacks', { name: 'k.a', state: 'absent', sysctl_file: '/r/s.conf' }, state('1', '# c\n'), []],
    ['reports a change it has no command for (unreadable key, no reload), as the module', { name: 'k.a', value: '1', sysctl_set: true, reload: false, sysctl_file: '/r/s.conf' }, state(null, 'k.a=1\n'), ['unreadable']],
  ];
  for (const [title, a, s, expected] of table) it(title, () => assert.deepEqual(steps(a, s), expected));

  it('refuses a blank value and a missing one with state present', () => {
    assert.match(SysctlArgs.safeParse({ name: 'k.a', value: ' ' }).error?.issues[0]?.message ?? '', /value cannot be blank/);
    assert.match(SysctlArgs.safeParse({ name: 'k.a' }).error?.issues[0]?.message ?? '', /state is present but all of the following are missing: value/);
    assert.equal(SysctlArgs.parse({ key: ' k.a ', val: 1 }).name, 'k.a');
  });
});

describe('sysctl probe', () => {
  for (const c of loadProbeCases<SysctlState>('sysctl-probe')) {
    it(`parses ${c.name}: ${c.title}`, () => assert.deepEqual(parseSysctlProbe(c.stdout), c.expected));
  }
});

describe('sysctl module', () => {
  const [present] = loadProbeCases('sysctl-probe').filter((c) => c.name === 'present');
  const isProbe = runsScript(SYSCTL_PROBE) as (argv: readonly string[]) => boolean;

  it('writes the file (keeping its mode and owner) and runs sysctl -p on it; check mode and --diff show it', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: present?.stdout ?? '' }).on(runsScript(WRITE_SCRIPT), {}).on(['sysctl', '-p'], {});
    const a = sysctlModule.args.parse({ name: 'net.ipv4.ip_default_ttl', value: 65, sysctl_file: '/tmp/kvfix/s.conf' });
    const check = await sysctlModule.run(host, a, fakeContext({ check: true, diff: true }));
    assert.equal(check.msg, 'would rewrite /tmp/kvfix/s.conf, would reload /tmp/kvfix/s.conf');
    assert.match(check.diff ?? '', /-net.ipv4.ip_default_ttl = 64\n-  net.ipv4.ip_forward=0\n\+net.ipv4.ip_default_ttl=65\n\+net.ipv4.ip_forward=0/);
    assert.deepEqual(host.commands().filter((c) => !isProbe(c)), []);
    const r = await sysctlModule.run(host, a, fakeContext());
    assert.equal(r.changed, true, r.msg);
    const sent = host.calls.filter((c) => c.argv && !isProbe(c.argv));
    assert.deepEqual(sent[0]?.argv?.slice(4, 8), ['/tmp/kvfix/s.conf', '0644', '', '0:0']);
    assert.equal(String(sent[0]?.opts?.stdin), '# comment\nnet.ipv4.ip_default_ttl=65\nnet.ipv4.ip_forward=0\n');
    assert.deepEqual(sent[1]?.argv, ['sysctl', '-p', '/tmp/kvfix/s.conf']);
    assert.deepEqual(sent[1]?.opts?.env, { LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C' });
  });

  it("fails on sysctl's 'setting key' errors even with rc 0", async () => {
    const host = new RecordedHost().on(isProbe, { stdout: present?.stdout ?? '' }).on(['sysctl', '-w'], { stderr: 'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument\n' });
    const a = sysctlModule.args.parse({ name: 'net.ipv4.ip_default_ttl', value: 0, sysctl_set: true, reload: false, sysctl_file: '/tmp/kvfix/s.conf' });
    const r = await sysctlModule.run(host, a, fakeContext());
    assert.equal(r.failed, true);
    assert.match(r.msg, /^setting net.ipv4.ip_default_ttl failed: sysctl: setting key/);
  });
});
