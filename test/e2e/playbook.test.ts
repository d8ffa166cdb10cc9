// `kvmplay run` / `kvmplay validate` end to end: the real CLI, real SSH to the shared
// lab (default shape, 3 hosts), playbooks from test/fixtures/e2e-playbooks/. Each run
// works under its own folder on the hosts, removed afterwards.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { quoteShellCommand } from '../../src/util/shell-quote.js';
import { type CliResult, explain, kvmplay, kvmplayBin, lastJsonLine, repoRoot, scratchDir, writeFile, withoutTerminalCodes } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';

interface HostCounts { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }
interface RecapJson { ok: boolean; hosts: Record<string, HostCounts>; duration_ms: number }
interface TaskEvent { event: string; host: string; task: string; status: string; changed: boolean; duration_ms: number; msg: string; play?: string; diff?: string }

const LAB_HOSTS = ['lab01', 'lab02', 'lab03'];
const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'e2e-playbooks', name);

// Quotes, substitutions, separators, redirections, backslashes, non-ASCII: nothing may run.
const AWKWARD_NAME = `it's a "file" $(touch PWNED); x&y <z> |\`id\`\\ ü`;
const AWKWARD_CONTENT = `#!/bin/sh\necho "$(touch PWNED)" '$HOME' \`id\`; rm -rf / & <in >out\n\\n tab\there ü✓\n'"\n`;

function events(stdout: string): TaskEvent[] {
  return stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as TaskEvent);
}

describe('kvmplay run over real SSH', function () {
  this.timeout(600_000);
  let lab: Lab;
  let inventory: string;
  const root = `/srv/kvmplay-e2e-${process.pid}`;
  const hosts = new Map<string, SshHost>();

  /** Run a shell script on a lab host as root, through argv (not through the code under test). */
  const sh = async (host: string, script: string, ...args: string[]): Promise<string> => {
    const r = await hosts.get(host)!.run(['sh', '-c', script, 'sh', ...args]);
    assert.equal(r.rc, 0, `${host}: ${script}: ${r.stderr}`);
    return r.stdout;
  };
  const exists = async (host: string, path: string): Promise<boolean> => (await sh(host, 'test -e "$1" && echo yes || echo no', path)).trim() === 'yes';
  const read = async (host: string, path: string): Promise<string> => (await hosts.get(host)!.readFile(path))?.toString('utf8') ?? '';
  const run = (playbook: string, ...args: string[]): Promise<CliResult> =>
    kvmplay(['run', fixture(playbook), '-i', inventory, '--limit', LAB_HOSTS.join(':'), '-e', `root=${root}`, ...args], { timeoutMs: 300_000 });

  before(async function () {
    this.timeout(900_000);
    lab = await ensureLab();
    inventory = lab.inventory;
    const inv = await loadInventory([inventory]);
    for (const name of LAB_HOSTS) hosts.set(name, new SshHost(connectionFor(inv, name), { acceptNewHostKeys: false, agentSocket: '' }));
    for (const name of LAB_HOSTS) await sh(name, 'rm -rf -- "$1" && mkdir -m 0755 -- "$1"', root);
  });

  after(async () => {
    for (const h of hosts.values()) await h.run(['rm', '-rf', '--', root]).catch(() => undefined);
    await Promise.all([...hosts.values()].map((h) => h.close()));
  });

  afterEach(async () => {
    // Whatever a test sent, no value may have been executed on any host.
    for (const name of LAB_HOSTS) assert.equal(await sh(name, 'find / -xdev -name PWNED 2>/dev/null | head -1'), '', `${name}: PWNED`);
  });

  describe('a playbook with a template file, a loop, register/when and a handler', () => {
    it('applies it on every host, running the handler once', async () => {
      const r = await run('site/site.yaml', '--json');
      assert.equal(r.code, 0, explain(r));
      const recap = lastJsonLine<RecapJson>(r.stdout);
      assert.equal(recap.ok, true);
      assert.deepEqual(Object.keys(recap.hosts), LAB_HOSTS);
      for (const name of LAB_HOSTS) {
        // template, the loop, seen.txt and the handler (the work folder exists already).
        assert.ok(recap.hosts[name]!.changed >= 4, `${name} changed: ${JSON.stringify(recap.hosts[name])}`);
        const conf = await read(name, `${root}/app.conf`);
        assert.equal(conf, `# managed by kvmplay\nhost=${name}\nos=debian\nfile=alpha\nfile=beta\n`);
        assert.equal(await read(name, `${root}/alpha.txt`), `alpha on ${name}\n`);
        assert.equal(await read(name, `${root}/seen.txt`), `seen: host=${name}\n`);
        assert.equal(await read(name, `${root}/handler.log`), 'restarted\n');
      }
      const evs = events(r.stdout);
      assert.deepEqual(evs.filter((e) => e.task === 'Only on lab02').map((e) => `${e.host}=${e.status}`).sort(), ['lab01=skipped', 'lab02=ok', 'lab03=skipped']);
      assert.equal(evs.filter((e) => e.task === 'record restart').length, 3);
    });

    it('changes nothing and runs no handler the second time', async () => {
      const r = await run('site/site.yaml', '--json');
      assert.equal(r.code, 0, explain(r));
      const recap = lastJsonLine<RecapJson>(r.stdout);
      for (const name of LAB_HOSTS) {
        assert.equal(recap.hosts[name]!.changed, 0, `${name}: ${JSON.stringify(recap.hosts[name])}`);
        assert.equal(await read(name, `${root}/handler.log`), 'restarted\n');
      }
      assert.equal(events(r.stdout).some((e) => e.task === 'record restart'), false);
    });

    it('reports changes in --check mode and makes none', async () => {
      const applied = await run('site/site.yaml');
      assert.equal(applied.code, 0, explain(applied));
      const before = await Promise.all(LAB_HOSTS.map((h) => sh(h, 'cat "$1"/*.conf "$1"/*.txt "$1"/*.log', root)));
      const r = await run('site/site.yaml', '--json', '--check', '-e', '{"motd": "changed in check mode"}');
      assert.equal(r.code, 0, explain(r));
      const recap = lastJsonLine<RecapJson>(r.stdout);
      for (const [i, name] of LAB_HOSTS.entries()) {
        assert.ok(recap.hosts[name]!.changed >= 1, `${name}: ${JSON.stringify(recap.hosts[name])}`);
        assert.equal(await sh(name, 'cat "$1"/*.conf "$1"/*.txt "$1"/*.log', root), before[i], `${name}: nothing changed`);
      }
      const template = events(r.stdout).filter((e) => e.task === 'Config from a template');
      assert.deepEqual(template.map((e) => e.status), ['changed', 'changed', 'changed']);
    });

    it('shows the difference with --diff after a hand edit, and puts the file back', async () => {
      const applied = await run('site/site.yaml', '--limit', 'lab01');
      assert.equal(applied.code, 0, explain(applied));
      const restarts = (await read('lab01', `${root}/handler.log`)).split('\n').length;
      await sh('lab01', 'echo "edited by hand" >> "$1"', `${root}/app.conf`);
      const r = await run('site/site.yaml', '--diff', '--limit', 'lab01');
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stdout, /^-edited by hand$/m);
      assert.match(r.stdout, /TASK \[Config from a template\]/);
      assert.match(r.stdout, /^changed: \[lab01\]$/m);
      assert.match(r.stdout, /RUNNING HANDLER \[record restart\]/);
      assert.doesNotMatch(await read('lab01', `${root}/app.conf`), /edited by hand/);
      assert.equal((await read('lab01', `${root}/handler.log`)).split('\n').length, restarts + 1);
    });
  });

  it('lets the other hosts finish when a task fails on one host, and exits 2', async () => {
    const r = await run('fail-one.yaml', '--json');
    assert.equal(r.code, 2, explain(r));
    const recap = lastJsonLine<RecapJson>(r.stdout);
    assert.equal(recap.ok, false);
    assert.equal(recap.hosts['lab02']!.failed, 1);
    assert.equal(await exists('lab02', `${root}/fail-one-marker`), false);
    for (const name of ['lab01', 'lab03']) {
      assert.equal(recap.hosts[name]!.failed, 0);
      assert.equal(await exists(name, `${root}/fail-one-marker`), true, `${name} finished the play`);
    }
  });

  it('stops a serial rollout after the first failed batch with max_fail_percentage 0', async () => {
    const r = await run('serial.yaml');
    assert.equal(r.code, 2, explain(r));
    assert.match(r.stdout, /fatal: \[lab01\]: FAILED!/);
    assert.match(r.stdout, /max_fail_percentage 0%.*not run on: lab02, lab03/);
    for (const name of LAB_HOSTS) assert.equal(await exists(name, `${root}/serial-marker`), false, `${name}: nothing ran after the failed batch`);
    assert.match(r.stdout, /lab02\s+: ok=0\s+changed=0\s+unreachable=0\s+failed=0/);
  });

  describe('validation errors exit 4 with positions, and nothing runs on any host', () => {
    const cases: [string, RegExp][] = [
      ['invalid/missing-var.yaml', /missing\.conf\.hbs:2:\d+: undefined variable "no_such_variable"/],
      ['invalid/unknown-module.yaml', /unknown-module\.yaml:7:7: unknown module "frobnicate"/],
      // Both, each at its own position, named; the closest argument is offered.
      ['invalid/unknown-arguments.yaml', /unknown-arguments\.yaml:9:9: unknown argument "install_recommend" for apt: did you mean "install_recommends"\?[^]*unknown-arguments\.yaml:14:9: unknown argument "persistent" for virt/],
      ['invalid/malformed.yaml', /malformed\.yaml:\d+:\d+: malformed YAML/],
      // Both problems at once, each in its .j2 file at the line and column of the mistake.
      ['invalid/jinja-template.yaml', /unknown-filter\.conf\.j2:1:13: unknown filter 'no_such_filter'[^]*missing-var\.conf\.j2:3:19: undefined variable "no_such_port_option"/],
    ];
    for (const [file, message] of cases) {
      it(`refuses ${file}`, async () => {
        const r = await run(file);
        assert.equal(r.code, 4, explain(r));
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
        assert.equal(r.stdout, '');
        for (const name of LAB_HOSTS) assert.equal(await exists(name, `${root}/invalid-marker`), false);
        const v = await kvmplay(['validate', fixture(file), '-i', inventory, '-e', `root=${root}`]);
        assert.equal(v.code, 4, explain(v));
        assert.match(v.stderr, message);
      });
    }

    it('with --json, says the problems as JSON events and ends with the recap object (exit 4)', async () => {
      const r = await run('invalid/unknown-arguments.yaml', '--json');
      assert.equal(r.code, 4, explain(r));
      const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(lines.at(-1), { ok: false, hosts: {}, duration_ms: lines.at(-1)?.['duration_ms'] });
      assert.deepEqual(lines.slice(0, -1).map((e) => [e['event'], e['kind'], e['exit'], e['line'], e['col'], String(e['msg']).split(':')[0]]), [
        ['error', 'validation', 4, 9, 9, 'unknown argument "install_recommend" for apt'],
        ['error', 'validation', 4, 14, 9, 'unknown argument "persistent" for virt (valid'],
      ]);
      for (const name of LAB_HOSTS) assert.equal(await exists(name, `${root}/invalid-marker`), false);
    });

    it('validates a good playbook without connecting', async () => {
      const v = await kvmplay(['validate', fixture('site/site.yaml'), '-i', inventory, '-e', `root=${root}`]);
      assert.equal(v.code, 0, explain(v));
      assert.equal(v.stdout, 'ok: 1 plays, 6 tasks\n');
    });
  });

  it('delivers quotes, $(...), ;, & and < byte-exact in names and contents, running nothing', async () => {
    const vars = writeFile(scratchDir('e2e-vars'), 'vars.json', JSON.stringify({ awkward_name: AWKWARD_NAME, awkward_content: AWKWARD_CONTENT }));
    const r = await run('awkward.yaml', '--limit', 'lab01', '-e', `@${vars}`);
    assert.equal(r.code, 0, explain(r));
    assert.equal(await read('lab01', `${root}/${AWKWARD_NAME}`), AWKWARD_CONTENT);
    assert.equal(await read('lab01', `${root}/via-shell`), AWKWARD_CONTENT);
    assert.equal(await exists('lab01', `${root}/${AWKWARD_NAME}.touched`), true);
  });

  it('prints only task events and, last, the recap with --json', async () => {
    const r = await run('fail-one.yaml', '--json', '--limit', 'lab01');
    assert.equal(r.code, 0, explain(r));
    const lines = r.stdout.trimEnd().split('\n');
    const recap = JSON.parse(lines[lines.length - 1]!) as RecapJson;
    assert.deepEqual(Object.keys(recap).sort(), ['duration_ms', 'hosts', 'ok']);
    assert.deepEqual(Object.keys(recap.hosts), ['lab01']);
    assert.equal(recap.hosts['lab01']!.ok, 2);
    assert.equal(recap.hosts['lab01']!.failed, 0);
    for (const e of events(r.stdout)) {
      assert.equal(e.event, 'task');
      assert.deepEqual(['host', 'task', 'status', 'changed', 'duration_ms', 'msg'].filter((k) => !(k in e)), []);
      assert.equal(e.play, 'One host fails');
    }
  });

  it('hides no_log results and the secrets they handled from all output', async () => {
    const seed = `s${process.pid}q`;
    const masked: [string[], RegExp][] = [[[], /^ {4}\*{8}$/m], [['--json'], /"stdout":"\*{8}"/]];
    for (const [format, readBack] of masked) {
      const r = await run('no-log.yaml', '--limit', 'lab01', '-v', '-e', `secret_seed=${seed}`, ...format);
      assert.equal(r.code, 0, explain(r));
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`tok-${seed}-xyz`));
      assert.match(r.stdout, /the output has been hidden due to the fact that 'no_log: true' was specified for this result/);
      assert.match(r.stdout, readBack, 'the secret read back by a later task is masked');
    }
    assert.equal(await read('lab01', `${root}/secret.txt`), `tok-${seed}-xyz\n`);
  });

  it('exits 3 when a host is unreachable and none failed, running the play on the others', async () => {
    const address = lab.hosts.find((h) => h.name === 'lab01')!.address;
    const doc = {
      all: {
        vars: { ansible_user: 'root', ansible_ssh_private_key_file: join(lab.labDir, 'id_ed25519'), known_hosts: join(lab.labDir, 'known_hosts'), ansible_ssh_timeout: 3 },
        // Nothing listens on port 1: the connection is refused at once.
        children: { lab: { hosts: { lab01: { ansible_host: address }, ghost: { ansible_host: address, ansible_port: 1 } } } },
      },
    };
    const inv = writeFile(scratchDir('e2e-inv'), 'inventory.yaml', JSON.stringify(doc));
    const r = await kvmplay(['run', fixture('fail-one.yaml'), '-i', inv, '-e', `root=${root}`, '--json']);
    assert.equal(r.code, 3, explain(r));
    const recap = lastJsonLine<RecapJson>(r.stdout);
    assert.equal(recap.hosts['ghost']!.unreachable, true);
    assert.equal(recap.hosts['lab01']!.failed, 0);
    assert.equal(recap.hosts['lab01']!.ok, 2);
    assert.deepEqual(events(r.stdout).filter((e) => e.host === 'ghost').map((e) => e.status), ['unreachable']);
  });

  it('ends the remote command on Ctrl-C, runs nothing after it and exits 99', async () => {
    const child = spawn(process.execPath, [kvmplayBin, 'run', fixture('interrupt.yaml'), '-i', inventory, '--limit', 'lab01', '-e', `root=${root}`], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until the sleep runs on the host, then interrupt.
    for (let i = 0; i < 100 && !(await sh('lab01', 'pgrep -f "^sleep 4711$" >/dev/null && echo yes || echo no')).includes('yes'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 99, stderr);
    assert.match(stderr, /interrupted/);
    assert.equal((await sh('lab01', 'pgrep -f "^sleep 4711$" || echo none')).trim(), 'none');
    assert.equal(await exists('lab01', `${root}/interrupt-marker`), false);
  });

  it('shows one live row per host on a terminal, then the recap', async () => {
    // Its own folder: the site tests above count on theirs.
    const args = ['run', fixture('site/site.yaml'), '-i', inventory, '-e', `root=${root}/tty`];
    const cmd = `stty cols 120 rows 40; ${quoteShellCommand([process.execPath, kvmplayBin, ...args])}`;
    const { stdout: screen } = await promisify(execFile)('script', ['-qec', cmd, '/dev/null'], { timeout: 120_000, cwd: repoRoot });
    const stdout = withoutTerminalCodes(screen);
    for (const name of LAB_HOSTS) assert.match(stdout, new RegExp(String.raw`^${name} +ok=\d+ changed=\d+`, 'm'));
    assert.match(stdout, /PLAY RECAP/);
  });
});
