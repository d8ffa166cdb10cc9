import assert from 'node:assert/strict';
import type { Task } from '../playbook/index.js';
import { HandlerQueue } from './handlers.js';
import { runSite, yaml } from '../../test/support/run-fixture.js';
import { tagFilter } from './tags.js';

const INVENTORY = yaml('all:', '  vars: { bad: false }', '  hosts:', '    h1: {}', '    h2: { bad: true }');

describe('handlers', () => {
  it('match by name and by listen topic', () => {
    const h = (name: string, listen: string[] = []): Task => ({ name, listen } as unknown as Task);
    const q = new HandlerQueue([h('restart'), h('reload', ['web changed']), h('other', ['web changed'])]);
    assert.equal(q.notify('restart'), 1);
    assert.equal(q.notify('web changed'), 2);
    assert.equal(q.notify('nobody'), 0);
    assert.deepEqual([q.takeFrom(0)?.index, q.takeFrom(1)?.index, q.takeFrom(2)?.index, q.takeFrom(0)], [0, 1, 2, undefined]);
  });

  it('run once per host at the end of the play, however often they were notified', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: one, probe: { changed: true }, notify: restart }',
        '    - { name: two, probe: { changed: true }, notify: restart }',
        '    - { name: three, probe: {} }',
        '  handlers:', '    - { name: restart, probe: { msg: handler } }',
      ),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(r.lines, [
      'h1 one=changed', 'h1 two=changed', 'h1 three=ok', 'h1 restart=ok',
      'h2 one=changed', 'h2 two=changed', 'h2 three=ok', 'h2 restart=ok',
    ]);
    assert.equal(r.results.find((e) => e.task === 'restart')?.handler, true);
  });

  it('run in the order they are defined, not the order they were notified', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: true }, notify: second }',
        '    - { name: t2, probe: { changed: true }, notify: first }',
        '  handlers:', '    - { name: first, probe: {} }', '    - { name: second, probe: {} }',
      ),
    }, { inventory: INVENTORY });
    assert.deepEqual(r.lines, ['h1 t1=changed', 'h1 t2=changed', 'h1 first=ok', 'h1 second=ok']);
  });

  it('do not run when the notifying task did not change anything', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: false }, notify: restart }',
        '  handlers:', '    - { name: restart, probe: {} }',
      ),
    }, { inventory: INVENTORY });
    assert.deepEqual(r.lines, ['h1 t1=ok']);
  });

  it('run on the hosts where the task changed, not on the others', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: "{{ bad }}" }, notify: restart }',
        '  handlers:', '    - { name: restart, probe: {} }',
      ),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(r.lines, ['h1 t1=ok', 'h2 t1=changed', 'h2 restart=ok']);
  });

  it('answer a listen topic, each handler once', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: true }, notify: [web changed, restart web] }',
        '  handlers:',
        '    - { name: restart web, probe: {}, listen: web changed }',
        '    - { name: reload proxy, probe: {}, listen: web changed }',
      ),
    }, { inventory: INVENTORY });
    assert.deepEqual(r.lines, ['h1 t1=changed', 'h1 restart web=ok', 'h1 reload proxy=ok']);
  });

  it('do not run on a host that failed after notifying them', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: all', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: true }, notify: restart }',
        '    - { name: t2, probe: { fail: "{{ bad }}" } }',
        '  handlers:', '    - { name: restart, probe: {} }',
      ),
    }, { inventory: INVENTORY, forks: 1 });
    assert.deepEqual(r.lines, ['h1 t1=changed', 'h1 t2=ok', 'h1 restart=ok', 'h2 t1=changed', 'h2 t2=failed']);
  });

  it('may notify other handlers: a later one in the same pass, an earlier one after', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: true }, notify: b }',
        '  handlers:',
        '    - { name: a, probe: {} }',
        '    - { name: b, probe: { changed: true }, notify: [c, a] }',
        '    - { name: c, probe: {} }',
      ),
    }, { inventory: INVENTORY });
    assert.deepEqual(r.lines, ['h1 t1=changed', 'h1 b=changed', 'h1 c=ok', 'h1 a=ok']);
  });

  it('run when notified even if --tags selected only the notifying task', async () => {
    const r = await runSite({
      'site.yaml': yaml(
        '- hosts: h1', '  gather_facts: false', '  tasks:',
        '    - { name: t1, probe: { changed: true }, notify: restart, tags: net }',
        '    - { name: t2, probe: {} }',
        '  handlers:', '    - { name: restart, probe: {} }',
      ),
    }, { inventory: INVENTORY, tags: tagFilter(['net'], []) });
    assert.deepEqual(r.lines, ['h1 t1=changed', 'h1 restart=ok']);
  });
});
