import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../test/support/recorded-host.js';
import { WRITE_SCRIPT } from '../files/put-file.js';
import { distributionName, HOSTNAME_PROBE, HostnameArgs, hostnameModule, parseHostnameProbe, permanentContent, pickStrategy, planHostname, type HostnameState } from './hostname.js';

const debian = (content: string | null, over: Partial<HostnameState> = {}): HostnameState => ({
  systemd: false, distribution: 'Debian', version: '12', transient: null, static: null, hostnamectlError: '',
  file: content === null ? null : { path: '/etc/hostname', content, mode: 0o644 }, fqdn: 'old.example.org', ...over,
});
const steps = (a: Record<string, unknown>, s: HostnameState): string[] => {
  const p = planHostname(HostnameArgs.parse(a), s);
  return 'fail' in p ? [`fail ${p.fail}`] : p.changes.map((c) => (c.kind === 'write' ? `write ${c.path} ${JSON.stringify(c.content)}` : c.kind === 'hostname-F' ? `hostname -F ${c.path}` : `hostnamectl ${c.which} ${c.name}`));
};

describe('hostname strategies', () => {
  it('picks hostnamectl under systemd, else by distribution, as hostname.py', () => {
    assert.equal(pickStrategy(undefined, true, 'Debian', '12'), 'systemd');
    assert.equal(pickStrategy(undefined, false, 'Debian', '12'), 'file');
    assert.equal(pickStrategy(undefined, false, 'Redhat', '7'), 'redhat');
    assert.equal(pickStrategy(undefined, false, 'Sles', '12'), 'sles');
    assert.equal(pickStrategy(undefined, false, 'Sles', '12.3'), null); // float('12.3') > 12 in hostname.py too
    assert.equal(pickStrategy(undefined, false, 'Fedora', '39'), null);
    assert.equal(pickStrategy('debian', false, 'Debian', '12'), 'systemd');
    assert.equal(distributionName('rhel'), 'Redhat');
    assert.equal(distributionName('amzn'), 'Amazon');
  });

  it('rewrites each strategy\'s file as hostname.py does', () => {
    assert.equal(permanentContent('file', 'old\n', 'new'), 'new\n');
    assert.equal(permanentContent('redhat', 'NETWORKING=yes\nHOSTNAME=old\n', 'new'), 'NETWORKING=yes\nHOSTNAME=new\n');
    assert.equal(permanentContent('redhat', 'NETWORKING=yes\n', 'new'), 'NETWORKING=yes\nHOSTNAME=new\n');
    assert.equal(permanentContent('openrc', '# c\n hostname="old"\n', 'new'), '# c\nhostname="new"\n');
    assert.equal(permanentContent('openrc', '# c\n', 'new'), '# c\n'); // no hostname= line: none is added (hostname.py)
  });
});

describe('hostname planning', () => {
  const table: Array<[string, Record<string, unknown>, HostnameState, string[]]> = [
    ['writes /etc/hostname on Debian without systemd (the running name is left alone, as hostname.py)', { name: 'web1' }, debian('lab03\n'), ['write /etc/hostname "web1\\n"']],
    ['is ok when /etc/hostname has the name', { name: 'web1' }, debian('web1\n'), []],
    ['sets the static name, then the transient one, with hostnamectl', { name: 'web1' }, debian(null, { systemd: true, transient: 'old', static: 'old' }), ['hostnamectl static web1', 'hostnamectl transient web1']],
    ['runs hostname -F before writing the file on Alpine', { name: 'web1', use: 'alpine' }, debian('old\n'), ['hostname -F /etc/hostname', 'write /etc/hostname "web1\\n"']],
    ['fails on a distribution hostname.py has no strategy for', { name: 'web1' }, debian(null, { distribution: 'Fedora' }), ['fail hostname module cannot be used on platform Linux (Fedora)']],
    ['fails like hostname.py without /etc/sysconfig/network for redhat', { name: 'web1', use: 'redhat' }, debian(null), ['fail Unable to locate HOSTNAME entry in /etc/sysconfig/network']],
  ];
  for (const [title, a, s, expected] of table) it(title, () => assert.deepEqual(steps(a, s), expected));

  it("registers the name and Ansible's facts, and diffs the names", () => {
    const p = planHostname(HostnameArgs.parse({ name: 'web1.example.org' }), debian('lab03\n'));
    assert.ok(!('fail' in p));
    assert.deepEqual(p.data, { name: 'web1.example.org', ansible_facts: { ansible_hostname: 'web1', ansible_nodename: 'web1.example.org', ansible_fqdn: 'old.example.org', ansible_domain: 'example.org' } });
    assert.equal(p.diff?.(), '--- before: hostname\n+++ after: hostname\n@@ -1,1 +1,1 @@\n-hostname = lab03\n+hostname = web1.example.org\n');
  });

  it('refuses the strategies of other systems by name', () => {
    assert.match(HostnameArgs.safeParse({ name: 'a', use: 'freebsd' }).error?.issues[0]?.message ?? '', /"use: freebsd" is not supported by kvmplay/);
    assert.match(HostnameArgs.safeParse({ name: 'a', use: 'generic' }).error?.issues[0]?.message ?? '', /"use: generic" is not supported by kvmplay/);
  });
});

describe('hostname probe', () => {
  for (const c of loadProbeCases<HostnameState>('hostname-probe')) {
    it(`parses ${c.name}: ${c.title}`, () => assert.deepEqual(parseHostnameProbe(c.stdout, undefined), c.expected));
  }
});

describe('hostname module', () => {
  it('writes /etc/hostname on a Debian lab host; check mode only probes', async () => {
    const [deb] = loadProbeCases('hostname-probe');
    const isProbe = runsScript(HOSTNAME_PROBE) as (argv: readonly string[]) => boolean;
    const host = new RecordedHost().on(isProbe, { stdout: deb?.stdout ?? '' }).on(runsScript(WRITE_SCRIPT), {});
    const a = hostnameModule.args.parse({ name: 'web1' });
    const check = await hostnameModule.run(host, a, fakeContext({ check: true }));
    assert.equal(check.msg, 'would write /etc/hostname');
    assert.deepEqual(host.commands().filter((c) => !isProbe(c)), []);
    const r = await hostnameModule.run(host, a, fakeContext());
    assert.equal(r.changed, true);
    const write = host.calls.find((c) => c.argv && !isProbe(c.argv));
    assert.equal(String(write?.opts?.stdin), 'web1\n');
    assert.deepEqual(write?.argv?.slice(4, 6), ['/etc/hostname', '0644']);
  });
});
