import assert from 'node:assert/strict';
import { ValidationError } from '../../../errors.js';
import { deprefixed, NOT_GATHERED } from './ansible-compare.js';
import { matchesFilter, mergeHostFacts, selectAnsibleFacts, selectHostFacts } from './fact-select.js';
import { ansibleFactsOf, HOST_FACTS_SCRIPT, isHostFacts, parseHostFacts } from './facts-parse.js';
import { factsModule } from './facts.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { runSite, yaml } from '../../../../test/support/run-fixture.js';

// Recordings of the probe on lab hosts with what `ansible -m setup` returned for the same
// host at the same moment (test/fixtures/probes/facts/lab0*-ansible-*.json).
const RECORDED = loadProbeCases<Record<string, unknown>>('facts')
  .map((c) => ({ ...c, setup: (c as unknown as { ansible_setup?: Record<string, unknown> }).ansible_setup }))
  .filter((c) => c.setup !== undefined);
const LAB01 = RECORDED.find((c) => c.name.startsWith('lab01-ansible'))!;

const keys = (o: Record<string, unknown>): string[] => Object.keys(o).sort();

// What Ansible's minimal subset gives on lab01 (ansible-core 2.14, `gather_subset: ['!all']`),
// without what kvmplay never gathers (NOT_GATHERED: cmdline, python, caps, local…).
const LAB01_MIN = [
  'apparmor', 'architecture', 'date_time', 'distribution', 'distribution_file_parsed', 'distribution_file_path',
  'distribution_file_variety', 'distribution_major_version', 'distribution_minor_version', 'distribution_release',
  'distribution_version', 'dns', 'domain', 'effective_group_id', 'effective_user_id', 'env', 'fips', 'fqdn', 'gather_subset',
  'hostname', 'kernel', 'kernel_version', 'lsb', 'machine', 'machine_id', 'module_setup', 'nodename', 'os_family', 'pkg_mgr',
  'real_group_id', 'real_user_id', 'selinux', 'service_mgr', 'ssh_host_key_ed25519_public', 'ssh_host_key_ed25519_public_keytype',
  'system', 'user_dir', 'user_gecos', 'user_gid', 'user_id', 'user_shell', 'user_uid', 'userspace_architecture', 'userspace_bits',
];
const LAB01_NETWORK = ['all_ipv4_addresses', 'all_ipv6_addresses', 'default_ipv4', 'default_ipv6', 'em1', 'em1_kvp', 'em2', 'interfaces', 'lo', 'virbr0'];

describe('setup filter', () => {
  const CASES: ReadonlyArray<readonly [string, readonly string[], boolean]> = [
    ['ansible_distribution', ['ansible_distribution*'], true],
    ['ansible_distribution_major_version', ['ansible_distribution*'], true],
    ['ansible_os_family', ['ansible_distribution*'], false],
    // Without the prefix, the pattern is tried with `ansible_` before it too (ansible-core ≥ 2.11).
    ['ansible_default_ipv4', ['default_ipv4'], true],
    ['ansible_em1', ['ansible_em[0-9]'], true],
    ['ansible_em1_kvp', ['ansible_em[0-9]'], false],
    ['ansible_em2', ['ansible_em[!2]'], false],
    ['ansible_eth0', ['ansible_eth?', 'x'], true],
    ['gather_subset', ['gather*'], true],
    ['gather_subset', ['ansible_*'], false],
    // No pattern, an empty one or `*`: everything.
    ['ansible_lo', [], true],
    ['ansible_lo', [''], true],
    ['module_setup', ['*'], true],
    // Case counts, as fnmatch on POSIX; a `[` without `]` is itself.
    ['ansible_Distribution', ['ansible_distribution'], false],
    ['ansible_a[b', ['ansible_a[b'], true],
    ['ansible_a.b', ['ansible_a?b'], true],
    ['ansible_axb', ['ansible_a.b'], false],
  ];
  for (const [name, patterns, want] of CASES) {
    it(`${want ? 'keeps' : 'drops'} ${name} for ${JSON.stringify(patterns)}`, () => assert.equal(matchesFilter(name, patterns), want));
  }

  it('returns only the top-level facts that match, with the values Ansible gave on lab01', () => {
    const got = selectAnsibleFacts(parseHostFacts(LAB01.stdout), { gatherSubset: ['all'], filter: ['ansible_distribution*'] });
    const ansible = deprefixed(LAB01.setup!);
    const want = Object.fromEntries(Object.entries(ansible).filter(([k]) => k.startsWith('distribution')));
    assert.equal(keys(want).length, 8);
    assert.deepEqual(got, want);
  });
});

describe('setup gather_subset on recorded facts', () => {
  const facts = parseHostFacts(LAB01.stdout);

  it('gives for !all (and min) the facts of Ansible\'s minimal subset, and says what was asked', () => {
    const min = selectAnsibleFacts(facts, { gatherSubset: ['!all'], filter: [] });
    assert.deepEqual(keys(min), LAB01_MIN);
    assert.deepEqual(min['gather_subset'], ['!all']);
    assert.deepEqual(keys(selectAnsibleFacts(facts, { gatherSubset: ['min'], filter: [] })), LAB01_MIN);
    // Each is one Ansible gave on the same host at the same time.
    const ansible = deprefixed(LAB01.setup!);
    for (const k of LAB01_MIN) assert.ok(k in ansible, k);
  });

  it('adds the interfaces, default_ipv4/6 and the address lists for network', () => {
    const net = selectAnsibleFacts(facts, { gatherSubset: ['!all', 'network'], filter: [] });
    assert.deepEqual(keys(net), [...LAB01_MIN, ...LAB01_NETWORK].sort());
    assert.deepEqual(net['default_ipv4'], ansibleFactsOf(facts)['default_ipv4']);
  });

  it('gives only the metadata for !all,!min and everything gathered for all', () => {
    assert.deepEqual(selectAnsibleFacts(facts, { gatherSubset: ['!all', '!min'], filter: [] }), { gather_subset: ['!all', '!min'], module_setup: true });
    const all = selectAnsibleFacts(facts, { gatherSubset: ['all'], filter: [] });
    assert.deepEqual(keys(all), keys(ansibleFactsOf(facts)));
    // All Ansible's facts but the ones kvmplay never gathers.
    assert.deepEqual(keys(all), keys(deprefixed(LAB01.setup!)).filter((k) => !NOT_GATHERED.has(k)));
  });

  it('applies the filter to what the subset gave', () => {
    const got = selectAnsibleFacts(facts, { gatherSubset: ['!all', '!min', 'network'], filter: ['ansible_default_*', 'ansible_hostname', 'ansible_virtualization*'] });
    assert.deepEqual(keys(got), ['default_ipv4', 'default_ipv6', 'hostname']);
  });
});

describe('setup results joining the host\'s facts', () => {
  const facts = parseHostFacts(LAB01.stdout);

  it('keeps the facts a filtered setup did not return and refreshes the ones it did', () => {
    const min = selectHostFacts(facts, { gatherSubset: ['!all'], filter: [] });
    const before = ansibleFactsOf(min);
    assert.equal(before['default_ipv4'], undefined);
    const net = selectHostFacts(facts, { gatherSubset: ['all'], filter: ['ansible_default_ipv4', 'gather_subset'] });
    const merged = mergeHostFacts(min, net);
    const after = ansibleFactsOf(merged);
    assert.deepEqual(keys(after), [...LAB01_MIN, 'default_ipv4'].sort());
    assert.deepEqual(after['gather_subset'], ['all']);
    assert.equal(after['distribution'], 'Debian');
    // kvmplay's own names are always all there, and not Ansible's dict.
    assert.equal(merged['os_id'], 'debian');
    assert.ok(!Object.keys(merged).includes('ansible'));
    assert.ok(isHostFacts(merged));
    assert.equal(mergeHostFacts(undefined, net), net);
  });
});

describe('setup module arguments', () => {
  const run = async (args: Record<string, unknown>): Promise<{ r: Awaited<ReturnType<typeof factsModule.run>>; host: RecordedHost }> => {
    const host = new RecordedHost().on(runsScript(HOST_FACTS_SCRIPT), { stdout: LAB01.stdout });
    return { r: await factsModule.run(host, factsModule.args.parse(args), fakeContext({ timeoutMs: 5000 })), host };
  };

  it('registers the filtered ansible_facts and kvmplay\'s facts whole', async () => {
    const { r } = await run({ filter: 'ansible_distribution*' });
    assert.equal(r.failed, undefined, r.msg);
    assert.deepEqual(keys(r.data?.['ansible_facts'] as Record<string, unknown>).every((k) => k.startsWith('distribution')), true);
    assert.equal((r.data?.['facts'] as Record<string, unknown>)['pkg_mgr'], 'apt');
    assert.equal(r.data?.['warnings'], undefined);
  });

  it('bounds the probe by gather_timeout, in seconds', async () => {
    const { host } = await run({ gather_timeout: '3' });
    assert.equal(host.calls[0]?.opts?.timeoutMs, 3000);
    assert.equal((await run({})).host.calls[0]?.opts?.timeoutMs, 5000);
  });

  it('warns that a fact_path other than Ansible\'s default is not read', async () => {
    assert.deepEqual((await run({ fact_path: '/srv/facts.d' })).r.data?.['warnings'], ['fact_path /srv/facts.d: kvmplay gathers no local facts (ansible_local); the path is not read']);
    assert.equal((await run({ fact_path: '/etc/ansible/facts.d/' })).r.data?.['warnings'], undefined);
  });

  it('refuses an unknown subset with Ansible\'s message, at the element that names it', () => {
    const issues = (args: Record<string, unknown>): Array<{ path: PropertyKey[]; message: string }> => {
      const r = factsModule.args.safeParse(args);
      return r.success ? [] : r.error.issues.map((i) => ({ path: i.path, message: i.message }));
    };
    const [bad, ...more] = issues({ gather_subset: ['!all', 'netwrok'] });
    assert.equal(more.length, 0);
    assert.deepEqual(bad!.path, ['gather_subset', 1]);
    assert.match(bad!.message, /^Bad subset 'netwrok' given to Ansible\. gather_subset options allowed: all, all_ipv4_addresses, /);
    assert.match(issues({ gather_subset: '!all,bogus' })[0]!.message, /^Bad subset 'bogus'/);
    assert.deepEqual(issues({ gather_subset: '!all,!nonsense', filter: ['ansible_eth*'], fact_path: '/x', gather_timeout: 5 }), []);
  });
});

describe('play keywords gather_subset and gather_timeout', () => {
  const values = (run: Awaited<ReturnType<typeof runSite>>): unknown[] => run.calls.filter((c) => c.host === 'h1').map((c) => c.args['value']);

  it('gathers only the minimal facts for gather_subset: [\'!all\']', async () => {
    const run = await runSite({
      'site.yaml': yaml(
        '- hosts: h1',
        '  gather_subset: ["!all"]',
        '  gather_timeout: 20',
        '  tasks:',
        '    - probe: { value: "{{ ansible_distribution }} {{ ansible_default_ipv4 is defined }} {{ ansible_facts.gather_subset }}" }',
        '    - probe: { value: "{{ ansible_facts | list | sort | join(\',\') }}" }',
        '    - probe: { value: "{{ facts.ipv4.em1 }}" }',
      ),
    }, { factsStdout: LAB01.stdout });
    const [first, names, own] = values(run);
    assert.equal(first, "Debian False ['!all']");
    assert.equal(names, LAB01_MIN.join(','));
    assert.equal(own, '10.213.0.11/24');
  });

  it('refuses an unknown subset with its place in the playbook', async () => {
    await assert.rejects(runSite({ 'site.yaml': yaml('- hosts: h1', '  gather_subset: [network, hardwre]', '  tasks: []') }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.match(err.message, /site\.yaml:2:\d+: "gather_subset\[1\]" names an unknown subset: Bad subset 'hardwre' given to Ansible\. gather_subset options allowed: all, /);
      return true;
    });
  });
});
