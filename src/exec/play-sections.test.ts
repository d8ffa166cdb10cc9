import assert from 'node:assert/strict';
import { runSite, yaml } from '../../test/support/run-fixture.js';

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
