import assert from 'node:assert/strict';
import type { NoticeEvent, PlayStartEvent } from '../output/events.js';
import { tagFilter } from './tags.js';
import { runSite, yaml } from '../../test/support/run-fixture.js';

const INVENTORY = yaml('all:', '  vars: { bad: false }', '  hosts:', '    h1: {}', '    h2: { bad: true }', '    h3: {}');
const notices = (r: Awaited<ReturnType<typeof runSite>>): string[] =>
  r.events.filter((e): e is NoticeEvent => e.event === 'notice').map((e) => e.msg);

describe('the executor', () => {
  it('stops a failing host only; the others finish the play', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { fail: "{{ bad }}" } }', '    - { name: t2, probe: {} }'),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(r.lines, ['h1 t1=ok', 'h1 t2=ok', 'h2 t1=failed', 'h3 t1=ok', 'h3 t2=ok']);
  });

  it('keeps a failed host out of later plays', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks: [{ name: t1, probe: { fail: "{{ bad }}" } }]',
        '- hosts: all', '  gather_facts: false', '  tasks: [{ name: t2, probe: {} }]',
      ),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(r.lines, ['h1 t1=ok', 'h2 t1=failed', 'h3 t1=ok', 'h1 t2=ok', 'h3 t2=ok']);
    const plays = r.events.filter((e): e is PlayStartEvent => e.event === 'play_start');
    assert.deepEqual(plays.map((p) => p.hosts), [['h1', 'h2', 'h3'], ['h1', 'h3']]);
  });

  it('marks an unreachable host and runs nothing more on it', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: skipped first, probe: {}, when: false }', '    - { name: t1, probe: {} }', '    - { name: t2, probe: {} }'),
    }, { inventory: INVENTORY, forks: 1, unreachable: ['h2'] });
    assert.deepEqual(r.lines.filter((l) => l.startsWith('h2')), ['h2 skipped first=skipped', 'h2 t1=unreachable']);
    assert.match(r.results.find((e) => e.status === 'unreachable')!.msg, /connection refused/);
    assert.deepEqual(r.lines.filter((l) => l.startsWith('h3')), ['h3 skipped first=skipped', 'h3 t1=ok', 'h3 t2=ok']);
  });

  it('reports an unreachable host at fact gathering', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  tasks: [{ name: t1, probe: {} }]'),
    }, { inventory: INVENTORY, forks: 1, unreachable: ['h1'] });
    assert.deepEqual(r.lines.slice(0, 2), ['h1 Gathering Facts=unreachable', 'h2 Gathering Facts=ok']);
  });

  it('stops every host at its next task when any_errors_fatal and one host fails', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  any_errors_fatal: true', '  tasks:',
        '    - { name: t1, probe: {} }', '    - { name: t2, probe: { fail: "{{ bad }}" } }', '    - { name: t3, probe: {} }',
        '- hosts: all', '  gather_facts: false', '  tasks: [{ name: next play, probe: {} }]',
      ),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(r.lines, ['h1 t1=ok', 'h1 t2=ok', 'h1 t3=ok', 'h2 t1=ok', 'h2 t2=failed']);
    assert.match(notices(r).join('\n'), /any_errors_fatal: h2 failed on "t2"/);
  });

  it('rolls out batch by batch and stops after a batch above max_fail_percentage', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  serial: 1', '  max_fail_percentage: 0', '  tasks:',
        '    - { name: t1, probe: { fail: "{{ bad }}" } }',
      ),
    }, { inventory: yaml('all:', '  vars: { bad: false }', '  hosts:', '    h1: { bad: true }', '    h2: {}', '    h3: {}') });
    assert.deepEqual(r.lines, ['h1 t1=failed']);
    assert.match(notices(r).join('\n'), /1 of 1 hosts of the batch failed, more than max_fail_percentage 0%.*not run on: h2, h3/);
  });

  it('goes on with the next batches when failures stay within the limit', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  serial: 2', '  max_fail_percentage: 50', '  tasks:', '    - { name: t1, probe: { fail: "{{ bad }}" } }'),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(r.lines, ['h1 t1=ok', 'h2 t1=failed', 'h3 t1=ok']);
  });

  it('without max_fail_percentage, stops the rollout only when a whole batch failed', async () => {
    const ok = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  serial: 2', '  tasks:', '    - { name: t1, probe: { fail: "{{ bad }}" } }'),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(ok.lines, ['h1 t1=ok', 'h2 t1=failed', 'h3 t1=ok']);
    const stopped = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  serial: [1, 1]', '  tasks:', '    - { name: t1, probe: { fail: "{{ bad }}" } }'),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(stopped.lines, ['h1 t1=ok', 'h2 t1=failed']);
  });

  it('runs a batch of hosts in parallel, each through the tasks on its own', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  tasks:', '    - { name: t1, probe: {} }', '    - { name: t2, probe: {} }'),
    }, { inventory: INVENTORY, forks: 3 });
    const starts = r.events.filter((e) => e.event === 'task_start').map((e) => (e.event === 'task_start' ? `${e.host} ${e.task}` : ''));
    // All three hosts started t1 before any host could have finished the play.
    assert.deepEqual(starts.slice(0, 3).sort(), ['h1 t1', 'h2 t1', 'h3 t1']);
  });

  it('runs only the hosts --limit leaves, and only the tasks --tags select', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: net, probe: {}, tags: net }', '    - { name: vm, probe: {}, tags: [vm] }', '    - { name: always, probe: {}, tags: always }'),
    }, { inventory: INVENTORY, limit: 'h1:h3', tags: tagFilter(['net'], []), forks: 1 });
    assert.deepEqual(r.lines, ['h1 net=ok', 'h1 always=ok', 'h3 net=ok', 'h3 always=ok']);
  });

  it('says so and goes on when a play matches no host', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: nothing_here', '  tasks: [{ probe: {} }]', '- hosts: h1', '  gather_facts: false', '  tasks: [{ name: t, probe: {} }]'),
    }, { inventory: INVENTORY });
    assert.deepEqual(r.lines, ['h1 t=ok']);
    assert.deepEqual(notices(r), ['skipping: no hosts matched']);
  });

  it('keeps registered results of a host across plays', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks: [{ probe: { msg: first }, register: out }]',
        '- hosts: h1', '  gather_facts: false', '  tasks: [{ probe: { value: "{{ out.msg }}" } }]',
      ),
    }, { inventory: INVENTORY });
    assert.equal(r.calls[1]!.args['value'], 'first');
  });

  it('gathers facts once per host for the whole run', async () => {
    const r = await runSite({
      'site.yaml': yaml('- hosts: h1', '  tasks: [{ name: a, probe: {} }]', '- hosts: h1', '  tasks: [{ name: b, probe: {} }]'),
    }, { inventory: INVENTORY });
    assert.deepEqual(r.lines, ['h1 Gathering Facts=ok', 'h1 a=ok', 'h1 b=ok']);
  });

  it('gathers again for a play after one that gathered only a subset', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_subset: ["!all"]', '  tasks: [{ name: a, probe: {} }]',
        '- hosts: h1', '  tasks: [{ name: b, probe: {} }]',
        '- hosts: h1', '  tasks: [{ name: c, probe: {} }]',
      ),
    }, { inventory: INVENTORY });
    assert.deepEqual(r.lines, ['h1 Gathering Facts=ok', 'h1 a=ok', 'h1 Gathering Facts=ok', 'h1 b=ok', 'h1 c=ok']);
  });
});
