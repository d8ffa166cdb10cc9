// include_vars end to end with the real CLI over real SSH on lab01: a role's vars file
// chosen by the gathered os_family (from the role's vars/), a dir with files_matching,
// `name:`, the variables used by later tasks and a later play, their precedence against
// a task var and a set_fact, a secret redacted, and a missing file failing the task.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { explain, kvmplay, lastJsonLine, scratchDir } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface TaskEvent { event: string; host: string; task: string; status: string; msg: string; stdout?: string }
interface RecapJson { ok: boolean; hosts: Record<string, { ok: number; changed: number; failed: number }> }

function events(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent).filter((e) => e.event === 'task');
}

function find(all: TaskEvent[], task: string): TaskEvent {
  const e = all.find((x) => x.host === 'lab01' && x.task === task);
  assert.ok(e, `no result for lab01 / ${task} in:\n${all.map((x) => `${x.host} ${x.task} ${x.status}`).join('\n')}`);
  return e;
}

function put(dir: string, rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

// A vars file for each family the lab's rootfs could report: the test reads which one applied.
const FAMILIES = ['Debian', 'RedHat', 'Alpine', 'Archlinux', 'Suse', 'Gentoo', 'Void', 'NixOS'];

describe('include_vars, end to end', function () {
  let lab: Lab;
  let scratch: string;

  before(async () => {
    lab = await ensureLab();
    scratch = scratchDir('include-vars');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('loads vars for later tasks and plays: a role\'s by os_family, a dir, a name, above task vars and under set_fact', async () => {
    for (const family of FAMILIES) put(scratch, `roles/osvars/vars/${family}.yml`, `os_label: family-${family}\nprec: included\n`);
    put(scratch, 'roles/osvars/tasks/main.yml', `
- name: OS vars
  include_vars: "{{ ansible_facts['os_family'] }}.yml"
- name: Role sees them
  debug: { msg: "{{ os_label }}" }
`);
    put(scratch, 'conf/net-a.yml', 'net_mtu: 1400\nnet_name: a\n');
    put(scratch, 'conf/net-b.yml', 'net_mtu: 9000\n');
    put(scratch, 'conf/other.yml', 'net_mtu: 1\n');
    put(scratch, 'conf/README', 'not a vars file: files_matching leaves it out\n');
    put(scratch, 'vars/extra.yml', 'colour: blue\napi_token: tok-e2e-7c1d\n');
    const playbook = put(scratch, 'site.yaml', `
- hosts: lab01
  gather_facts: true
  vars: { prec: play }
  roles: [osvars]
  tasks:
    - name: Family
      debug: { msg: "{{ ansible_facts['os_family'] }}" }
    - name: Net dir
      include_vars: { dir: conf, files_matching: '^net-.*[.]yml$' }
      register: net
    - name: Files read
      debug: { msg: "{{ net.ansible_included_var_files | map('basename') | join(',') }}" }
    - name: Named
      include_vars: { file: extra.yml, name: extra }
    - name: Task var loses
      debug: { msg: "{{ prec }}" }
      vars: { prec: task }
    - set_fact: { prec: fact }
    - name: set_fact wins
      debug: { msg: "{{ prec }}" }
    - name: On the host
      command: echo {{ net_mtu }} {{ net_name }} {{ extra.colour }}
      changed_when: false
    - name: Secret
      debug: { msg: "token {{ extra.api_token }}" }
- hosts: lab01
  gather_facts: false
  tasks:
    - name: Later play
      debug: { msg: "{{ os_label }} {{ net_mtu }} {{ extra.colour }} {{ prec }}" }
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '--json']);
    assert.equal(r.code, 0, explain(r));
    const all = events(r.stdout);
    const family = find(all, 'Family').msg;
    assert.ok(FAMILIES.includes(family), `no vars file written for os_family ${family}`);
    assert.equal(find(all, 'osvars : OS vars').status, 'ok');
    assert.equal(find(all, 'osvars : Role sees them').msg, `family-${family}`);
    assert.equal(find(all, 'Files read').msg, 'net-a.yml,net-b.yml');
    assert.equal(find(all, 'Task var loses').msg, 'included');
    assert.equal(find(all, 'set_fact wins').msg, 'fact');
    assert.equal(find(all, 'On the host').stdout, '9000 a blue');
    assert.equal(find(all, 'Secret').msg, 'token ********');
    assert.doesNotMatch(r.stdout, /tok-e2e-7c1d/);
    assert.equal(find(all, 'Later play').msg, `family-${family} 9000 blue fact`);
    assert.equal(lastJsonLine<RecapJson>(r.stdout).hosts['lab01']?.failed, 0);
  });

  it('fails the task on a missing file, with Ansible\'s message and where it looked', async () => {
    const playbook = put(scratch, 'missing.yaml', `
- hosts: lab01
  gather_facts: false
  tasks:
    - name: Missing
      include_vars: nowhere.yml
    - name: Never
      debug: { msg: unreachable }
`);
    const r = await kvmplay(['run', playbook, '-i', lab.inventory, '--json']);
    assert.equal(r.code, 2, explain(r));
    const all = events(r.stdout);
    const failed = find(all, 'Missing');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.msg.split('\n')[0], "Could not find or access 'nowhere.yml'");
    assert.ok(failed.msg.includes(`\t${join(scratch, 'vars', 'nowhere.yml')}\n`), failed.msg);
    assert.match(failed.msg, /on the Ansible Controller\.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option$/);
    assert.equal(all.some((e) => e.task === 'Never'), false);
    assert.equal(lastJsonLine<RecapJson>(r.stdout).hosts['lab01']?.failed, 1);
  });
});
