import assert from 'node:assert/strict';
import { runSite, yaml } from '../../test/support/run-fixture.js';
import { Recap } from '../output/recap.js';
import { MAGIC_VARIABLES } from '../playbook/variables.js';

const recapOf = (r: Awaited<ReturnType<typeof runSite>>): Recap => {
  const recap = new Recap();
  r.events.forEach((e) => recap.record(e));
  return recap;
};

const ONE = yaml('all:', '  hosts:', '    h1: {}');
const TWO = yaml('all:', '  hosts:', '    h1: {}', '    h2: {}');

describe('play sections, roles and meta', () => {
  it('runs pre_tasks, roles, tasks, post_tasks in order, with handlers flushed after pre_tasks and after tasks', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false',
        '  pre_tasks: [{ name: pre, probe: { changed: true }, notify: h }]',
        '  roles: [r1]',
        '  tasks: [{ name: main, probe: { changed: true }, notify: h }]',
        '  post_tasks: [{ name: post, probe: { changed: true }, notify: h }]',
        '  handlers: [{ name: h, probe: {} }]',
      ),
      'roles/r1/tasks/main.yml': yaml('- { name: in role, probe: { value: "{{ greeting }}" } }'),
      'roles/r1/defaults/main.yml': yaml('greeting: hi'),
    }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 pre=changed', 'h1 h=ok', 'h1 r1 : in role=ok', 'h1 main=changed', 'h1 h=ok', 'h1 post=changed', 'h1 h=ok']);
  });

  it('gives role defaults the lowest precedence and role vars more than play vars', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  vars: { a: play, b: play }',
        '  roles: [{ role: r1, c: param }]',
        '  tasks: [{ name: after, probe: { value: "{{ a }} {{ b }} {{ c | default(\'none\') }}" } }]',
      ),
      'roles/r1/tasks/main.yml': yaml('- { name: inside, probe: { value: "{{ a }} {{ b }} {{ c }}" } }'),
      'roles/r1/defaults/main.yml': yaml('a: default'),
      'roles/r1/vars/main.yml': yaml('b: rolevar'),
    }, { inventory: ONE });
    const values = r.calls.filter((c) => c.module === 'probe').map((c) => c.args['value']);
    // Ansible: the play's a beats the role default; the role's vars beat the play's b; parameters reach only the role's tasks.
    assert.deepEqual(values, ['play rolevar param', 'play rolevar none']);
  });

  it('set_fact: the variables are the host\'s for its later tasks, above task vars', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - set_fact: { n: "{{ 2 + 1 }}" }',
        '    - { name: read, probe: { value: "{{ n }}" }, vars: { n: task } }',
        '    - assert: { that: ["n == 3"] }',
      ),
    }, { inventory: ONE });
    assert.deepEqual(r.calls.filter((c) => c.module === 'probe').map((c) => c.args['value']), [3]);
    assert.ok(r.lines.includes('h1 assert=ok'), r.lines.join('\n'));
  });

  it('meta: flush_handlers runs notified handlers now, end_host ends one host, end_play the play', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: true }, notify: h }',
        '    - meta: flush_handlers',
        '    - { name: t2, probe: {} }',
        '    - meta: end_host',
        '      when: inventory_hostname == "h2"',
        '    - { name: t3, probe: {} }',
        '  handlers: [{ name: h, probe: {} }]',
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - meta: end_play',
        '    - { name: never, probe: {} }',
        '- hosts: h1', '  gather_facts: false', '  tasks: [{ name: next play, probe: {} }]',
      ),
    }, { inventory: TWO, forks: 1 });
    const ran = r.lines.filter((l) => !l.includes('meta='));
    assert.deepEqual(ran, ['h1 t1=changed', 'h1 h=ok', 'h1 t2=ok', 'h1 t3=ok', 'h2 t1=changed', 'h2 h=ok', 'h2 t2=ok', 'h1 next play=ok']);
  });
});

describe('blocks', () => {
  it('run the rescue on a failure, count it as rescued, run always, and go on', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - block:',
        '        - { name: b1, probe: {} }',
        '        - { name: b2, probe: { fail: true, msg: boom } }',
        '        - { name: b3, probe: {} }',
        '      rescue:',
        '        - { name: r1, probe: { value: "{{ ansible_failed_task.name }}: {{ ansible_failed_result.msg }}" } }',
        '      always:',
        '        - { name: a1, probe: {} }',
        '    - { name: after, probe: {} }',
      ),
    }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 b1=ok', 'h1 b2=failed', 'h1 r1=ok', 'h1 a1=ok', 'h1 after=ok']);
    assert.equal(r.results.find((e) => e.task === 'b2')?.rescued, true);
    assert.deepEqual(r.calls.find((c) => c.args['value'] !== undefined)?.args['value'], 'b2: boom');
    assert.equal(recapOf(r).toJson().hosts['h1']?.failed, 0);
    assert.match(recapOf(r).format(), /rescued=1 /);
  });

  it('run always after a failure with no rescue, then the host stops as failed', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - block: [{ name: b1, probe: { fail: true } }]',
        '      always: [{ name: a1, probe: {} }]',
        '    - { name: after, probe: {} }',
      ),
    }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 b1=failed', 'h1 a1=ok']);
    assert.equal(recapOf(r).toJson().hosts['h1']?.failed, 1);
  });

  it('pass their when, vars and tags to their tasks, and nest', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - block:',
        '        - { name: inner, probe: { value: "{{ v }}" } }',
        '        - block: [{ name: nested, probe: { fail: true } }]',
        '          rescue: [{ name: nested rescue, probe: {} }]',
        '      when: run_it',
        '      vars: { v: from-block }',
        '      tags: [t]',
        '    - block: [{ name: skipped, probe: {} }]',
        '      when: not run_it',
      ),
    }, { inventory: yaml('all:', '  hosts:', '    h1: { run_it: true }') });
    assert.deepEqual(r.lines, ['h1 inner=ok', 'h1 nested=failed', 'h1 nested rescue=ok', 'h1 skipped=skipped']);
    assert.equal(r.calls.find((c) => c.args['value'] !== undefined)?.args['value'], 'from-block');
  });
});

describe('check_mode and diff on a task', () => {
  it('override --check and --diff for that task only', async () => {
    const site = {
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: real, probe: {}, check_mode: false }',
        '    - { name: dry, probe: {}, check_mode: true }',
        '    - { name: default, probe: {} }',
      ),
    };
    const checked = await runSite(site, { inventory: ONE, check: true });
    assert.deepEqual(checked.calls.map((c) => c.check), [false, true, true]);
    const plain = await runSite(site, { inventory: ONE });
    assert.deepEqual(plain.calls.map((c) => c.check), [false, true, false]);
  });
});

describe('import_role and include_role', () => {
  it('put the role\'s tasks_from in place, with its defaults_from, parameters from vars, and its handlers', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: before, probe: {} }',
        '    - import_role: { name: r1, tasks_from: extra, defaults_from: other }',
        '      vars: { who: param }',
        '    - include_role: { name: r1 }',
        '      when: false',
      ),
      'roles/r1/tasks/main.yml': yaml('- { name: main task, probe: {} }'),
      'roles/r1/tasks/extra.yml': yaml('- { name: extra task, probe: { changed: true, value: "{{ greeting }} {{ who }}" }, notify: h }'),
      'roles/r1/defaults/other.yml': yaml('greeting: hello'),
      'roles/r1/handlers/main.yml': yaml('- { name: h, probe: {} }'),
    }, { inventory: ONE });
    // include_role is a task of its own: its when false skips the include (Ansible).
    assert.deepEqual(r.lines, ['h1 before=ok', 'h1 r1 : extra task=changed', 'h1 include_role : r1=skipped', 'h1 r1 : h=ok']);
    assert.equal(r.calls.find((c) => c.args['value'] !== undefined)?.args['value'], 'hello param');
  });

  it('makes an import_role\'s variables the play\'s, an include_role\'s only with public', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - import_role: { name: r1 }',
        '    - include_role: { name: r2 }',
        '    - include_role: { name: r3, public: true }',
        '    - { name: after, probe: { value: "{{ r1_default }} {{ r2_var | default(\'private\') }} {{ r3_var }}" } }',
      ),
      'roles/r1/tasks/main.yml': yaml('- { name: in r1, probe: {} }'),
      'roles/r1/defaults/main.yml': yaml('r1_default: one'),
      'roles/r2/tasks/main.yml': yaml('- { name: in r2, probe: {} }'),
      'roles/r2/vars/main.yml': yaml('r2_var: two'),
      'roles/r3/tasks/main.yml': yaml('- { name: in r3, probe: {} }'),
      'roles/r3/vars/main.yml': yaml('r3_var: three'),
    }, { inventory: ONE });
    assert.equal(r.calls.at(-1)?.args['value'], 'one private three');
  });

  it('include_role runs the role per loop item with the item, and a templated role name built when reached', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - include_role: { name: r1 }',
        '      loop: [a, b]',
        '      vars: { who: "{{ item }}" }',
        '    - include_role: { name: "{{ which }}", tasks_from: extra }',
        '      vars: { which: r2 }',
      ),
      'roles/r1/tasks/main.yml': yaml('- { name: main, probe: { value: "{{ who }}-{{ item }}" } }'),
      'roles/r2/tasks/extra.yml': yaml('- { name: extra, probe: { value: r2 } }'),
    }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 include_role : r1=ok', 'h1 r1 : main=ok', 'h1 r1 : main=ok', 'h1 include_role : {{ which }}=ok', 'h1 r2 : extra=ok']);
    assert.deepEqual(r.calls.map((c) => c.args['value']), ['a-a', 'b-b', 'r2']);
    // As Ansible: an include_role does not count in the recap.
    assert.equal(recapOf(r).toJson().hosts['h1']?.ok, 3);
  });
});

describe('delegate_to and run_once', () => {
  it('delegate_to runs the module on another inventory host or the control machine, with the task host\'s variables', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - { name: on h2, probe: { value: "{{ inventory_hostname }}" }, delegate_to: h2 }',
        '    - { name: on control, probe: {}, delegate_to: localhost }',
        '    - { name: nowhere, probe: {}, delegate_to: "{{ \'ghost\' }}" }',
      ),
    }, { inventory: TWO });
    assert.deepEqual(r.calls.map((c) => [c.host, c.args['value']]), [['h2', 'h1'], ['localhost', undefined]]);
    assert.match(r.results.find((e) => e.task === 'nowhere')?.msg ?? '', /delegate_to "ghost": no such host in the inventory/);
  });

  it('run_once runs on the first host of the batch only, and every host registers its result', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: once, probe: { value: 7 }, run_once: true, register: shared }',
        '    - { name: read, probe: { value: "{{ shared.value }}" } }',
      ),
    }, { inventory: TWO, forks: 1 });
    assert.deepEqual(r.calls.map((c) => [c.host, c.args['value']]), [['h1', 7], ['h1', 7], ['h2', 7]]);
  });
});

describe('include_tasks at run time', () => {
  it('runs the file once per loop item with the item, and a templated file named by the host\'s variables', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - include_tasks: per-vm.yml',
        '      loop: [a, b]',
        '      loop_control: { loop_var: vm }',
        '    - include_tasks: "{{ inventory_hostname }}.yml"',
      ),
      'per-vm.yml': yaml('- { name: "vm {{ vm }}", probe: { value: "{{ vm }}" } }'),
      'h1.yml': yaml('- { name: only h1, probe: {} }'),
      'h2.yml': yaml('- { name: only h2, probe: {} }'),
    }, { inventory: TWO, forks: 1 });
    assert.deepEqual(r.lines, [
      'h1 include_tasks=ok', 'h1 vm a=ok', 'h1 vm b=ok', 'h1 include_tasks=ok', 'h1 only h1=ok',
      'h2 include_tasks=ok', 'h2 vm a=ok', 'h2 vm b=ok', 'h2 include_tasks=ok', 'h2 only h2=ok',
    ]);
    assert.deepEqual(r.results[0]?.included?.map((f) => f.split('/').pop()), ['per-vm.yml', 'per-vm.yml']);
    // As Ansible counts it: once per included file.
    assert.equal(recapOf(r).toJson().hosts['h1']?.ok, 6);
  });

  it('fails the include on a host whose file is missing or invalid, at the file\'s position; a rescue takes it over', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - block:',
        '        - include_tasks: "{{ inventory_hostname }}.yml"',
        '      rescue:',
        '        - { name: rescued, probe: { value: "{{ ansible_failed_result.msg }}" } }',
      ),
      'h1.yml': yaml('- { name: fine, probe: {} }'),
      'h2.yml': yaml('- { name: bad, prob: {} }'),
    }, { inventory: TWO, forks: 1 });
    assert.deepEqual(r.lines, ['h1 include_tasks=ok', 'h1 fine=ok', 'h2 include_tasks=failed', 'h2 rescued=ok']);
    assert.match(String(r.calls.at(-1)?.args['value']), /h2\.yml:1:16: unknown module "prob"/);
  });

  it('meta: end_batch ends the batch for every host and the next batch goes on', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  serial: 1', '  tasks:',
        '    - { name: t1, probe: {} }',
        '    - meta: end_batch',
        '      when: inventory_hostname == "h1"',
        '    - { name: t2, probe: {} }',
      ),
    }, { inventory: TWO });
    assert.deepEqual(r.lines.filter((l) => !l.includes('meta')), ['h1 t1=ok', 'h2 t1=ok', 'h2 t2=ok']);
  });
});

describe('facts other modules return', () => {
  it('join the host\'s facts: in ansible_facts and as variables named as returned', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: facts, probe: { facts: { services: { a.service: { state: running } } } } }',
        '    - { name: read, probe: { value: "{{ ansible_facts.services[\'a.service\'].state }} {{ services | length }}" } }',
      ),
    }, { inventory: ONE, checkVariables: false });
    assert.equal(r.calls.at(-1)?.args['value'], 'running 1');
  });
});

describe('magic variables', () => {
  it('defines every name the validator takes as always defined', async () => {
    // Set only in a rescue, or once facts are gathered.
    const later = new Set(['ansible_failed_task', 'ansible_failed_result', 'facts']);
    const names = [...MAGIC_VARIABLES].filter((n) => !later.has(n));
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  tasks:',
        `    - { name: check, probe: { value: "{{ [${names.map((n) => `'${n}'`).join(', ')}] | reject('in', vars) | list }}" } }`),
    }, { inventory: ONE });
    assert.deepEqual(r.calls[0]?.args['value'], [], r.results[0]?.msg);
  });
});
