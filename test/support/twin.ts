// Differential tests against Ansible: the same playbook run by `ansible-playbook` and by
// kvmplay on lab hosts, compared task by task and by the state each leaves behind.
// `TwinLab.twin()` is the whole protocol:
//   1. kvmplay --check on the kvmplay host: the state must not move;
//   2. the playbook with both tools (at the same time when the hosts differ), each
//      under its own root (-e root=…): the same status for every task and loop item,
//      and the same state (`state(host, root)`, a text the test computes over SSH);
//   3. both tools a second time: the same statuses again, kvmplay changes nothing, and
//      the states still agree.
// Every difference is collected; the test asserts the list is empty, so a failure
// shows all of them with diffs. Ansible must be installed: a missing one fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import { ansiblePlaybook, ansibleTaskResults, parseAnsibleJson, type AnsibleResult } from './ansible.js';
import { type CliResult, explain, kvmplay, lastJsonLine } from './cli.js';
import { ensureLab, type Lab } from './lab-fixture.js';

interface TaskEvent { event: string; host: string; task: string; status: string; items?: { item: string; status: string }[] }
interface RecapJson { hosts: Record<string, { changed: number } | undefined> }

export interface TwinOptions {
  /** Absolute path of the playbook (it may use `root`, a fresh folder per tool). */
  playbook: string;
  ansibleHost: string;
  kvmplayHost: string;
  /** What the test compares of a host after a run: any text (a file tree, dpkg-query, getent…). */
  state: (host: string, root: string) => Promise<string>;
  /** More -e values for both tools. */
  extraVars?: Record<string, string>;
  /** More arguments for both tools (e.g. --diff, --tags). */
  args?: string[];
  /** Skip the --check step (for playbooks whose later tasks need what check mode cannot know). */
  noCheck?: boolean;
}

export interface TwinResult {
  problems: string[];
  /** `task: status` lines of ansible-playbook's first run, for the test's own assertions. */
  outcomes: string[];
  ansible: AnsibleResult;
  kvmplay: CliResult;
}

/** `- ansible-playbook / + kvmplay` diff of two texts (empty when equal). */
export function textDiff(what: string, want: string, got: string): string {
  return want === got ? '' : createTwoFilesPatch(`ansible-playbook: ${what}`, `kvmplay: ${what}`, want, got, undefined, undefined, { context: 2 })
    .split('\n').filter((l) => !/^=+$/.test(l)).join('\n');
}

/** One line per task and per loop item of kvmplay's --json events for `host`. */
export function kvmplayOutcomes(stdout: string, host: string): string[] {
  const lines = stdout.trimEnd().split('\n');
  const events = lines.slice(0, -1).map((l) => JSON.parse(l) as TaskEvent);
  return events.filter((e) => e.event === 'task' && e.host === host).flatMap((e) => [
    `${e.task}: ${e.status}`,
    ...(e.items ?? []).map((i) => `${e.task} [${i.item}]: ${i.status}`),
  ]);
}

/** The same lines from ansible-playbook's json callback (`items: false`: the tasks' lines only). */
export function ansibleOutcomes(stdout: string, host: string, opts: { items?: boolean } = {}): string[] {
  return ansibleTaskResults(parseAnsibleJson(stdout)).filter((r) => r.host === host).flatMap((r) => [
    `${r.task}: ${r.status}`,
    ...(opts.items === false ? [] : (r.items ?? []).map((i) => `${r.task} [${i.label}]: ${i.status}`)),
  ]);
}

const lines = (l: string[]): string => l.map((x) => `${x}\n`).join('');

export class TwinLab {
  private readonly hosts = new Map<string, SshHost>();
  private roots = 0;

  private constructor(readonly lab: Lab, readonly scratch: string, readonly base: string) {}

  /** The shared lab, a connection to each of its hosts, and a scratch folder; `base` is where roots go on the hosts. */
  static async open(name: string): Promise<TwinLab> {
    const lab = await ensureLab();
    const twin = new TwinLab(lab, mkdtempSync(join(tmpdir(), `kvmplay-twin-${name}-`)), `/srv/kvmplay-twin-${name}-${process.pid}`);
    const inv = await loadInventory([lab.inventory]);
    for (const h of lab.hosts) twin.hosts.set(h.name, new SshHost(connectionFor(inv, h.name), { acceptNewHostKeys: false, agentSocket: '' }));
    await Promise.all([...twin.hosts.keys()].map((h) => twin.sh(h, 'mkdir -p -m 0755 -- "$1"', twin.base)));
    return twin;
  }

  host(name: string): SshHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h;
  }

  /** Run `sh -c script sh args…` on `host` as root; a non-zero exit throws with its stderr. */
  async sh(host: string, script: string, ...args: string[]): Promise<string> {
    const r = await this.host(host).run(['sh', '-c', script, 'sh', ...args], { timeoutMs: 120_000 });
    if (r.rc !== 0) throw new Error(`${host}: ${script}: rc=${r.rc}: ${r.stderr}`);
    return r.stdout;
  }

  /** Every entry under `root`, a line each: path, type, mode, owner:group, sha256 or link target. Empty when `root` does not exist. */
  async fileTree(host: string, root: string): Promise<string> {
    const out = await this.sh(host, `[ -e "$1" ] || exit 0; cd "$1" && find . -mindepth 1 -printf '%P\\0%y\\0%m\\0%u:%g\\0%l\\0' && printf '\\1' &&
      find . -type f -printf '%P\\0' | xargs -0r sha256sum -z --`, root);
    const [listing = '', sums = ''] = out.split('\x01');
    const digests = new Map<string, string>();
    for (const rec of sums.split('\0').filter(Boolean)) digests.set(rec.slice(66), rec.slice(0, 64));
    const fields = listing.split('\0');
    const entries: string[] = [];
    for (let i = 0; i + 4 < fields.length; i += 5) {
      const [path = '', type = '', mode = '', owner = '', target = ''] = fields.slice(i, i + 5);
      const what = type === 'f' ? `sha256:${digests.get(path) ?? '?'}` : type === 'l' ? `-> ${target}` : '';
      entries.push(`${path}  ${type} ${mode} ${owner} ${what}`.trimEnd());
    }
    return lines(entries.sort());
  }

  /** A file's content on a host (empty when missing). */
  async read(host: string, path: string): Promise<string> {
    return (await this.host(host).readFile(path))?.toString('utf8') ?? '';
  }

  /** The protocol of this file's header; `problems` is empty when kvmplay did what Ansible did. */
  async twin(o: TwinOptions): Promise<TwinResult> {
    const n = ++this.roots;
    const aRoot = `${this.base}/${n}-ansible`;
    const kRoot = `${this.base}/${n}-kvmplay`;
    const extra = (root: string): string[] => ['-e', `root=${root}`, ...Object.entries(o.extraVars ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`])];
    const kvmplayRun = (...more: string[]): Promise<CliResult> =>
      kvmplay(['run', o.playbook, '-i', this.lab.inventory, '--limit', o.kvmplayHost, ...extra(kRoot), ...(o.args ?? []), '--json', ...more], { timeoutMs: 600_000 });
    const ansibleRun = (): Promise<AnsibleResult> =>
      ansiblePlaybook(['-i', this.lab.inventory, '--limit', o.ansibleHost, ...extra(aRoot), ...(o.args ?? []), o.playbook], {
        scratch: join(this.scratch, `${n}`), remoteTemp: `${this.base}/${n}-ansible-tmp`, timeoutMs: 600_000,
      });
    const problems: string[] = [];
    // Ansible's remote temp folder, made as /tmp is (1777) before Ansible runs: a module
    // running as an unprivileged become user (nobody, bin) makes its own temp folder in
    // it, and fails when a task run as root made it first (mode 0700), as Ansible warns.
    await this.sh(o.ansibleHost, 'mkdir -p -- "$1" && chmod 1777 -- "$1"', `${this.base}/${n}-ansible-tmp`);

    if (!o.noCheck) {
      const before = await o.state(o.kvmplayHost, kRoot);
      await kvmplayRun('--check');
      const moved = textDiff(`state of ${o.kvmplayHost} after kvmplay --check`, before, await o.state(o.kvmplayHost, kRoot));
      if (moved) problems.push(`kvmplay --check changed the host:\n${moved}`);
    }

    const [a, k] = o.ansibleHost === o.kvmplayHost
      ? await Promise.all([ansibleRun(), kvmplayRun()])
      : [await ansibleRun(), await kvmplayRun()];
    const outcomes = ansibleOutcomes(a.stdout, o.ansibleHost);
    if (a.code !== 0 && a.code !== 2) problems.push(`ansible-playbook failed (exit ${a.code}):\n${a.stdout.slice(-6000)}\n${a.stderr.slice(-3000)}`);
    if (k.code !== 0 && k.code !== 2) return { problems: [...problems, `kvmplay failed: ${explain(k, { tail: true })}`], outcomes, ansible: a, kvmplay: k };
    if (a.code !== k.code) problems.push(`exit codes differ: ansible-playbook ${a.code}, kvmplay ${k.code}`);
    const first = textDiff('task outcomes, first run', lines(outcomes), lines(kvmplayOutcomes(k.stdout, o.kvmplayHost)));
    if (first) problems.push(`the first run's task outcomes differ:\n${first}`);
    const kState = await o.state(o.kvmplayHost, kRoot);
    const state = textDiff('state after the first run', await o.state(o.ansibleHost, aRoot), kState);
    if (state) problems.push(`the states differ after the first run:\n${state}`);

    const [a2, k2] = o.ansibleHost === o.kvmplayHost
      ? await Promise.all([ansibleRun(), kvmplayRun()])
      : [await ansibleRun(), await kvmplayRun()];
    if (k2.code !== 0 && k2.code !== 2) return { problems: [...problems, `kvmplay's second run failed: ${explain(k2, { tail: true })}`], outcomes, ansible: a, kvmplay: k };
    const second = textDiff('task outcomes, second run', lines(ansibleOutcomes(a2.stdout, o.ansibleHost)), lines(kvmplayOutcomes(k2.stdout, o.kvmplayHost)));
    if (second) problems.push(`the second run's task outcomes differ:\n${second}`);
    {
      const changed = lastJsonLine<RecapJson>(k2.stdout).hosts[o.kvmplayHost]?.changed;
      const ansibleChanged = ansibleOutcomes(a2.stdout, o.ansibleHost, { items: false }).filter((l) => / changed$/.test(l)).length;
      if (changed !== ansibleChanged && changed !== 0) problems.push(`the second kvmplay run changed ${changed} task(s) (ansible-playbook: ${ansibleChanged})`);
    }
    const moved = textDiff(`state of ${o.kvmplayHost} after the second kvmplay run`, kState, await o.state(o.kvmplayHost, kRoot));
    if (moved) problems.push(`the second kvmplay run changed the host:\n${moved}`);
    return { problems, outcomes, ansible: a, kvmplay: k };
  }

  /** Remove the roots on every host, close the connections and the scratch folder. */
  async close(): Promise<void> {
    for (const h of this.hosts.values()) await h.run(['rm', '-rf', '--', this.base]).catch(() => undefined);
    await Promise.all([...this.hosts.values()].map((h) => h.close()));
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
