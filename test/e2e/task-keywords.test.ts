// Task and play keywords decided by the engine, end to end with the real CLI over real
// SSH: Ansible's implicit localhost and `connection: local` (the control machine, no
// SSH), become_user and become_method su, environment, throttle (checked with a lock
// that two hosts at once would collide on), any_errors_fatal on one task, delegate_facts,
// loop_control pause, vars_prompt answered by -e or refused when it has no answer.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface TaskEvent { event: string; host: string; task: string; status: string; msg: string; duration_ms: number; stdout?: string; included?: string[] }
interface RecapJson { ok: boolean; hosts: Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }> }

function events(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');
}

function find(all: TaskEvent[], host: string, task: string): TaskEvent {
  const e = all.find((x) => x.host === host && x.task === task);
  assert.ok(e, `no result for ${host} / ${task} in:\n${all.map((x) => `${x.host} ${x.task} ${x.status}`).join('\n')}`);
  return e;
}

describe('task keywords, end to end', function () {
  let lab: Lab;
  let scratch: string;

  before(async () => {
    lab = await ensureLab();
    scratch = scratchDir('task-keywords');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs a play on localhost (not in the inventory) and a connection: local task on the control machine, without SSH', async () => {
    const playbook = writeFile(scratch, 'local.yaml', `
- hosts: localhost
  gather_facts: true
  tasks:
    - name: Where am I
      command: hostname
      register: here
      changed_when: false
    - name: Facts of the control machine
      assert: { that: [ "ansible_facts.hostname == here.stdout" ] }
- hosts: lab01
  gather_facts: false
  tasks:
    - name: On the host
      command: hostname
      changed_when: false
    - name: Locally
      command: hostname
      connection: local
      changed_when: false
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '--json']);
    assert.equal(r.code, 0, explain(r));
    const all = events(r.stdout);
    assert.equal(find(all, 'localhost', 'Where am I').stdout, hostname());
    assert.equal(find(all, 'lab01', 'Locally').stdout, hostname());
    assert.notEqual(find(all, 'lab01', 'On the host').stdout, hostname());
    // `all` never matches the implicit localhost.
    assert.deepEqual(Object.keys(lastJsonLine<RecapJson>(r.stdout).hosts).sort(), ['lab01', 'localhost']);
  });

  it('honours become_user (sudo -u) and become_method su, and merges the play\'s, the block\'s and the task\'s environment', async () => {
    const playbook = writeFile(scratch, 'become.yaml', `
- hosts: lab01
  gather_facts: false
  environment: { KVP_A: play, KVP_B: "play b" }
  tasks:
    - block:
        - name: sudo to nobody
          command: id -un
          become: true
          become_user: nobody
          changed_when: false
        - name: su to nobody
          command: id -un
          become: true
          become_user: nobody
          become_method: su
          changed_when: false
        - name: environment
          shell: echo "$KVP_A|$KVP_B|$KVP_C|$KVP_D"
          environment: { KVP_C: "it's task", KVP_D: "{{ 40 + 2 }}" }
          become: true
          become_user: nobody
          changed_when: false
      environment: { KVP_B: block }
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '--json']);
    assert.equal(r.code, 0, explain(r));
    const all = events(r.stdout);
    assert.equal(find(all, 'lab01', 'sudo to nobody').stdout, 'nobody');
    assert.equal(find(all, 'lab01', 'su to nobody').stdout, 'nobody');
    assert.equal(find(all, 'lab01', 'environment').stdout, "play|block|it's task|42");
  });

  it('lets one host at a time through a throttled task, and pauses between loop items', async () => {
    const lock = join(scratch, 'lock');
    const playbook = writeFile(scratch, 'throttle.yaml', `
- hosts: lab01,lab02,lab03
  gather_facts: false
  tasks:
    - name: Throttled
      # Two hosts inside at once would find the lock taken and fail.
      shell: mkdir {{ lock | quote }} && sleep 0.3 && rmdir {{ lock | quote }}
      delegate_to: localhost
      throttle: 1
    - name: Paused
      command: "true"
      loop: [1, 2, 3]
      loop_control: { pause: 0.5 }
      changed_when: false
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '-e', `lock=${lock}`, '--json', '--forks', '3']);
    assert.equal(r.code, 0, explain(r));
    const all = events(r.stdout);
    for (const h of ['lab01', 'lab02', 'lab03']) {
      assert.equal(find(all, h, 'Throttled').status, 'changed');
      assert.ok(find(all, h, 'Paused').duration_ms >= 1000, 'two pauses of 0.5 s between three items');
    }
    // The control: without throttle the same task collides.
    const unthrottled = writeFile(scratch, 'unthrottled.yaml', `
- hosts: lab01,lab02,lab03
  gather_facts: false
  tasks:
    - shell: mkdir {{ lock | quote }} && sleep 1 && rmdir {{ lock | quote }}
      delegate_to: localhost
`);
    const u = await kvmplay(['run', unthrottled, '-i', lab.inventory, '-e', `lock=${lock}`, '--json', '--forks', '3']);
    assert.equal(u.code, 2, explain(u));
  });

  it('stops every host when a task with any_errors_fatal fails on one of them', async () => {
    const playbook = writeFile(scratch, 'fatal.yaml', `
- hosts: lab01,lab02
  gather_facts: false
  tasks:
    # Hosts go through a play on their own: lab02, still busy with this task when lab01
    # fails, stops at the next task boundary (kvmplay's any_errors_fatal, README).
    - name: Fails on lab01
      command: "{{ '/bin/false' if inventory_hostname == 'lab01' else 'sleep 1' }}"
      any_errors_fatal: true
    - name: After
      command: "true"
      changed_when: false
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '--json']);
    assert.equal(r.code, 2, explain(r));
    assert.equal(events(r.stdout).filter((e) => e.task === 'After').length, 0, 'no host went on');
  });

  it('gives the facts a delegated set_fact sets to the delegate with delegate_facts', async () => {
    const playbook = writeFile(scratch, 'delegate-facts.yaml', `
- hosts: lab01
  gather_facts: false
  tasks:
    - set_fact: { handed_over: from-lab01 }
      delegate_to: lab02
      delegate_facts: true
    - set_fact: { kept: mine }
      delegate_to: lab02
- hosts: lab02
  gather_facts: false
  tasks:
    - name: What lab02 has
      assert:
        that:
          - handed_over == 'from-lab01'
          - kept is not defined
- hosts: lab01
  gather_facts: false
  tasks:
    - name: What lab01 has
      assert:
        that:
          - handed_over is not defined
          - kept == 'mine'
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '--json']);
    assert.equal(r.code, 0, explain(r));
  });

  it('answers vars_prompt from -e or its default, and refuses one with neither before connecting (exit 4)', async () => {
    const playbook = writeFile(scratch, 'prompt.yaml', `
- hosts: lab01
  gather_facts: false
  vars_prompt:
    - name: version
      prompt: Which version?
    - name: color
      prompt: Which color?
      default: blue
  tasks:
    - name: Answers
      debug: { msg: "{{ version }} {{ color }}" }
`);
    const ok = await kvmplay(['run', playbook, '-i', lab.inventory, '-e', 'version=7', '--json']);
    assert.equal(ok.code, 0, explain(ok));
    assert.equal(find(events(ok.stdout), 'lab01', 'Answers').msg, '7 blue');
    const refused = await kvmplay(['run', playbook, '-i', lab.inventory]);
    assert.equal(refused.code, 4, explain(refused));
    assert.match(refused.stderr, /prompt\.yaml:5:7: vars_prompt "version": kvmplay does not prompt; give it with -e version=/);
  });

  it('logs in again after meta: reset_connection: a new SSH session and a new become shell', async () => {
    const playbook = writeFile(scratch, 'reset.yaml', `
- hosts: lab01
  gather_facts: false
  tasks:
    - name: Before
      shell: echo "$PPID $SSH_CLIENT"
      register: before
      changed_when: false
    - name: Again
      shell: echo "$PPID $SSH_CLIENT"
      register: again
      changed_when: false
    - meta: reset_connection
    - name: After
      shell: echo "$PPID $SSH_CLIENT"
      register: after
      changed_when: false
    - name: Same session until the reset, a new one after it
      assert:
        that:
          - before.stdout == again.stdout
          - before.stdout.split(' ')[0] != after.stdout.split(' ')[0]
          - before.stdout.split(' ')[2] != after.stdout.split(' ')[2]
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '--json']);
    assert.equal(r.code, 0, explain(r));
    assert.equal(find(events(r.stdout), 'lab01', 'Same session until the reset, a new one after it').status, 'ok');
  });
});
