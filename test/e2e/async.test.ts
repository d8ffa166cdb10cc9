// `async` / `poll` and async_status end to end: the real CLI runs small playbooks on
// lab01 over real SSH. Fire and forget (poll 0) starts the command detached and
// returns its job id at once; async_status polls the job file until it is finished,
// and cleans it up; a polled async task that runs past its seconds fails with
// Ansible's message (and its command is gone); an unknown job fails; a job started
// with become_user lives in that user's ~/.ansible_async. The playbooks' asserts check
// the registered results; the --json events, statuses and messages; the host, as
// root through its own connection, the files and processes.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface TaskEvent { event: string; host: string; task: string; status: string; msg: string; stdout?: string; duration_ms: number; attempts?: number }
interface RecapJson { ok: boolean; hosts: Record<string, { ok: number; changed: number; failed: number; skipped: number; ignored: number }> }

// A sleep no other test runs: its process is looked for on the host after the timeout.
const LONG_SLEEP = '29.37';

const PLAYBOOK = `
- name: Async tasks
  hosts: lab01
  gather_facts: false
  tasks:
    - name: Start in the background
      shell: sleep 2; echo done; touch {{ marker }}
      async: 30
      poll: 0
      register: job
    - name: Started at once
      assert:
        that:
          - job is changed
          - job.started == 1
          - job.finished == 0
          - job.ansible_job_id is match('^j[0-9]+[.][0-9]+$')
          - job.results_file == '/root/.ansible_async/' ~ job.ansible_job_id
    - name: Wait for the job
      async_status: jid="{{ job.ansible_job_id }}"
      register: r
      until: r.finished
      retries: 30
      delay: 1
    - name: The job's result
      assert:
        that:
          - r.finished == 1
          - r.started == 1
          - r.rc == 0
          - r.stdout == 'done'
          - r.stdout_lines == ['done']
          - r.cmd == 'sleep 2; echo done; touch ' ~ marker
          - r.delta is match('^0:00:0[2-9][.][0-9]{6}$')
          - r.ansible_job_id == job.ansible_job_id
      when: not ansible_check_mode
    - name: Keep the job id
      shell: echo {{ job.ansible_job_id }} > {{ marker }}.jid
      when: not ansible_check_mode
    - name: Clean up the job
      async_status: { jid: "{{ job.ansible_job_id }}", mode: cleanup }
      register: cleaned
    - name: Cleaned up
      assert:
        that:
          - cleaned.erased == job.results_file
    - name: Status of the cleaned-up job
      async_status: jid="{{ job.ansible_job_id }}"
      register: gone
      ignore_errors: true
    - name: Unknown job
      async_status: jid=j123.456
      register: unknown
      ignore_errors: true
    - name: Gone and unknown fail
      assert:
        that:
          - gone is failed
          - unknown is failed
          - unknown.msg == 'could not find job'
    - name: Polled past its time
      command: sleep ${LONG_SLEEP}
      async: 2
      poll: 1
      register: late
      ignore_errors: true
    - name: Polled in time
      command: echo polled
      async: 20
      poll: 2
      register: polled
    - name: Polled results
      assert:
        that:
          - late is failed
          - late.msg == 'async task did not complete within the requested time - 2s'
          - polled.stdout == 'polled'
          - polled.finished == 1
          - polled.started == 1
          - polled.ansible_job_id is match('^j[0-9]+[.][0-9]+$')
      when: not ansible_check_mode
    - name: Failing in the background
      command: sh -c 'echo oops >&2; exit 3'
      async: 30
      poll: 0
      register: bad
    - name: The failed job
      async_status: jid="{{ bad.ansible_job_id }}"
      register: badr
      until: badr.finished
      retries: 30
      delay: 1
      ignore_errors: true
    - name: Failed as command fails
      assert:
        that:
          - badr is failed
          - badr.rc == 3
          - badr.stderr == 'oops'
          - badr.msg == 'non-zero return code'
      when: not ansible_check_mode
    - name: Clean up the failed job
      async_status: { jid: "{{ bad.ansible_job_id }}", mode: cleanup }
    - name: As kvp in the background
      command: id -un
      become: true
      become_user: kvp
      async: 30
      poll: 0
      register: kvpjob
    - name: Wait for kvp's job, as kvp
      async_status: jid="{{ kvpjob.ansible_job_id }}"
      become: true
      become_user: kvp
      register: kvpr
      until: kvpr.finished
      retries: 30
      delay: 1
    - name: Kvp's job
      assert:
        that:
          - kvpjob.results_file == '/home/kvp/.ansible_async/' ~ kvpjob.ansible_job_id
          - kvpr.stdout == 'kvp'
      when: not ansible_check_mode
    - name: Kvp's job is not root's
      async_status: jid="{{ kvpjob.ansible_job_id }}"
      register: notroot
      failed_when: notroot.msg != 'could not find job'
    - name: Clean up kvp's job
      async_status: { jid: "{{ kvpjob.ansible_job_id }}", mode: cleanup }
      become: true
      become_user: kvp
`;

function taskEvents(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task' && e.host === 'lab01');
}

describe('async, poll and async_status over real SSH', function () {
  this.timeout(300_000);
  let lab: Lab;
  let dir: string;
  let playbook: string;
  let lab01: SshHost;
  const marker = `/tmp/kvmplay-async-${process.pid}`;
  const run = (...args: string[]) => kvmplay(['run', playbook, '-i', lab.inventory, '--limit', 'lab01', '-e', `marker=${marker}`, '--json', ...args], { timeoutMs: 180_000 });
  const sh = async (script: string, ...args: string[]): Promise<{ rc: number | null; stdout: string }> => lab01.run(['sh', '-c', script, 'sh', ...args]);
  const jobFiles = async (): Promise<string> => (await sh('find /root/.ansible_async /home/kvp/.ansible_async -type f 2>/dev/null | sort')).stdout;

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    lab01 = new SshHost(connectionFor(await loadInventory([lab.inventory]), 'lab01'), { acceptNewHostKeys: false, agentSocket: '' });
    dir = scratchDir('async');
    playbook = writeFile(dir, 'async.yaml', PLAYBOOK);
  });

  after(async () => {
    if (lab01) {
      await sh('rm -f -- "$1" "$1.jid"; pkill -f "^sleep $2\\$" || true', marker, LONG_SLEEP).catch(() => undefined);
      await lab01.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts jobs, polls them until finished, cleans up, and fails a polled task past its time', async () => {
    const before = await jobFiles();
    const r = await run();
    assert.equal(r.code, 0, explain(r));
    const recap = lastJsonLine<RecapJson>(r.stdout);
    assert.equal(recap.hosts['lab01']?.failed, 0, explain(r));
    const byTask = new Map(taskEvents(r.stdout).map((e) => [e.task, e]));
    const event = (task: string): TaskEvent => {
      const e = byTask.get(task);
      assert.ok(e, `no event for ${task}:\n${explain(r)}`);
      return e;
    };
    assert.equal(event('Start in the background').status, 'changed');
    assert.ok(event('Start in the background').duration_ms < 1500, 'poll 0 does not wait for the command');
    assert.equal(event('Wait for the job').status, 'changed');
    assert.ok((event('Wait for the job').attempts ?? 0) >= 2, 'async_status saw the job running first');
    assert.equal(event('Wait for the job').stdout, 'done');
    assert.deepEqual([event('Unknown job').status, event('Unknown job').msg], ['failed', 'could not find job']);
    const late = event('Polled past its time');
    assert.deepEqual([late.status, late.msg], ['failed', 'async task did not complete within the requested time - 2s']);
    assert.ok(late.duration_ms < 10_000, `ended at its async seconds, not after the sleep (${late.duration_ms} ms)`);
    assert.equal(event('The failed job').status, 'failed');
    // On the host: the command ran, its job file is gone, the late sleep was ended.
    const jid = (await sh('cat -- "$1.jid"', marker)).stdout.trim();
    assert.match(jid, /^j\d+\.\d+$/);
    assert.equal((await sh('test -e "$1"', marker)).rc, 0, 'the background command ran to its end');
    assert.equal((await sh('test -e "/root/.ansible_async/$1"', jid)).rc, 1, 'cleanup removed the job file');
    assert.equal(await jobFiles(), before, 'the playbook cleaned up all its jobs, root\'s and kvp\'s');
    assert.equal((await sh('pgrep -f "^sleep $1\\$"', LONG_SLEEP)).rc, 1, 'the polled command past its time was ended');
  });

  it('in check mode starts nothing: the job holds the check-mode result, as Ansible\'s does', async () => {
    await sh('rm -f -- "$1" "$1.jid"', marker);
    const before = await jobFiles();
    const r = await run('--check');
    assert.equal(r.code, 0, explain(r));
    const byTask = new Map(taskEvents(r.stdout).map((e) => [e.task, e]));
    assert.equal(byTask.get('Start in the background')?.status, 'changed', explain(r));
    assert.equal(byTask.get('Wait for the job')?.status, 'skipped', explain(r));
    assert.equal(byTask.get('Wait for the job')?.msg, 'Command would have run if not in check mode');
    assert.equal(byTask.get('Polled past its time')?.status, 'skipped');
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal((await sh('test -e "$1"', marker)).rc, 1, 'the command did not run');
    // The playbook cleaned up its jobs (root's and kvp's): no job file is left behind.
    assert.equal(await jobFiles(), before);
  });

  it('refuses poll 0 for a module that cannot run in the background', async () => {
    const bad = writeFile(dir, 'bad.yaml', '- hosts: lab01\n  tasks:\n    - ping:\n      async: 10\n      poll: 0\n');
    const r = await kvmplay(['validate', bad, '-i', lab.inventory]);
    assert.equal(r.code, 4, explain(r));
    assert.match(r.stderr + r.stdout, /bad\.yaml:5:7: poll: 0 runs command and shell only in kvmplay, not ping/);
  });
});
