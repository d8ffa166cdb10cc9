import assert from 'node:assert/strict';
import { loadProbeCases } from '../../../../test/support/recorded-host.js';
import { runSite, yaml } from '../../../../test/support/run-fixture.js';

// gather_facts on fake hosts answering with a recording of the probe on lab01: the play
// sees Ansible's facts as `ansible_facts`, as `ansible_*` variables and in `hostvars`.
const LAB01 = loadProbeCases('facts').find((c) => c.name.startsWith('lab01-ansible'))?.stdout ?? '';

function values(run: Awaited<ReturnType<typeof runSite>>): unknown[] {
  return run.calls.filter((c) => c.host === 'h1').map((c) => c.args['value']);
}

describe('gathered facts as variables', () => {
  it('gives ansible_facts, ansible_<name> and hostvars[host].ansible_<name>, kvmplay\'s facts kept', async () => {
    const run = await runSite({
      'site.yaml': yaml(
        '- hosts: all',
        '  tasks:',
        '    - probe: { value: "{{ ansible_facts.os_family }}" }',
        '    - probe: { value: "{{ ansible_distribution }} {{ ansible_distribution_major_version }}" }',
        '    - probe: { value: "{{ ansible_default_ipv4.address }}" }',
        '    - probe: { value: "{{ hostvars.h2.ansible_default_ipv4.gateway }}" }',
        '    - probe: { value: "{{ ansible_em1.macaddress }}" }',
        '    - probe: { value: "{{ facts.os_id }}" }',
        '    - probe: { value: on Debian }',
        '      when: ansible_os_family == "Debian"',
      ),
    }, { factsStdout: LAB01 });
    assert.deepEqual(values(run), ['Debian', 'Debian 12', '10.213.0.11', '10.213.0.254', '02:6b:76:01:00:01', 'debian', 'on Debian']);
  });

  it('lets play vars and -e override a fact, as in Ansible (facts sit below play vars)', async () => {
    const run = await runSite({
      'site.yaml': yaml(
        '- hosts: all',
        '  vars: { ansible_distribution: Mine }',
        '  tasks:',
        '    - probe: { value: "{{ ansible_distribution }} {{ ansible_os_family }} {{ ansible_facts.distribution }}" }',
      ),
    }, { factsStdout: LAB01, extraVars: ['ansible_os_family=FromCli'] });
    assert.deepEqual(values(run), ['Mine FromCli Debian']);
  });

  it('has an empty ansible_facts and no ansible_<fact> when facts are not gathered, as Ansible', async () => {
    const run = await runSite({
      'site.yaml': yaml(
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - probe: { value: "{{ ansible_facts }}" }',
        '    - probe: { value: "{{ ansible_os_family is defined }}" }',
      ),
      // The loader's static check does not yet know that `ansible_facts` is always defined.
    }, { factsStdout: LAB01, checkVariables: false });
    assert.deepEqual(values(run), [{}, false]);
  });
});
