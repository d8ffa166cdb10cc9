import assert from 'node:assert/strict';
import type { ConnectionSpec } from '../inventory/index.js';
import type { Play, Task } from '../playbook/index.js';
import { taskBecome } from './task-become.js';

// Only the fields taskBecome reads.
const task = (k: Partial<Pick<Task, 'become' | 'becomeUser' | 'becomeMethod'>> = {}): Task => k as Task;
const play = (k: Partial<Pick<Play, 'become' | 'becomeUser' | 'becomeMethod'>> = {}): Play => k as Play;
const spec = (becomeVars?: ConnectionSpec['becomeVars']): ConnectionSpec => ({ become: false, becomeUser: 'root', ...(becomeVars ? { becomeVars } : {}) }) as ConnectionSpec;

describe('taskBecome: who a task runs as', () => {
  it('takes the task keyword over the play keyword, and nothing as no become', () => {
    assert.deepEqual(taskBecome(task(), play(), {}, spec()), { become: false, user: undefined, method: undefined });
    assert.deepEqual(taskBecome(task({ become: false, becomeUser: 'bin' }), play({ become: true, becomeUser: 'daemon', becomeMethod: 'su' }), {}, spec()),
      { become: false, user: 'bin', method: 'su' });
  });

  it('lets the become variables beat both keywords, as Ansible does', () => {
    const scope = { ansible_become: 'yes', ansible_become_user: 'nobody', ansible_become_method: 'su' };
    assert.deepEqual(taskBecome(task({ become: false, becomeUser: 'bin', becomeMethod: 'sudo' }), play(), scope, spec()),
      { become: true, user: 'nobody', method: 'su' });
  });

  it("reads kvmplay's inventory keys (become, become_user) as variables too", () => {
    assert.deepEqual(taskBecome(task({ become: true, becomeUser: 'bin' }), play(), {}, spec({ become: false, user: 'daemon' })),
      { become: false, user: 'daemon', method: undefined });
  });

  it('fails on a value Ansible would refuse, naming the variable', () => {
    assert.deepEqual(taskBecome(task(), play(), { ansible_become: 'maybe' }, spec()), { fail: 'ansible_become must be a boolean, got "maybe"' });
    assert.deepEqual(taskBecome(task(), play(), { ansible_become_method: 'doas' }, spec()),
      { fail: 'ansible_become_method "doas" is not one kvmplay has (sudo, su)' });
  });
});
