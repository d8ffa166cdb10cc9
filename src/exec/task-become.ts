// A task's privilege escalation in Ansible's order (PlayContext.set_task_and_variable_override):
// the become variables the host sees (ansible_become, ansible_become_user and
// ansible_become_method, from the inventory, play vars or -e; kvmplay's inventory keys
// become/become_user) beat the task's keywords, which beat the play's, which beat
// -b/--become-user and ansible.cfg. Checked against ansible-playbook 2.14 on lab hosts.
import { ansibleBool, type ConnectionSpec } from '../inventory/index.js';
import type { BecomeMethod, Play, Task } from '../playbook/index.js';
import type { Scope } from './scope.js';

const METHODS: ReadonlySet<string> = new Set(['sudo', 'su']);

export interface TaskBecome {
  become: boolean;
  /** undefined: the host's default (--become-user, ansible.cfg, else root). */
  user: string | undefined;
  method: BecomeMethod | undefined;
}

export function taskBecome(task: Task, play: Play, scope: Scope, spec: ConnectionSpec): TaskBecome | { fail: string } {
  const become = variable(scope, 'ansible_become');
  const user = variable(scope, 'ansible_become_user');
  const method = variable(scope, 'ansible_become_method');
  const asBool = become === undefined ? undefined : ansibleBool(become);
  if (become !== undefined && asBool === undefined) return { fail: `ansible_become must be a boolean, got ${JSON.stringify(become)}` };
  if (user !== undefined && typeof user !== 'string') return { fail: `ansible_become_user must be a string, got ${JSON.stringify(user)}` };
  if (method !== undefined && (typeof method !== 'string' || !METHODS.has(method))) {
    return { fail: `ansible_become_method ${JSON.stringify(method)} is not one kvmplay has (sudo, su)` };
  }
  return {
    become: asBool ?? spec.becomeVars?.become ?? task.become ?? play.become ?? false,
    user: user ?? spec.becomeVars?.user ?? task.becomeUser ?? play.becomeUser,
    method: (method as BecomeMethod | undefined) ?? task.becomeMethod ?? play.becomeMethod,
  };
}

function variable(scope: Scope, name: string): unknown {
  const v = scope[name];
  return v === null ? undefined : v;
}
