// The Jinja twin: the playbooks of test/fixtures/twin-jinja/ run by kvmplay and by the
// real `ansible-playbook` on the same lab host at the same time (so with the same
// facts), each under its own root (-e root=…). twin.yaml is what KVM playbooks do: Jinja
// in task arguments (filters, inline if, ~, loops with labels, `content: |` blocks with
// {% for %}/{% if %} and whitespace control), `.j2` files through the template module,
// lookup('template') feeding a libvirt domain XML, lookup('file'), fact-based `when`,
// register + stdout_lines, a handler. twin-extras.yaml holds Jinja that kvmplay
// refused at validation when this was written (kept apart: one refusal stops a run).
// Every entry under the two roots (path, type, mode, owner, sha256) must be identical
// and every task and loop item must end the same way (changed / ok / skipped); then
// kvmplay runs again and must change nothing. All differences are reported at once,
// with the content diff of each differing file.
// Ansible must be installed (Debian's ansible-core): without it this fails, never skips.
// Hosts: lab02 and lab03 only; all work happens under /srv/kvmplay-twin-<pid>/, removed after.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { ansiblePlaybook, type AnsibleResult } from '../support/ansible.js';
import { type CliResult, explain, kvmplay, lastJsonLine, repoRoot, scratchDir } from '../support/cli.js';
import { ensureLab } from '../support/lab-fixture.js';
import { ansibleOutcomes, kvmplayOutcomes, textDiff } from '../support/twin.js';

interface HostCounts { ok: number; changed: number; failed: number; skipped: number; unreachable: boolean }
interface RecapJson { ok: boolean; hosts: Record<string, HostCounts> }

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'twin-jinja', name);
/** At most this many differing files are shown with their content diff. */
const MAX_FILE_DIFFS = 10;

function explainAnsible(r: AnsibleResult): string {
  return `ansible-playbook exit ${r.code}\n--- stdout\n${r.stdout.slice(-12000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

/** An entry under a root: its path and `path  type mode owner:group [sha256:… | -> target]`. */
interface Entry { path: string; line: string }

describe('the Jinja twin: kvmplay writes the files ansible-playbook writes', function () {
  this.timeout(900_000);
  const base = `/srv/kvmplay-twin-${process.pid}`;
  const hosts = new Map<string, SshHost>();
  let inventory = '';
  let scratch = '';

  const sh = async (host: string, script: string, ...args: string[]): Promise<string> => {
    const r = await hosts.get(host)!.run(['sh', '-c', script, 'sh', ...args], { timeoutMs: 120_000 });
    assert.equal(r.rc, 0, `${host}: ${script}: ${r.stderr}`);
    return r.stdout;
  };

  /** Every entry under root, sorted by path. NUL-separated on the wire: any name survives. */
  async function tree(host: string, root: string): Promise<Entry[]> {
    const out = await sh(host, `cd "$1" && find . -mindepth 1 -printf '%P\\0%y\\0%m\\0%u:%g\\0%l\\0' && printf '\\1' &&
      find . -type f -printf '%P\\0' | xargs -0r sha256sum -z --`, root);
    const [listing = '', sums = ''] = out.split('\x01');
    const digests = new Map<string, string>();
    for (const rec of sums.split('\0').filter(Boolean)) digests.set(rec.slice(66), rec.slice(0, 64));
    const fields = listing.split('\0');
    const entries: Entry[] = [];
    for (let i = 0; i + 4 < fields.length; i += 5) {
      const [path = '', type = '', mode = '', owner = '', target = ''] = fields.slice(i, i + 5);
      const what = type === 'f' ? `sha256:${digests.get(path) ?? '?'}` : type === 'l' ? `-> ${target}` : '';
      entries.push({ path, line: `${path}  ${type} ${mode} ${owner} ${what}`.trimEnd() });
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The listings' difference, then the content diff of each file whose bytes differ. */
  async function treeProblems(host: string, ansibleRoot: string, kvmplayRoot: string, a: Entry[], k: Entry[]): Promise<string[]> {
    const listing = textDiff(`files under root on ${host}`, a.map((e) => `${e.line}\n`).join(''), k.map((e) => `${e.line}\n`).join(''));
    if (!listing) return [];
    const problems = [`the trees differ (path, type, mode, owner, sha256):\n${listing}`];
    const kByPath = new Map(k.map((e) => [e.path, e.line]));
    const differing = a.filter((e) => e.line.includes('sha256:') && kByPath.get(e.path)?.includes('sha256:') && kByPath.get(e.path) !== e.line);
    for (const e of differing.slice(0, MAX_FILE_DIFFS)) {
      const want = (await hosts.get(host)!.readFile(`${ansibleRoot}/${e.path}`))?.toString('utf8') ?? '';
      const got = (await hosts.get(host)!.readFile(`${kvmplayRoot}/${e.path}`))?.toString('utf8') ?? '';
      problems.push(`${e.path} differs:\n${textDiff(e.path, want, got) || '(same bytes: mode or owner differ)'}`);
    }
    if (differing.length > MAX_FILE_DIFFS) problems.push(`… and ${differing.length - MAX_FILE_DIFFS} more differing files`);
    return problems;
  }

  /** Run kvmplay --check (nothing may be written), then `playbook` with both tools on `host`, compare, run kvmplay again; every problem found, or none. */
  async function twin(host: string, playbook: string): Promise<{ problems: string[]; outcomes: string[] }> {
    const name = playbook.replace(/\.yaml$/, '');
    const ansibleRoot = `${base}/${host}-${name}-ansible`;
    const kvmplayRoot = `${base}/${host}-${name}-kvmplay`;
    const kvmplayRun = (...more: string[]): Promise<CliResult> =>
      kvmplay(['run', fixture(playbook), '-i', inventory, '--limit', host, '-e', `root=${kvmplayRoot}`, '--json', ...more], { timeoutMs: 600_000 });

    // --check first, on a host where everything is still to do: it writes nothing at all
    // (later tasks may fail on results check mode could not know; nothing may change).
    await kvmplayRun('--check');
    const unborn = await sh(host, 'if [ -e "$1" ]; then echo exists; fi', kvmplayRoot);
    const checkProblems = unborn.trim() === '' ? [] : [`kvmplay --check created ${kvmplayRoot}`];

    // Both at once, on the same host: the same facts.
    const [a, k] = await Promise.all([
      ansiblePlaybook(['-i', inventory, '--limit', host, '-e', `root=${ansibleRoot}`, fixture(playbook)], {
        scratch: join(scratch, `${host}-${name}`),
        remoteTemp: `${base}/${host}-${name}-ansible-tmp`,
      }),
      kvmplayRun(),
    ]);
    // Ansible is the reference: if it fails, the fixture (or the lab) is wrong.
    assert.equal(a.code, 0, explainAnsible(a));
    const aTree = await tree(host, ansibleRoot);
    const want = ansibleOutcomes(a.stdout, host);
    if (k.code !== 0) return { problems: [...checkProblems, `kvmplay run ${playbook} failed: ${explain(k, { tail: true })}`], outcomes: want };

    const problems: string[] = [...checkProblems];
    const kTree = await tree(host, kvmplayRoot);
    problems.push(...await treeProblems(host, ansibleRoot, kvmplayRoot, aTree, kTree));
    const statuses = textDiff(`task outcomes on ${host}`, want.map((l) => `${l}\n`).join(''), kvmplayOutcomes(k.stdout, host).map((l) => `${l}\n`).join(''));
    if (statuses) problems.push(`the task outcomes differ:\n${statuses}`);

    const again = await kvmplayRun();
    if (again.code !== 0) {
      problems.push(`the second kvmplay run failed: ${explain(again, { tail: true })}`);
    } else {
      const changed = lastJsonLine<RecapJson>(again.stdout).hosts[host]?.changed;
      if (changed !== 0) {
        problems.push(`the second kvmplay run changed ${changed} task(s):\n${kvmplayOutcomes(again.stdout, host).filter((l) => / changed$/.test(l)).join('\n')}`);
      }
      const after = await tree(host, kvmplayRoot);
      const moved = textDiff(`files after the second kvmplay run on ${host}`, kTree.map((e) => `${e.line}\n`).join(''), after.map((e) => `${e.line}\n`).join(''));
      if (moved) problems.push(`the second kvmplay run changed files:\n${moved}`);
    }
    return { problems, outcomes: want };
  }

  function report(host: string, playbook: string, problems: string[]): void {
    if (problems.length) assert.fail(`${playbook} on ${host}: kvmplay differs from ansible-playbook (- ansible-playbook, + kvmplay)\n\n${problems.join('\n\n')}`);
  }

  before(async function () {
    const lab = await ensureLab();
    inventory = lab.inventory;
    scratch = scratchDir('jinja-twin');
    const inv = await loadInventory([inventory]);
    for (const name of ['lab02', 'lab03']) hosts.set(name, new SshHost(connectionFor(inv, name), { acceptNewHostKeys: false, agentSocket: '' }));
    for (const name of hosts.keys()) await sh(name, 'rm -rf -- "$1" && mkdir -m 0755 -- "$1"', base);
  });

  after(async () => {
    for (const h of hosts.values()) await h.run(['rm', '-rf', '--', base]).catch(() => undefined);
    await Promise.all([...hosts.values()].map((h) => h.close()));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const host of ['lab02', 'lab03']) {
    it(`twin.yaml on ${host}: --check writes nothing; then the same files, the same task outcomes, and nothing changed the second time`, async () => {
      const { problems, outcomes } = await twin(host, 'twin.yaml');
      // The reference run went the way the fixture means it to (a fact-based when both ways, a skipped item).
      for (const line of ['Only on Debian: changed', 'Only on RedHat: skipped', 'Autostart markers (one item skipped) [db01]: skipped', 'record a restart: changed']) {
        assert.ok(outcomes.includes(line), `ansible-playbook: "${line}" in:\n${outcomes.join('\n')}`);
      }
      report(host, 'twin.yaml', problems);
    });
  }

  it('twin-roles.yaml on lab03: pre_tasks, roles (defaults, vars, parameters, dependencies, handlers, templates/ and files/), import_tasks, include_tasks and import_role, blocks with rescue and always, delegate_to localhost, run_once, post_tasks', async () => {
    const { problems, outcomes } = await twin('lab03', 'twin-roles.yaml');
    for (const line of ['common : Motd from the role\'s templates/: changed', 'webvm : Domain XML for db01: changed', 'common : note common: changed']) {
      assert.ok(outcomes.includes(line), `ansible-playbook: "${line}" in:\n${outcomes.join('\n')}`);
    }
    report('lab03', 'twin-roles.yaml', problems);
  });

  it('twin-dynamic.yaml on lab02: include_tasks and include_role with loops (nested, own loop_var), templated file and role names, apply, vars_prompt, environment, become_user, templated keywords, a block\'s ignore_errors over an import', async () => {
    const { problems, outcomes } = await twin('lab02', 'twin-dynamic.yaml');
    for (const line of ['Disk b of beta: changed', 'Fails but is ignored: failed', 'Never included: skipped']) {
      assert.ok(outcomes.includes(line), `ansible-playbook: "${line}" in:\n${outcomes.join('\n')}`);
    }
    report('lab02', 'twin-dynamic.yaml', problems);
  });

  it('twin-extras.yaml on lab02: template variables, imported macros, % formatting', async () => {
    const { problems } = await twin('lab02', 'twin-extras.yaml');
    report('lab02', 'twin-extras.yaml', problems);
  });
});
