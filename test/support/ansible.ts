// Run the real `ansible-playbook` (Debian's ansible-core package) against the lab, for
// tests that compare kvmplay with Ansible. Everything Ansible would read from or write
// to a config file or the home folder is given by ANSIBLE_* variables pointing into a
// scratch folder: an empty ansible.cfg (a stray /etc/ansible/ansible.cfg or ./ansible.cfg
// is not read), local temp, SSH control sockets, ~/.ansible. Host keys stay strict (the
// lab inventory passes `-o UserKnownHostsFile=… -o StrictHostKeyChecking=yes`).
// A missing ansible-playbook is an error, never a skip: the tests that use this need it.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AnsibleResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface AnsiblePlaybookOptions {
  /** A local folder this run may write in (created if missing): config, temp, control sockets. */
  scratch: string;
  /** ANSIBLE_REMOTE_TEMP: where modules are copied on the hosts (default Ansible's ~/.ansible/tmp). */
  remoteTemp?: string;
  /** ANSIBLE_STDOUT_CALLBACK (default `json`: one JSON document on standard output). */
  callback?: string;
  /** Working directory (default the scratch folder). */
  cwd?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** The ANSIBLE_* environment that makes a run independent of any config file. */
export function ansibleEnv(opts: Pick<AnsiblePlaybookOptions, 'scratch' | 'remoteTemp' | 'callback'>): NodeJS.ProcessEnv {
  const dir = (name: string): string => {
    const path = join(opts.scratch, name);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  };
  const config = join(dir('.'), 'ansible.cfg');
  writeFileSync(config, '[defaults]\n');
  return {
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: dir('home'),
    ANSIBLE_LOCAL_TEMP: dir('local-tmp'),
    ...(opts.remoteTemp !== undefined ? { ANSIBLE_REMOTE_TEMP: opts.remoteTemp } : {}),
    ANSIBLE_SSH_CONTROL_PATH_DIR: dir('cp'),
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_STDOUT_CALLBACK: opts.callback ?? 'json',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_GATHERING: 'implicit',
    ANSIBLE_JINJA2_NATIVE: 'False',
  };
}

/** `ansible-playbook ARGS` with ansibleEnv(); rejects only when the program cannot be started. */
export function ansiblePlaybook(args: string[], opts: AnsiblePlaybookOptions): Promise<AnsibleResult> {
  const started = Date.now();
  // A parent's ANSIBLE_* settings must not leak in (ANSIBLE_VAULT_PASSWORD_FILE, ANSIBLE_ROLES_PATH, …).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ANSIBLE_')));
  const env: NodeJS.ProcessEnv = { ...inherited, ...ansibleEnv(opts), ...opts.env };
  return new Promise((resolvePromise, reject) => {
    const child = spawn('ansible-playbook', args, { cwd: opts.cwd ?? opts.scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`ansible-playbook could not be started (${err.message}): this test needs Ansible (Debian package "ansible-core" or "ansible")`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** One task's outcome on one host in Ansible's `json` callback output. */
export interface AnsibleTaskHost {
  play: string;
  task: string;
  host: string;
  status: 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';
  /** Loops: each item's label and status. */
  items?: { label: string; status: 'ok' | 'changed' | 'skipped' | 'failed' }[];
  result: Record<string, unknown>;
}

export interface AnsibleJson {
  plays: {
    play: { name: string };
    tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[];
  }[];
  stats: Record<string, { ok: number; changed: number; failures: number; skipped: number; unreachable: number; ignored: number; rescued: number }>;
}

/** A loop item's label as text: a string as it is, anything else as JSON. */
function labelText(label: unknown): string {
  return typeof label === 'string' ? label : JSON.stringify(label);
}

function statusOfResult(r: Record<string, unknown>): AnsibleTaskHost['status'] {
  if (r['unreachable']) return 'unreachable';
  if (r['failed']) return 'failed';
  if (r['skipped']) return 'skipped';
  return r['changed'] ? 'changed' : 'ok';
}

/** Every task result of a `json` callback run, in order (plays, then tasks, then hosts). */
export function ansibleTaskResults(out: AnsibleJson): AnsibleTaskHost[] {
  const rows: AnsibleTaskHost[] = [];
  for (const play of out.plays) {
    for (const t of play.tasks) {
      for (const [host, result] of Object.entries(t.hosts)) {
        const row: AnsibleTaskHost = { play: play.play.name, task: t.task.name, host, status: statusOfResult(result), result };
        const results = result['results'];
        if (Array.isArray(results)) {
          row.items = (results as Record<string, unknown>[]).map((r) => ({
            label: labelText(r['_ansible_item_label'] ?? r['item']),
            status: statusOfResult(r) as 'ok' | 'changed' | 'skipped' | 'failed',
          }));
        }
        rows.push(row);
      }
    }
  }
  return rows;
}

/** Ansible's json callback output (standard output is one JSON document; warnings go to stderr). */
export function parseAnsibleJson(stdout: string): AnsibleJson {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`no JSON in ansible-playbook's output:\n${stdout}`);
  return JSON.parse(stdout.slice(start)) as AnsibleJson;
}
