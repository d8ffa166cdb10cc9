// include_vars through the real loader and executor (fake hosts): the variables become
// the host's at Ansible's precedence, for later tasks and plays.
import assert from 'node:assert/strict';
import { runSite, yaml } from '../../test/support/run-fixture.js';

const ONE = 'all:\n  hosts:\n    h1: {}\n';
const TWO = 'all:\n  hosts:\n    h1: {}\n    h2: {}\n';

const probed = (r: Awaited<ReturnType<typeof runSite>>, host = 'h1'): unknown[] =>
  r.calls.filter((c) => c.module === 'probe' && c.host === host).map((c) => c.args['value']);

describe('include_vars in the engine', () => {
  it('ranks included variables above task vars and play vars, under set_fact and -e, for later tasks and plays', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  vars: { a: play, b: play }', '  tasks:',
        '    - include_vars: levels.yml',
        '    - { name: read, probe: { value: "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}" }, vars: { a: task } }',
        '    - set_fact: { b: fact }',
        '    - { name: again, probe: { value: "{{ b }}" } }',
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: later play, probe: { value: "{{ a }} {{ c }}" } }',
      ),
      'vars/levels.yml': yaml('a: included', 'b: included', 'c: "{{ a }}-templated"', 'd: [1, 2]', 'e: from-file'),
    }, { inventory: ONE, extraVars: ['e=extra'] });
    assert.deepEqual(probed(r), ['included included included-templated [1, 2] extra', 'fact', 'included included-templated']);
  });

  it('gives a delegated include_vars\'s variables to the delegate with delegate_facts', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - { include_vars: { file: x.yml, name: got }, delegate_to: h2, delegate_facts: true }',
        '    - { name: mine, probe: { value: "{{ got | default(\'none\') }}" } }',
        '- hosts: h2', '  gather_facts: false', '  tasks:',
        '    - { name: theirs, probe: { value: "{{ got.x }}" } }',
      ),
      'x.yml': yaml('x: 1'),
    }, { inventory: TWO, checkVariables: false });
    assert.deepEqual(probed(r, 'h1'), ['none']);
    assert.deepEqual(probed(r, 'h2'), [1]);
  });

  it('applies every loop item\'s files, and nothing from a failed task', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { include_vars: "{{ item }}", loop: [a.yml, b.yml] }',
        '    - { include_vars: "{{ item }}", loop: [c.yml, missing.yml], ignore_errors: true }',
        '    - { name: read, probe: { value: "{{ a }} {{ b }} {{ c | default(\'unset\') }}" } }',
      ),
      'a.yml': yaml('a: 1', 'b: 1'),
      'b.yml': yaml('b: 2'),
      'c.yml': yaml('c: 3'),
    }, { inventory: ONE });
    assert.deepEqual(probed(r), ['1 2 unset']);
    const failed = r.results.find((e) => e.status === 'failed');
    assert.ok(failed?.ignored);
  });

  it('fails the host on a missing file, with Ansible\'s message', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  tasks:', '    - include_vars: nope.yml', '    - { name: after, probe: {} }'),
    }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 include_vars=failed']);
    assert.match(r.results[0]!.msg, /^Could not find or access 'nope\.yml'\nSearched in:\n\t.*\/vars\/nope\.yml\n/);
  });

  it('teaches the redactor the secret-named values of a file read at run time', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  tasks:', '    - include_vars: "{{ \'creds.yml\' }}"'),
      'creds.yml': yaml('db_password: s3cret-pw', 'db_host: db1'),
    }, { inventory: ONE });
    assert.equal(r.redactor.redact('s3cret-pw db1'), '******** db1');
  });
});
