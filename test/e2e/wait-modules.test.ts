// wait_for, wait_for_connection and pause end to end: the real CLI runs a small
// playbook on lab01 over real SSH. wait_for runs on the host (its 127.0.0.1 is the
// host's own loopback, where sshd listens on 22); the playbook's asserts check the
// registered results, the --json events check statuses and messages; --check skips
// the two wait modules as Ansible does, and still pauses.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { explain, kvmplay, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface TaskEvent { event: string; host: string; task: string; status: string; msg: string; duration_ms: number }
interface RecapJson { ok: boolean; hosts: Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }> }

// Port 9 (discard) has no listener on a lab host.
const CLOSED_PORT = 9;

const PLAYBOOK = `
- name: Wait modules
  hosts: lab01
  gather_facts: false
  tasks:
    - name: Work folder
      file: { path: "{{ root }}", state: directory }
      when: not ansible_check_mode
    - name: A file to wait for
      file: { path: "{{ root }}/ready", state: touch }
      when: not ansible_check_mode

    - name: Wait for sshd
      wait_for: { port: 22, timeout: 10 }
      register: sshd
    - name: Wait for the file
      wait_for: { path: "{{ root }}/ready", timeout: 10 }
      register: ready
    - name: Wait for a line in a file
      wait_for: { path: /etc/os-release, search_regex: '^ID=(?P<id>\\w+)$', timeout: 10 }
      register: release
    - name: Wait for a missing file to be absent
      wait_for: { path: "{{ root }}/never", state: absent, timeout: 10 }
    - name: Wait for a closed port
      wait_for: { port: ${CLOSED_PORT}, timeout: 2 }
      register: closed
      ignore_errors: true
    - name: Wait for a closed port, with msg
      wait_for: { port: ${CLOSED_PORT}, timeout: 1, msg: "port ${CLOSED_PORT} never opened" }
      ignore_errors: true
    - name: Wait for the connection
      wait_for_connection: { timeout: 30 }
      register: conn
    - name: Pause
      pause: { seconds: 1 }
      register: paused

    - name: Results
      assert:
        that:
          - sshd.state == 'started'
          - sshd.port == 22
          - sshd.path is none
          - sshd.elapsed == 0
          - ready.path == root ~ '/ready'
          - release.match_groupdict.id == 'debian'
          - release.match_groups == ['debian']
          - closed is failed
          - closed.msg == 'Timeout when waiting for 127.0.0.1:${CLOSED_PORT}'
          - closed.elapsed == 2
          - conn.elapsed >= 0
          - paused.stdout.startswith('Paused for 1.')
          - paused.delta == 1
          - paused.user_input == ''
      when: not ansible_check_mode
    - name: Clean up
      file: { path: "{{ root }}", state: absent }
      when: not ansible_check_mode
`;

function taskEvents(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task' && e.host === 'lab01');
}

describe('wait_for, wait_for_connection and pause over real SSH', function () {
  this.timeout(300_000);
  let lab: Lab;
  let playbook: string;
  let dir: string;
  let lab01: SshHost;
  const root = `/srv/kvmplay-wait-${process.pid}`;
  const run = (...args: string[]) => kvmplay(['run', playbook, '-i', lab.inventory, '--limit', 'lab01', '-e', `root=${root}`, '--json', ...args], { timeoutMs: 180_000 });

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    lab01 = new SshHost(connectionFor(await loadInventory([lab.inventory]), 'lab01'), { acceptNewHostKeys: false, agentSocket: '' });
    dir = scratchDir('wait-modules');
    playbook = writeFile(dir, 'wait.yaml', PLAYBOOK);
  });

  after(async () => {
    if (lab01) {
      await lab01.run(['rm', '-rf', '--', root]).catch(() => undefined);
      await lab01.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waits for a port, files and the connection, fails on a closed port, and pauses', async () => {
    const r = await run();
    assert.equal(r.code, 0, explain(r));
    const recap = lastJsonLine<RecapJson>(r.stdout);
    assert.equal(recap.ok, true, explain(r));
    assert.equal(recap.hosts['lab01']?.failed, 0, explain(r));
    const byTask = new Map(taskEvents(r.stdout).map((e) => [e.task, e]));
    const status = (task: string): string | undefined => byTask.get(task)?.status;
    for (const task of ['Wait for sshd', 'Wait for the file', 'Wait for a line in a file', 'Wait for a missing file to be absent', 'Wait for the connection', 'Pause', 'Results']) {
      assert.equal(status(task), 'ok', `${task}: ${JSON.stringify(byTask.get(task))}`);
    }
    assert.equal(status('Wait for a closed port'), 'failed');
    assert.equal(byTask.get('Wait for a closed port')?.msg, `Timeout when waiting for 127.0.0.1:${CLOSED_PORT}`);
    assert.equal(byTask.get('Wait for a closed port, with msg')?.msg, `port ${CLOSED_PORT} never opened`);
    assert.ok((byTask.get('Wait for a closed port')?.duration_ms ?? 0) >= 1900, 'the closed port was tried for its timeout');
    assert.ok((byTask.get('Pause')?.duration_ms ?? 0) >= 990, 'paused a second');
  });

  it('skips the wait modules in check mode, as Ansible does, and still pauses', async () => {
    const r = await run('--check');
    assert.equal(r.code, 0, explain(r));
    const byTask = new Map(taskEvents(r.stdout).map((e) => [e.task, e]));
    for (const task of ['Wait for sshd', 'Wait for a closed port', 'Wait for the connection']) {
      assert.equal(byTask.get(task)?.status, 'skipped', `${task}: ${JSON.stringify(byTask.get(task))}`);
    }
    assert.equal(byTask.get('Pause')?.status, 'ok');
  });
});
