// The flags and settings Ansible users type by habit, end to end: the real CLI from a
// working directory of its own (for ./ansible.cfg), real SSH to the shared lab.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, explain, kvmplayBin, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

const LAB_HOSTS = ['lab01', 'lab02', 'lab03'];

/** `kvmplay ARGS` in `cwd`, with `env` over a copy of this process's environment without ANSIBLE_* variables. */
function kvmplayIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  // No ssh-agent either: the key used is the one the settings name.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANSIBLE_') && k !== 'SSH_AUTH_SOCK'));
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [kvmplayBin, ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('Ansible habits on the command line (real SSH)', function () {
  this.timeout(600_000);
  let lab: Lab;
  let dir: string;
  let key: string;
  let knownHosts: string;
  const root = `/srv/kvmplay-habits-${process.pid}`;
  /** The lab's hosts with their addresses only: who to connect as, and with which key, comes from elsewhere. */
  let bareInventory: string;

  const addressOf = (name: string): string => lab.hosts.find((h) => h.name === name)!.address;

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    dir = scratchDir('habits');
    key = join(lab.labDir, 'id_ed25519');
    knownHosts = join(lab.labDir, 'known_hosts');
    bareInventory = writeFile(dir, 'bare.yml', `all:\n  hosts:\n${LAB_HOSTS.map((h) => `    ${h}: {ansible_host: ${addressOf(h)}}\n`).join('')}`);
    writeFile(dir, 'marks.yml', [
      '- hosts: all',
      '  gather_facts: false',
      '  tags: [marks]',
      '  tasks:',
      '    - name: prepare',
      `      file: {path: "${root}/{{ inventory_hostname }}", state: directory}`,
      '      tags: [setup]',
      '    - name: first mark',
      `      command: touch ${root}/{{ inventory_hostname }}/first`,
      '    - name: second mark',
      `      shell: id -un > ${root}/{{ inventory_hostname }}/second`,
      '      tags: [later]',
      '',
    ].join('\n'));
  });

  after(async () => {
    await kvmplayIn(dir, ['exec', '-i', lab.inventory, '-l', LAB_HOSTS.join(':'), '--', `rm -rf ${root}`]);
  });

  const remote = async (host: string, command: string): Promise<CliResult> =>
    kvmplayIn(dir, ['exec', '-i', lab.inventory, '-l', host, '--json', '--', command]);
  const remoteStdout = async (host: string, command: string): Promise<string> => {
    const r = await remote(host, command);
    assert.equal(r.code, 0, explain(r));
    const event = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { event?: string; stdout?: string }).find((e) => e.event === 'task');
    return event?.stdout ?? '';
  };

  it('--version prints kvmplay\'s version, the config file and node\'s version, and exits 0 wherever it stands', async () => {
    const version = (JSON.parse(readFileSync(join(kvmplayBin, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    for (const args of [['--version'], ['run', '--version'], ['ping', '-i', 'nowhere', '--version']]) {
      const r = await kvmplayIn(dir, args);
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stdout, new RegExp(`^kvmplay ${version.replace(/\./g, '\\.')}\\n  config file = None\\n  node version = v\\d+`));
    }
  });

  it('ANSIBLE_INVENTORY=… kvmplay ping all: the inventory from the environment', async () => {
    const r = await kvmplayIn(dir, ['ping', 'all', '-l', LAB_HOSTS.join(':'), '--json'], { ANSIBLE_INVENTORY: lab.inventory });
    assert.equal(r.code, 0, explain(r));
    const recap = JSON.parse(r.stdout.trimEnd().split('\n').pop()!) as { hosts: Record<string, unknown> };
    assert.deepEqual(Object.keys(recap.hosts), LAB_HOSTS);
  });

  it('without -i or any setting naming an inventory, says where one may come from (exit 5)', async () => {
    const r = await kvmplayIn(dir, ['ping', 'all']);
    assert.equal(r.code, 5, explain(r));
    assert.match(r.stderr, /an inventory is required: -i INVENTORY \(or ANSIBLE_INVENTORY, or inventory = in ansible\.cfg\)/);
  });

  it('./ansible.cfg gives the inventory, remote_user, private_key_file and ssh_args of a run', async () => {
    const project = scratchDir('habits-cfg');
    writeFile(project, 'hosts.yml', readFileSync(bareInventory, 'utf8'));
    writeFile(project, 'ansible.cfg', [
      '[defaults]', 'inventory = hosts.yml', 'remote_user = root', `private_key_file = ${key}`, 'forks = 2',
      '[ssh_connection]', `ssh_args = -o UserKnownHostsFile=${knownHosts} -o ControlMaster=auto`, '',
    ].join('\n'));
    const r = await kvmplayIn(project, ['run', join(dir, 'marks.yml'), '--json']);
    assert.equal(r.code, 0, explain(r));
    for (const h of LAB_HOSTS) assert.equal(await remoteStdout(h, `cat ${root}/${h}/second`), 'root\n');
    // The environment beats the file: a user the hosts do not have, so the run cannot connect.
    const envUser = await kvmplayIn(project, ['ping', 'lab01'], { ANSIBLE_REMOTE_USER: 'no-such-user' });
    assert.equal(envUser.code, 3, explain(envUser));
    assert.match(envUser.stdout, /authentication failed/);
    // The version names the config file in force.
    assert.match((await kvmplayIn(project, ['--version'])).stdout, new RegExp(`config file = ${join(project, 'ansible.cfg')}`));
  });

  it('-u root --private-key KEY connect where the inventory says nothing of user or key', async () => {
    const inv = writeFile(dir, 'bare-known.yml', `${readFileSync(bareInventory, 'utf8')}  vars:\n    known_hosts: ${knownHosts}\n`);
    const r = await kvmplayIn(dir, ['ping', 'all', '-i', inv, '-u', 'root', '--private-key', key, '-T', '15', '-vvv']);
    assert.equal(r.code, 0, explain(r));
    // -vvv says who each host is reached as, and how.
    assert.ok(r.stderr.includes(`<lab01> ESTABLISH SSH CONNECTION FOR USER: root (${addressOf('lab01')}:22; identity: ${key}; password: no; timeout 15 s;`), r.stderr);
    // Both flags are what connects: another user, or another key, and nothing can.
    const otherUser = await kvmplayIn(dir, ['ping', 'lab01', '-i', inv, '-u', 'no-such-user', '--private-key', key]);
    assert.equal(otherUser.code, 3, explain(otherUser));
    const wrongKey = join(dir, 'wrong_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    const otherKey = await kvmplayIn(dir, ['ping', 'lab01', '-i', inv, '-u', 'root', '--private-key', wrongKey]);
    assert.equal(otherKey.code, 3, explain(otherKey));
    // --key-file is the same flag.
    const again = await kvmplayIn(dir, ['exec', '-i', inv, '-u', 'root', '--key-file', key, '-l', 'lab01', '--json', '--', 'id -un']);
    assert.equal(again.code, 0, explain(again));
    assert.match(again.stdout, /"stdout":"root\\n"/);
  });

  it('-u does not beat ansible_user of the inventory (as in Ansible)', async () => {
    const r = await kvmplayIn(dir, ['exec', '-i', lab.inventory, '-l', 'lab01', '-u', 'nobody-here', '--json', '-vvv', '--', 'id -un']);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stderr, /<lab01> ESTABLISH SSH CONNECTION FOR USER: root /);
    assert.match(r.stdout, /"stdout":"root\\n"/);
  });

  it('ANSIBLE_HOST_KEY_CHECKING=False records unknown keys, says so, and still refuses a changed key', async () => {
    const fresh = writeFile(dir, 'fresh_known_hosts', '');
    const inv = writeFile(dir, 'fresh.yml', `${readFileSync(bareInventory, 'utf8')}  vars:\n    known_hosts: ${fresh}\n`);
    const env = { ANSIBLE_HOST_KEY_CHECKING: 'False' };
    const r = await kvmplayIn(dir, ['ping', 'lab01', '-i', inv, '-u', 'root', '--private-key', key], env);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stderr, /\[WARNING\]: host_key_checking is off \(ANSIBLE_HOST_KEY_CHECKING\): kvmplay still refuses every host whose key differs/);
    assert.match(readFileSync(fresh, 'utf8'), /ssh-ed25519 /);
    // lab02's key recorded for lab01's address: a changed key, refused whatever the setting.
    const lab02Key = readFileSync(knownHosts, 'utf8').split('\n').find((l) => l.startsWith('lab02,'))!.split(' ').slice(1).join(' ');
    writeFileSync(fresh, `${addressOf('lab01')} ${lab02Key}\n`);
    const changed = await kvmplayIn(dir, ['ping', 'lab01', '-i', inv, '-u', 'root', '--private-key', key], env);
    assert.equal(changed.code, 3, explain(changed));
    assert.match(changed.stdout + changed.stderr, /host key CHANGED/);
  });

  it('--list-hosts, --list-tasks and --list-tags print as ansible-playbook does and connect to nothing', async () => {
    const playbook = join(dir, 'marks.yml');
    // An unreachable address: any connection attempt would fail the command.
    const nowhere = writeFile(dir, 'nowhere.yml', 'all:\n  hosts:\n    ghost1: {ansible_host: 127.0.0.9, ansible_port: 1}\n    ghost2: {ansible_host: 127.0.0.9, ansible_port: 1}\n');
    const hosts = await kvmplayIn(dir, ['run', playbook, '-i', nowhere, '--list-hosts', '-l', 'ghost2', '-K']);
    assert.equal(hosts.code, 0, explain(hosts));
    assert.equal(hosts.stdout, `\nplaybook: ${playbook}\n\n  play #1 (all): all\tTAGS: [marks]\n    pattern: ['all']\n    hosts (1):\n      ghost2\n`);
    const tasks = await kvmplayIn(dir, ['run', playbook, '-i', nowhere, '--list-tasks', '--skip-tags', 'later']);
    assert.equal(tasks.code, 0, explain(tasks));
    assert.equal(tasks.stdout, `\nplaybook: ${playbook}\n\n  play #1 (all): all\tTAGS: [marks]\n    tasks:\n      prepare\tTAGS: [marks, setup]\n      first mark\tTAGS: [marks]\n`);
    const tags = await kvmplayIn(dir, ['run', playbook, '-i', nowhere, '--list-tags']);
    assert.equal(tags.code, 0, explain(tags));
    assert.equal(tags.stdout, `\nplaybook: ${playbook}\n\n  play #1 (all): all\tTAGS: [marks]\n      TASK TAGS: [later, marks, setup]\n`);
    const adhoc = await kvmplayIn(dir, ['ping', 'all', '-i', nowhere, '--list-hosts']);
    assert.equal(adhoc.stdout, '  hosts (2):\n    ghost1\n    ghost2\n');
  });

  it('--start-at-task runs from the named task on', async () => {
    await remote(LAB_HOSTS.join(':'), `rm -rf ${root}`);
    const first = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '-l', LAB_HOSTS.join(':'), '--start-at-task', 'prepare', '--skip-tags', 'later']);
    assert.equal(first.code, 0, explain(first));
    await remote(LAB_HOSTS.join(':'), `rm -f ${root}/*/first`);
    const r = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '-l', LAB_HOSTS.join(':'), '--start-at-task', 'second mark']);
    assert.equal(r.code, 0, explain(r));
    for (const h of LAB_HOSTS) {
      assert.equal(await remoteStdout(h, `ls ${root}/${h}`), 'second\n', h);
    }
    const missing = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '--start-at-task', 'no such task']);
    assert.equal(missing.code, 5, explain(missing));
  });

  it('--syntax-check exits 4 on a broken playbook and 0 on a good one, running nothing', async () => {
    const broken = writeFile(dir, 'broken.yml', '- hosts: all\n  tasks:\n    - name: x\n      no_such_module: {}\n');
    const r = await kvmplayIn(dir, ['run', broken, '-i', lab.inventory, '--syntax-check']);
    assert.equal(r.code, 4, explain(r));
    assert.match(r.stderr, /broken\.yml:\d+:\d+:/);
    const good = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '--syntax-check']);
    assert.equal(good.code, 0, explain(good));
  });

  it('-K without a terminal fails clearly (exit 5) before connecting anywhere', async () => {
    const r = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '-l', 'lab01', '-b', '-K']);
    assert.equal(r.code, 5, explain(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /-K\/--ask-become-pass asks for the become password on a terminal, and standard input is not one/);
    const step = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '--step']);
    assert.equal(step.code, 5, explain(step));
    assert.match(step.stderr, /--step asks for a confirmation before each task on a terminal/);
  });

  it('-b --become-user and ANSIBLE_BECOME*: the user a play becomes unless it says otherwise', async () => {
    const who = writeFile(dir, 'who.yml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: who\n      command: id -un\n');
    const stays = writeFile(dir, 'stays.yml', '- hosts: all\n  gather_facts: false\n  become: false\n  tasks:\n    - name: who\n      command: id -un\n');
    const whoami = (r: CliResult): string => {
      assert.equal(r.code, 0, explain(r));
      return (JSON.parse(r.stdout.split('\n')[0]!) as { stdout: string }).stdout;
    };
    const base = ['-i', lab.inventory, '-l', 'lab01', '--json'];
    assert.equal(whoami(await kvmplayIn(dir, ['run', who, ...base, '-b', '--become-user', 'nobody'])), 'nobody');
    assert.equal(whoami(await kvmplayIn(dir, ['run', who, ...base], { ANSIBLE_BECOME: 'true', ANSIBLE_BECOME_USER: 'nobody' })), 'nobody');
    // The play's own `become: false` wins over -b.
    assert.equal(whoami(await kvmplayIn(dir, ['run', stays, ...base, '-b', '--become-user', 'nobody'])), 'root');
    const adhoc = await kvmplayIn(dir, ['exec', '-i', lab.inventory, '-l', 'lab01', '-b', '--become-user', 'nobody', '--json', '--', 'id -un']);
    assert.equal(adhoc.code, 0, explain(adhoc));
    assert.match(adhoc.stdout, /"stdout":"nobody\\n"/);
  });

  it('--limit @FILE runs on the hosts the file names', async () => {
    const retry = writeFile(dir, 'site.retry', 'lab02\nlab03\n');
    const r = await kvmplayIn(dir, ['ping', '-i', lab.inventory, '--limit', `@${retry}`, '--list-hosts']);
    assert.equal(r.stdout, '  hosts (2):\n    lab02\n    lab03\n');
    const inv = await kvmplayIn(dir, ['inventory', '-i', lab.inventory, '--limit', `@${retry}`, '--graph']);
    assert.equal(inv.code, 0, explain(inv));
    assert.doesNotMatch(inv.stdout, /lab01/);
    assert.match(inv.stdout, /\|--lab02\n/);
  });

  it('--timings prints each task\'s time and each host\'s after the recap (on standard error under --json)', async () => {
    const r = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '-l', LAB_HOSTS.join(':'), '--timings']);
    assert.equal(r.code, 0, explain(r));
    const after = r.stdout.slice(r.stdout.indexOf('PLAY RECAP'));
    assert.match(after, /\nTASK TIMINGS =+\n(all : \S[^\n]* -+ \d+\.\d\ds\n){3}\nHOST TIMINGS[^\n]*\n/);
    for (const h of LAB_HOSTS) assert.match(after, new RegExp(`^${h} -+ \\d+\\.\\d\\ds$`, 'm'));
    const json = await kvmplayIn(dir, ['run', join(dir, 'marks.yml'), '-i', lab.inventory, '-l', LAB_HOSTS.join(':'), '--timings', '--json']);
    assert.equal(json.code, 0, explain(json));
    assert.equal((JSON.parse(json.stdout.trimEnd().split('\n').at(-1) ?? '') as { ok: boolean }).ok, true);
    assert.match(json.stderr, /TASK TIMINGS/);
  });

  it('--step on a terminal asks once per task for all hosts: n leaves it out, y runs it, c runs the rest without asking', async () => {
    const playbook = writeFile(dir, 'step.yml', ['- hosts: all', '  gather_facts: false', '  tasks:',
      ...['one', 'two', 'three', 'four'].flatMap((n) => [`    - name: step ${n}`, `      command: touch ${root}/step-{{ inventory_hostname }}-${n}`]), ''].join('\n'));
    execFileSync(process.execPath, [kvmplayBin, 'exec', '-i', lab.inventory, '-l', 'lab01:lab02', '--', `mkdir -p ${root}`]);
    const cmd = `stty cols 120 rows 40; exec ${[process.execPath, kvmplayBin, 'run', playbook, '-i', lab.inventory, '-l', 'lab01:lab02', '--step'].map((w) => `'${w}'`).join(' ')}`;
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const answers = ['n', 'y', 'c'];
    let asked = 0;
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const questions = output.split('(N)o/(y)es/(c)ontinue:').length - 1;
      while (asked < questions) child.stdin.write(`${answers[asked++] ?? 'n'}\r`);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, output);
    assert.equal(asked, 3, `three questions for four tasks on two hosts:\n${output}`);
    assert.match(output, /Perform task: TASK: step one \(N\)o\/\(y\)es\/\(c\)ontinue:/);
    const made = execFileSync(process.execPath, [kvmplayBin, 'exec', '-i', lab.inventory, '-l', 'lab01:lab02', '--', `ls ${root} | grep ^step- | sort | tr '\\n' ' '`], { encoding: 'utf8' });
    for (const h of ['lab01', 'lab02']) {
      assert.doesNotMatch(made, new RegExp(`step-${h}-one`));
      for (const n of ['two', 'three', 'four']) assert.match(made, new RegExp(`step-${h}-${n}`));
    }
  });

  it('--help says the examples, the exit codes and the environment', async () => {
    const top = await kvmplayIn(dir, ['--help']);
    assert.equal(top.code, 0, explain(top));
    assert.match(top.stdout, /Exit codes \(as ansible-playbook\):\n {2}0 ok, 1 error, 2 a host failed/);
    assert.match(top.stdout, /Environment:\n[^]*ANSIBLE_INVENTORY[^]*NO_COLOR/);
    const run = await kvmplayIn(dir, ['run', '--help']);
    assert.match(run.stdout, /Examples:\n {2}kvmplay run site\.yml -i hosts\.yml\n[^]*\n\nExit codes/);
  });

  it('-vvv says each command sent, under its task, except a no_log task\'s', async () => {
    const playbook = writeFile(dir, 'trace.yml', ['- hosts: lab01', '  gather_facts: false', '  tasks:',
      '    - name: seen', '      command: echo trace-seen-31', '    - name: hidden', '      command: echo trace-hidden-32', '      no_log: true', ''].join('\n'));
    const r = await kvmplayIn(dir, ['run', playbook, '-i', lab.inventory, '-vvv']);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /TASK \[seen\] \*+\n<lab01> EXEC echo trace-seen-31\n/);
    assert.doesNotMatch(r.stdout + r.stderr, /trace-hidden-32/);
    const quiet = await kvmplayIn(dir, ['run', playbook, '-i', lab.inventory, '-vv']);
    assert.doesNotMatch(quiet.stdout, /EXEC/);
  });
});
