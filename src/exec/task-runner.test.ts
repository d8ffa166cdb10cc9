import assert from 'node:assert/strict';
import { NO_LOG_MSG } from './result.js';
import { runSite, yaml } from '../../test/support/run-fixture.js';

const ONE = yaml('all:', '  hosts:', '    h1: { secret: s3cr3t-value, obj: {} }');
const play = (...tasks: string[]): string => yaml('- hosts: all', '  gather_facts: false', '  tasks:', ...tasks.map((t) => `    - ${t}`));
/** The `value` argument each probe call received, in order. */
const values = (r: Awaited<ReturnType<typeof runSite>>): unknown[] => r.calls.map((c) => c.args['value']);

describe('variables of a task', () => {
  it('follow SPEC 3 precedence: inventory < play vars < vars_files < task vars < registered < -e', async () => {
    const inventory = yaml('all:', '  vars: { a: inv, b: inv, c: inv, d: inv, e: inv, f: inv }', '  hosts:', '    h1: {}');
    const r = await runSite({
      'vars/main.yaml': 'c: vars_files\nd: vars_files\ne: vars_files\nf: vars_files\n',
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false',
        '  vars: { b: play, c: play, d: play, e: play, f: play }',
        '  vars_files: [vars/main.yaml]',
        '  tasks:',
        '    - { name: reg, probe: { msg: registered }, register: e }',
        '    - name: show',
        '      probe: { value: { a: "{{ a }}", b: "{{ b }}", c: "{{ c }}", d: "{{ d }}", e: "{{ e.msg }}", f: "{{ f }}" } }',
        '      vars: { d: task, e: task, f: task }',
      ),
    }, { inventory, extraVars: ['f=extra'] });
    assert.deepEqual(values(r)[1], { a: 'inv', b: 'play', c: 'vars_files', d: 'task', e: 'registered', f: 'extra' });
  });

  it('include the magic variables, which no other layer overrides', async () => {
    const inventory = yaml('all:', '  children:', '    web:', '      hosts:', '        h1: { x: 1 }', '        h2: { x: 2 }');
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  vars: { inventory_hostname: nope }', '  tasks:',
        '    - probe: { value: ["{{ inventory_hostname }}", "{{ group_names }}", "{{ groups.web }}", "{{ hostvars.h2.x }}", "{{ check_mode }}", "{{ ansible_play_hosts }}"] }',
      ),
    }, { inventory, check: true });
    assert.deepEqual(values(r)[0], ['h1', ['web'], ['h1', 'h2'], 2, true, ['h1']]);
    assert.equal(r.calls[0]!.check, true);
    assert.match(String(r.calls[0]!.vars['playbook_dir']), /kvmplay-inv-/);
  });

  it('render variables lazily, so a task var can use the loop item', async () => {
    const r = await runSite({
      'site.yaml': play('{ probe: { value: "{{ path }}" }, vars: { path: "/srv/{{ item }}/{{ base }}" }, loop: [a, b] }').replace('gather_facts: false', 'gather_facts: false\n  vars: { base: x }'),
    }, { inventory: ONE });
    assert.deepEqual(values(r), ['/srv/a/x', '/srv/b/x']);
  });

  it('leave out an argument whose value is omit', async () => {
    const r = await runSite({ 'site.yaml': play('{ probe: { value: "{{ omit }}", msg: m } }') }, { inventory: ONE });
    assert.equal('value' in r.calls[0]!.args, false);
  });

  it('fail the task with its position when a template cannot render at run time', async () => {
    const r = await runSite({ 'site.yaml': play('{ name: broken, probe: { value: "{{ obj.missing }}" } }', '{ name: after, probe: {} }') }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 broken=failed']);
    assert.match(r.results[0]!.msg, /site\.yaml:4:7 \(task arguments\)\.value.*obj\.missing/);
  });

  it('fail the task when rendered arguments do not fit the module', async () => {
    const r = await runSite({ 'site.yaml': play('{ probe: { changed: "{{ secret }}" } }') }, { inventory: ONE });
    assert.equal(r.results[0]!.status, 'failed');
    assert.match(r.results[0]!.msg, /site\.yaml:4:\d+: argument "changed" of probe must be true or false.*after templating/);
  });
});

describe('loops and register', () => {
  it('register every item under results, with what Ansible sums up', async () => {
    const r = await runSite({
      'site.yaml': play(
        '{ name: loop, probe: { changed: "{{ item == \'b\' }}" }, loop: [a, b], register: out }',
        '{ name: show, probe: { value: "{{ out }}" } }',
      ),
    }, { inventory: ONE });
    const out = values(r)[2] as Record<string, unknown>;
    const results = out['results'] as Record<string, unknown>[];
    assert.equal(out['changed'], true);
    assert.equal(out['failed'], false);
    assert.equal(out['msg'], 'All items completed');
    assert.deepEqual(results.map((x) => [x['item'], x['changed'], x['ansible_loop_var']]), [['a', false, 'item'], ['b', true, 'item']]);
    assert.deepEqual(r.results[0]!.items?.map((i) => [i.item, i.status]), [['a', 'ok'], ['b', 'changed']]);
  });

  it('use loop_var, index_var and index, and show the label', async () => {
    const r = await runSite({
      'site.yaml': play(
        '{ probe: { value: "{{ vm.name }}-{{ i }}-{{ index }}" }, loop: [{ name: web }, { name: db }], loop_control: { loop_var: vm, index_var: i, label: "{{ vm.name }}" } }',
      ),
    }, { inventory: ONE });
    assert.deepEqual(values(r), ['web-0-0', 'db-1-1']);
    assert.deepEqual(r.results[0]!.items?.map((i) => i.item), ['web', 'db']);
  });

  it('evaluate when for each item', async () => {
    const r = await runSite({ 'site.yaml': play("{ probe: { value: '{{ item }}' }, loop: [1, 2, 3], when: item != 2 }") }, { inventory: ONE });
    assert.deepEqual(values(r), [1, 3]);
    assert.deepEqual(r.results[0]!.items?.map((i) => i.status), ['ok', 'skipped', 'ok']);
  });

  it('loop over a list from a variable, keeping its type', async () => {
    const r = await runSite({ 'site.yaml': play('{ probe: { value: "{{ item }}" }, loop: "{{ nums }}" }').replace('gather_facts: false', 'gather_facts: false\n  vars: { nums: [1, 2] }') }, { inventory: ONE });
    assert.deepEqual(values(r), [1, 2]);
  });

  it('fail a loop over something that is not a list', async () => {
    const r = await runSite({ 'site.yaml': play('{ probe: {}, loop: "{{ secret }}" }') }, { inventory: ONE });
    assert.equal(r.results[0]!.status, 'failed');
    assert.match(r.results[0]!.msg, /loop must be a list, got string/);
  });

  it('register a skipped result when when is false', async () => {
    const r = await runSite({ 'site.yaml': play('{ probe: {}, when: false, register: out }', '{ probe: { value: "{{ out.skipped }}" } }') }, { inventory: ONE });
    assert.equal(r.results[0]!.status, 'skipped');
    assert.deepEqual(values(r), [true]);
  });

  it('register command output with stdout_lines', async () => {
    const r = await runSite({ 'site.yaml': play('{ probe: { stdout: "a\\nb\\n", rc: 0 }, register: out }', '{ probe: { value: "{{ out.stdout_lines }}" } }') }, { inventory: ONE });
    assert.deepEqual(values(r)[1], ['a', 'b']);
  });
});

describe('changed_when and failed_when', () => {
  it('decide changed from the registered result or its bare fields', async () => {
    const r = await runSite({
      'site.yaml': play(
        '{ name: a, probe: { changed: true, rc: 2 }, register: out, changed_when: out.rc == 0 }',
        '{ name: b, probe: { rc: 2 }, changed_when: rc == 2 }',
        '{ name: c, probe: { changed: true }, changed_when: false }',
      ),
    }, { inventory: ONE, checkVariables: false });
    assert.deepEqual(r.lines, ['h1 a=ok', 'h1 b=changed', 'h1 c=ok']);
  });

  it('fail on a condition, or clear a module failure', async () => {
    const r = await runSite({
      'site.yaml': play(
        '{ name: a, probe: { fail: true, msg: bad }, failed_when: false }',
        "{ name: b, probe: { stdout: 'all good' }, register: out, failed_when: \"'good' in out.stdout\" }",
      ),
    }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 a=ok', 'h1 b=failed']);
    assert.match(r.results[1]!.msg, /failed_when held/);
  });

  it('fail the task with the condition and position when it cannot be evaluated', async () => {
    const r = await runSite({ 'site.yaml': play('{ name: a, probe: {}, register: out, failed_when: out.nope > 1 }') }, { inventory: ONE });
    assert.equal(r.results[0]!.status, 'failed');
    assert.match(r.results[0]!.msg, /site\.yaml:4:7: failed_when "out\.nope > 1" cannot be evaluated/);
  });

  it('let ignore_errors pass a failure, and the host go on', async () => {
    const r = await runSite({ 'site.yaml': play('{ name: a, probe: { fail: true }, ignore_errors: true }', '{ name: b, probe: {} }') }, { inventory: ONE });
    assert.deepEqual(r.lines, ['h1 a=failed (ignored)', 'h1 b=ok']);
  });
});

describe('until and retries', () => {
  it('run again after delay until the condition holds, registering the attempts', async () => {
    const r = await runSite({
      'site.yaml': play("{ name: wait, count: { key: k }, register: out, until: out.stdout == '3', retries: 5, delay: 2 }", '{ probe: { value: "{{ out.attempts }}" } }'),
    }, { inventory: ONE });
    assert.equal(r.calls.filter((c) => c.module === 'count').length, 3);
    assert.deepEqual(r.sleeps, [2000, 2000]);
    assert.equal(r.results[0]!.status, 'changed');
    assert.equal(r.results[0]!.attempts, 3);
    assert.deepEqual(values(r).slice(-1), [3]);
    assert.equal(r.events.filter((e) => e.event === 'task_retry').length, 2);
  });

  it('fail after retries + 1 attempts when the condition never holds', async () => {
    const r = await runSite({ 'site.yaml': play("{ name: wait, count: { key: k }, until: stdout == '99', retries: 2, delay: 0 }") }, { inventory: ONE, checkVariables: false });
    assert.equal(r.calls.length, 3);
    assert.equal(r.results[0]!.status, 'failed');
    assert.equal(r.results[0]!.attempts, 3);
  });
});

describe('no_log', () => {
  it('hides the result and teaches the redactor its values', async () => {
    const r = await runSite({ 'site.yaml': play('{ name: secret, probe: { msg: "{{ secret }}", stdout: "{{ secret }}", value: "{{ secret }}" }, no_log: true }') }, { inventory: ONE });
    const e = r.results[0]!;
    assert.equal(e.msg, NO_LOG_MSG);
    assert.equal(e.stdout, undefined);
    assert.equal(JSON.stringify(r.events).includes('s3cr3t-value'), false);
    assert.equal(r.redactor.redact('x s3cr3t-value y'), 'x ******** y');
  });

  it('hides loop item labels too', async () => {
    const r = await runSite({ 'site.yaml': play('{ probe: {}, loop: ["{{ secret }}"], no_log: true }') }, { inventory: ONE });
    assert.equal(JSON.stringify(r.events).includes('s3cr3t-value'), false);
  });
});

describe('module context', () => {
  it('passes become from task, then play, and the task timeout over --step-timeout', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  become: true', '  tasks:',
        '    - { probe: {}, timeout: 7 }', '    - { probe: {}, become: false }'),
    }, { inventory: ONE, stepTimeoutMs: 3000 });
    assert.deepEqual(r.calls.map((c) => [c.become, c.timeoutMs]), [[true, 7000], [false, 3000]]);
  });

  it('ends a module that outlives the task timeout and fails the task', async () => {
    const r = await runSite({ 'site.yaml': play('{ name: stuck, hang: {} }', '{ name: after, probe: {} }') }, { inventory: ONE, stepTimeoutMs: 20 });
    assert.deepEqual(r.lines, ['h1 stuck=failed']);
    assert.match(r.results[0]!.msg, /ran past its timeout of 0\.02 s and was ended/);
  });

  it('renders template files with the host variables and the loop item', async () => {
    const r = await runSite({
      'templates/t.txt.hbs': 'host={{ inventory_hostname }} item={{ item }}\n',
      'site.yaml': play('{ template: { src: t.txt.hbs, dest: /tmp/x }, loop: [a] , register: out}', '{ probe: { value: "{{ out.results.0.stdout }}" } }'),
    }, { inventory: ONE });
    assert.deepEqual(values(r).slice(-1), ['host=h1 item=a\n']);
  });

  it('makes gathered facts available under facts', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  tasks:', '    - probe: { value: "{{ facts.os_id }}/{{ facts.pkg_mgr }}" }'),
    }, { inventory: ONE, factsStdout: '--kvmplay:kv--\nhostname=h1\npkg=apt-get\n--kvmplay:os-release--\nID=debian\n' });
    assert.deepEqual(r.lines, ['h1 Gathering Facts=ok', 'h1 probe=ok']);
    assert.deepEqual(values(r), ['debian/apt']);
  });
});
