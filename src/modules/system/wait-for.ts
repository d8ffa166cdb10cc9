// `wait_for` (ansible.builtin.wait_for): wait on the host until a TCP port is open or
// closed, a file exists (and a regex matches in it) or is gone, or just for `timeout`
// seconds. As Ansible's module, it runs ON the host — `host: 127.0.0.1` is the host's
// own loopback —, and the whole polling loop is one shell script (WAIT_SCRIPT), run in
// one round trip: a check every `sleep` seconds costs no SSH exchange. Ports are tried
// with bash's /dev/tcp (under `timeout`), else python3; `search_regex` is Python's `re`
// (MULTILINE, on bytes) as in Ansible, so it needs python3 on the host. Never changed;
// in check mode it is skipped, as Ansible's module, which does not support check mode.
// `state: drained` (and its exclude_hosts, active_connection_states) is refused.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { argumentSpec } from '../args.js';
import { NEVER_APPLIED, type NoChange } from '../engine/no-change.js';
import type { ModuleContext, ModuleResult, RunModuleContext } from '../module.js';
import { defineModule, type Module, type Plan, type PlanFailure } from '../runner.js';
import { runOptions, script } from '../remote.js';

/** Ansible's answer in check mode for a module without check-mode support. */
export const CHECK_MODE_SKIP = 'remote module (wait_for) does not support check mode';
// Beyond the script's own deadline (delay + timeout + a last sleep and connect attempt).
const REMOTE_GRACE_MS = 30_000;

/** Ansible's `int` type (check_type_int): a whole number, also as text or as a float with no fraction ("300", 5.0). */
export const ansibleInt = z
  .union([z.number(), z.string()])
  .refine((v) => toWhole(v) !== undefined, { message: 'must be a whole number' })
  .transform((v) => toWhole(v) ?? 0);

function toWhole(v: number | string): number | undefined {
  const n = typeof v === 'number' ? v : /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

const seconds = ansibleInt.refine((n) => n >= 0, { message: 'must not be negative' });
const STATES = ['started', 'present', 'stopped', 'absent', 'drained'] as const;
const NOT_SUPPORTED = 'is not supported by kvmplay\'s wait_for (it counts active connections for state=drained, which kvmplay does not support)';

export const WaitForArgs = argumentSpec({
  host: z.string().min(1).default('127.0.0.1'),
  port: ansibleInt.refine((n) => n >= 1 && n <= 65535, { message: 'must be a TCP port (1-65535)' }).optional(),
  path: z.string().min(1).optional(),
  search_regex: z.string().optional(),
  state: z.enum(STATES).default('started'),
  delay: seconds.default(0),
  timeout: seconds.default(300),
  sleep: seconds.default(1),
  connect_timeout: seconds.default(5),
  msg: z.string().optional(),
  exclude_hosts: z.unknown().optional(),
  active_connection_states: z.unknown().optional(),
}).superRefine((a, ctx) => {
  const refuse = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
  // Ansible's own messages where it refuses the same combinations.
  if (a.port !== undefined && a.path !== undefined) refuse('path', 'port and path parameter can not both be passed to wait_for');
  if (a.path !== undefined && a.state === 'stopped') refuse('state', 'state=stopped should only be used for checking a port in the wait_for module');
  if (a.state === 'drained') refuse('state', 'state=drained is not supported by kvmplay\'s wait_for (Ansible counts the active connections with psutil or /proc/net/tcp)');
  if (a.exclude_hosts !== undefined) refuse('exclude_hosts', `exclude_hosts ${NOT_SUPPORTED}`);
  if (a.active_connection_states !== undefined) refuse('active_connection_states', `active_connection_states ${NOT_SUPPORTED}`);
});
export type WaitForArgs = z.output<typeof WaitForArgs>;

/** What the script waits for. */
export type WaitMode = 'sleep' | 'port-open' | 'port-closed' | 'path-present' | 'path-absent';

export function waitMode(a: Pick<WaitForArgs, 'port' | 'path' | 'state'>): WaitMode {
  const gone = a.state === 'stopped' || a.state === 'absent';
  if (a.port !== undefined) return gone ? 'port-closed' : 'port-open';
  if (a.path !== undefined) return gone ? 'path-absent' : 'path-present';
  return 'sleep';
}

// Positional parameters: mode host port path has-regex regex delay timeout sleep
// connect-timeout. Time is kept in centiseconds (/proc/uptime; `date +%s` elsewhere).
// Ansible's deadline starts before the delay; a check runs, then `sleep`, until then.
// The last lines say how it ended: `elapsed N`, `result ok|timeout|failed|error`,
// `error TEXT` (failed: the condition cannot be met; error: the wait cannot run),
// `groups JSON` (the file regex's groups). PY has no single quote: it lives in '…'.
export const WAIT_SCRIPT = `set -u
mode=$1 host=$2 port=$3 path=$4 hasre=$5 re=$6 delay=$7 timeout=$8 sleep=$9 ct=\${10}
case $path in "~"|"~/"*) path=$HOME\${path#"~"} ;; esac
py='
import json, os, re, select, socket, sys, time
op = sys.argv[1]
if op == "re":
    try:
        re.compile(os.fsencode(sys.argv[2]), re.M)
    except re.error as e:
        print("Invalid regular expression: %s" % e)
        sys.exit(1)
elif op == "file":
    try:
        with open(os.fsencode(sys.argv[3]), "rb") as f:
            m = re.compile(os.fsencode(sys.argv[2]), re.M).search(f.read())
    except OSError:
        sys.exit(1)
    if not m:
        sys.exit(1)
    text = lambda b: None if b is None else b.decode("utf-8", "replace")
    print("groups " + json.dumps({"groups": [text(g) for g in m.groups()],
                                  "groupdict": {k: text(v) for k, v in m.groupdict().items()}}))
elif op == "connect":
    try:
        s = socket.create_connection((sys.argv[2], int(sys.argv[3])), float(sys.argv[4]))
    except Exception:
        sys.exit(1)
    found = len(sys.argv) < 6
    if not found:
        r = re.compile(os.fsencode(sys.argv[5]), re.M)
        end = time.time() + float(sys.argv[6])
        data = b""
        while not found and time.time() < end:
            if not select.select([s], [], [], max(0, end - time.time()))[0]:
                continue
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
            found = r.search(data) is not None
    s.close()
    sys.exit(0 if found else 1)
'
now() {
  if [ -r /proc/uptime ]; then IFS=' .' read -r s c _ </proc/uptime; echo $((s * 100 + 1$c - 100))
  else echo $(($(date +%s) * 100)); fi
}
start=$(now)
end=$((start + timeout * 100))
finish() { printf '%s\\n' "elapsed $((($(now) - start) / 100))" "result $1"; [ $# -lt 2 ] || printf 'error %s\\n' "$2"; exit 0; }
has() { command -v "$1" >/dev/null 2>&1; }
if [ "$hasre" = 1 ]; then
  has python3 || finish error "search_regex needs python3 on the host (the regex is Python's, as in Ansible)"
  why=$(python3 -c "$py" re "$re") || finish error "$why"
fi
use_bash=
case $mode in port-*)
  if has bash && has timeout; then use_bash=1
  elif ! has python3; then finish error "checking a port needs bash and timeout, or python3, on the host"; fi ;;
esac
# Seconds left before the deadline, at least 1; at most $1.
left() { t=$(((end - $(now) + 99) / 100)); [ "$t" -le "$1" ] || t=$1; [ "$t" -ge 1 ] || t=1; echo "$t"; }
connects() {
  if [ -n "$use_bash" ]; then timeout "$1" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
  else python3 -c "$py" connect "$host" "$port" "$1"; fi
}
met() {
  case $mode in
  port-open)
    if [ "$hasre" = 1 ]; then python3 -c "$py" connect "$host" "$port" "$(left "$ct")" "$re" "$(left "$timeout")"
    else connects "$(left "$ct")"; fi ;;
  port-closed) ! connects "$(left "$ct")" ;;
  path-absent) ! [ -e "$path" ] ;;
  path-present)
    if ! [ -e "$path" ]; then
      # Gone is "not yet"; any other reason the path cannot be looked at fails, as in Ansible.
      why=$(LC_ALL=C ls -dL -- "$path" 2>&1 >/dev/null) || case $why in
        *"No such file or directory") return 1 ;;
        *) finish failed "Failed to stat $path, \${why##*: }" ;;
      esac
    fi
    [ "$hasre" = 1 ] || return 0
    python3 -c "$py" file "$re" "$path" ;;
  esac
}
[ "$delay" -le 0 ] || sleep "$delay"
if [ "$mode" = sleep ]; then sleep "$timeout"; finish ok; fi
while [ "$(now)" -lt "$end" ]; do
  if met; then finish ok; fi
  sleep "$sleep"
done
finish timeout
`;

/** The argv that runs WAIT_SCRIPT on the host for these arguments. */
export function waitArgv(a: WaitForArgs): string[] {
  return script(WAIT_SCRIPT, waitMode(a), a.host, String(a.port ?? ''), a.path ?? '', a.search_regex === undefined ? '0' : '1', a.search_regex ?? '',
    String(a.delay), String(a.timeout), String(a.sleep), String(a.connect_timeout));
}

/** How the wait ended, from the script's last lines. */
export type WaitOutcome =
  | { kind: 'ok'; elapsed: number; groups: unknown[]; groupdict: Record<string, unknown> }
  | { kind: 'timeout'; elapsed: number }
  | { kind: 'failed' | 'error'; elapsed: number; text: string };

const GroupsLine = z.object({ groups: z.array(z.unknown()), groupdict: z.record(z.string(), z.unknown()) });

/** A wait script's `KEY VALUE` lines by key (the last of a key wins). */
export function keyedLines(stdout: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) lines.set(line.slice(0, space), line.slice(space + 1));
  }
  return lines;
}

export function parseWaitOutput(stdout: string): WaitOutcome | undefined {
  const lines = keyedLines(stdout);
  const elapsed = Number(lines.get('elapsed'));
  if (!Number.isInteger(elapsed)) return undefined;
  const result = lines.get('result');
  if (result === 'timeout') return { kind: 'timeout', elapsed };
  if (result === 'failed' || result === 'error') return { kind: result, elapsed, text: lines.get('error') ?? 'the wait failed' };
  if (result !== 'ok') return undefined;
  const groups = lines.has('groups') ? GroupsLine.safeParse(JSON.parse(lines.get('groups') ?? '')) : undefined;
  return { kind: 'ok', elapsed, groups: groups?.data?.groups ?? [], groupdict: groups?.data?.groupdict ?? {} };
}

/** Run the wait on the host: one command, ended a little after the script's own deadline. */
export async function waitOnHost(host: Host, a: WaitForArgs, ctx: ModuleContext): Promise<WaitOutcome> {
  const budgetMs = (a.delay + a.timeout + a.sleep + a.connect_timeout) * 1000 + REMOTE_GRACE_MS;
  const timeoutMs = Math.min(budgetMs, ctx.timeoutMs ?? budgetMs);
  const r = await host.run(waitArgv(a), runOptions(ctx, { timeoutMs }));
  if (r.timedOut) throw new TaskError(ctx.hostName, `wait_for: the wait on the host did not end within ${Math.round(timeoutMs / 1000)} s and was ended`, { rc: r.rc, stderr: r.stderr });
  const outcome = r.rc === 0 ? parseWaitOutput(r.stdout) : undefined;
  if (!outcome) {
    const why = r.stderr.trim() || r.stdout.trim();
    throw new TaskError(ctx.hostName, `wait_for: the wait script failed (rc=${r.rc ?? r.signal ?? 'none'})${why ? `: ${why}` : ''}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  }
  return outcome;
}

/** Ansible's failure message when the wait ran out of time. */
export function timeoutMessage(a: WaitForArgs): string {
  const where = `${a.host}:${a.port ?? ''}`;
  switch (waitMode(a)) {
    case 'port-open': return a.search_regex !== undefined ? `Timeout when waiting for search string ${a.search_regex} in ${where}` : `Timeout when waiting for ${where}`;
    case 'port-closed': return `Timeout when waiting for ${where} to stop.`;
    case 'path-present': return a.search_regex !== undefined ? `Timeout when waiting for search string ${a.search_regex} in ${a.path}` : `Timeout when waiting for file ${a.path}`;
    case 'path-absent': return `Timeout when waiting for ${a.path} to be absent.`;
    case 'sleep': return `Timeout after ${a.timeout} s`;
  }
}

function waitedFor(a: WaitForArgs): string {
  const where = `${a.host}:${a.port ?? ''}`;
  const found = (inside: string): string => `search string ${a.search_regex ?? ''} found in ${inside}`;
  switch (waitMode(a)) {
    case 'port-open': return a.search_regex !== undefined ? found(where) : `${where} is open`;
    case 'port-closed': return `${where} is closed`;
    case 'path-present': return a.search_regex !== undefined ? found(a.path ?? '') : `file ${a.path} exists`;
    case 'path-absent': return `${a.path} is absent`;
    case 'sleep': return `waited ${a.timeout} s`;
  }
}

/** Pure: how the wait ended → Ansible's result (the keys of its exit_json, or its failure). */
export function planWaitFor(a: WaitForArgs, o: WaitOutcome): Plan<NoChange> | PlanFailure {
  switch (o.kind) {
    case 'timeout': return { fail: a.msg ?? timeoutMessage(a), data: { elapsed: o.elapsed } };
    case 'failed': return { fail: a.msg ?? o.text, data: { elapsed: o.elapsed } };
    case 'error': return { fail: o.text, data: { elapsed: o.elapsed } };
    case 'ok': return {
      changes: [],
      okMsg: `${waitedFor(a)} (elapsed ${o.elapsed} s)`,
      data: {
        state: a.state,
        port: a.port ?? null,
        search_regex: a.search_regex ?? null,
        match_groups: o.groups,
        match_groupdict: o.groupdict,
        path: a.path ?? null,
        elapsed: o.elapsed,
      },
    };
  }
}

const waitLifecycle = defineModule({
  names: ['wait_for'],
  args: WaitForArgs,
  gather: waitOnHost,
  plan: planWaitFor,
  ...NEVER_APPLIED,
});

/** Skipped in check mode (Ansible's module has no check-mode support); otherwise the lifecycle above. */
export const waitForModule: Module = {
  ...waitLifecycle,
  run: (host, parsedArgs, ctx: RunModuleContext): Promise<ModuleResult> =>
    ctx.check ? Promise.resolve({ changed: false, skipped: true, msg: CHECK_MODE_SKIP }) : waitLifecycle.run(host, parsedArgs, ctx),
};
