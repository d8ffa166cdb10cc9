// Ansible's asynchronous jobs (`async: N` with `poll: 0`) for command and shell: the
// command runs detached on the host and leaves its result, as JSON, in a job file
// `~/.ansible_async/<jid>` of the user it runs as, where async_status finds it — the
// layout and keys of ansible-core's async_wrapper, so either tool reads the other's
// files. kvmplay drives hosts without Python, so the wrapper is POSIX sh (plus setsid,
// od and awk). Every script is a constant run by `sh -c` with its values as positional
// parameters (remote.ts `script`): no command, path or output is ever parsed as shell
// text. Pure: the argv builders and the readers of what the scripts print.
import { randomInt } from 'node:crypto';
import type { ModuleResult } from '../module.js';
import { script } from '../remote.js';
import { splitLines } from '../../util/text.js';

/** The modules `poll: 0` can start in the background. */
export const BACKGROUND_MODULES: ReadonlySet<string> = new Set(['command', 'shell']);

/** Where job files live, under the home of the user the job runs as (Ansible's default async_dir). */
export const ASYNC_DIR = '.ansible_async';

// Ansible's job ids: "j", a random number below 10^12, ".", a process id (its wrapper's; here kvmplay's).
const JOB_ID = /^j\d{1,12}\.\d+$/;

export function newJobId(pid: number = process.pid): string {
  return `j${randomInt(0, 999_999_999_999)}.${pid}`;
}

export function isJobId(jid: string): boolean {
  return JOB_ID.test(jid);
}

// The job folder of the user the script runs as (sudo -H and su set HOME to the target's).
const JOB_DIR = [
  `[ -n "\${HOME:-}" ] || HOME=$(getent passwd "$(id -u)" | cut -d: -f6)`,
  `[ -n "$HOME" ] || { echo 'no home directory to keep the job file in' >&2; exit 1; }`,
  `dir="$HOME/${ASYNC_DIR}"`,
].join('\n');

// A job file is written whole to a temporary name, then renamed: a reader sees the old
// content or the new, never half. Mode 0600 in a 0700 folder: outputs may hold secrets.
const MAKE_DIR = 'mkdir -p -m 700 -- "$dir" || exit 1';

/**
 * The detached job: $1 job file, $2 jid, $3 seconds allowed, $4 `cmd` as JSON, $5 1 to
 * strip trailing newlines, $6 1 when the launch saved a standard input; then the argv. The
 * command leads a session of its own (setsid), so the watchdog can kill all it started;
 * past the limit it is killed and the result says "Timeout exceeded", as Ansible's.
 */
export const RUNNER_SCRIPT = String.raw`job=$1; jid=$2; limit=$3; cmd=$4; strip=$5; hasin=$6; shift 6
out="$job.out"; err="$job.err"; in=/dev/null
if [ "$hasin" = 1 ]; then in="$job.in"; fi
(umask 077 && : > "$out" && : > "$err") || exit 1
# Bytes to a JSON string: od gives them as hex, awk escapes them (LC_ALL=C: byte by byte).
jstr() {
  LC_ALL=C od -An -v -tx1 -- "$1" | LC_ALL=C awk -v strip="$strip" '
    BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02x", i)] = i; printf "\""; pend = "" }
    { s = ""
      for (i = 1; i <= NF; i++) {
        c = hex[$i]
        if (c == 10) { pend = pend "\\n"; continue }
        if (c == 13) { pend = pend "\\r"; continue }
        s = s pend; pend = ""
        if (c == 34) s = s "\\\""
        else if (c == 92) s = s "\\\\"
        else if (c == 9) s = s "\\t"
        else if (c < 32) s = s sprintf("\\u%04x", c)
        else s = s sprintf("%c", c)
      }
      printf "%s", s }
    END { if (strip != 1) printf "%s", pend; printf "\"" }'
}
# Python's str(datetime) and str(timedelta) from two "date +%s %N %F %T" lines.
jtimes() {
  awk 'function us(n) { return n ~ /^[0-9]+$/ ? int(substr(n "000000", 1, 6)) : 0 }
    NR == 1 { s1 = $1; u1 = us($2); d1 = $3 " " $4 }
    NR == 2 { s2 = $1; u2 = us($2); d2 = $3 " " $4 }
    END { t = (s2 - s1) * 1000000 + u2 - u1; if (t < 0) t = 0
      printf ", \"start\": \"%s.%06d\", \"end\": \"%s.%06d\", \"delta\": \"%d:%02d:%02d.%06d\"", d1, u1, d2, u2,
        int(t / 3600000000), int(t / 60000000) % 60, int(t / 1000000) % 60, t % 1000000 }'
}
t0=$(date '+%s %N %Y-%m-%d %H:%M:%S')
setsid "$@" < "$in" > "$out" 2> "$err" &
pid=$!
( trap 'kill "$s" 2>/dev/null; exit 0' TERM
  sleep "$limit" & s=$!
  wait "$s" && : > "$job.timeout" && kill -KILL -"$pid" "$pid" 2>/dev/null ) &
watch=$!
wait "$pid"; rc=$?
kill "$watch" 2>/dev/null; wait "$watch"
t1=$(date '+%s %N %Y-%m-%d %H:%M:%S')
(
  umask 077
  {
    printf '{"cmd": %s, ' "$cmd"
    if [ -e "$job.timeout" ]; then
      printf '"failed": true, "msg": "Timeout exceeded", "child_pid": %s, ' "$pid"
    elif [ "$rc" -ne 0 ]; then
      printf '"changed": true, "failed": true, "msg": "non-zero return code", "rc": %s, ' "$rc"
    else
      printf '"changed": true, "msg": "", "rc": 0, '
    fi
    printf '"stdout": '; jstr "$out"; printf ', "stderr": '; jstr "$err"
    printf '%s\n%s\n' "$t0" "$t1" | jtimes
    printf ', "finished": 1, "ansible_job_id": "%s"}\n' "$jid"
  } > "$job.tmp"
) && mv -f -- "$job.tmp" "$job"
rm -f -- "$out" "$err" "$job.in" "$job.timeout"`;

/**
 * Starts the job: $1 the runner script, $2 jid, $3 working folder ('' for the login
 * one), then what the runner takes after the jid (seconds, cmd, strip, stdin flag,
 * argv). Writes the "started" job file, keeps its own standard input as the command's
 * when the stdin flag ($4 here) says so (a long input would not fit in an argument),
 * detaches the runner (setsid, stdin /dev/null, no output: the SSH channel closes at
 * once) and prints the job file's path.
 */
export const LAUNCH_SCRIPT = `runner=$1; jid=$2; chdir=$3; shift 3
${JOB_DIR}
if [ -n "$chdir" ]; then cd -- "$chdir" 2>/dev/null || { printf 'Unable to change directory before execution: %s\\n' "$chdir" >&2; exit 1; }; fi
command -v setsid >/dev/null 2>&1 || { echo 'setsid is needed on the host to run a command in the background (util-linux)' >&2; exit 1; }
${MAKE_DIR}
job="$dir/$jid"
(umask 077 && printf '{"started": 1, "finished": 0, "ansible_job_id": "%s"}\\n' "$jid" > "$job.tmp") && mv -f -- "$job.tmp" "$job" || exit 1
if [ "$4" = 1 ]; then (umask 077 && cat > "$job.in") || exit 1; fi
setsid sh -c "$runner" kvmplay-async "$job" "$jid" "$@" < /dev/null > /dev/null 2>&1 &
printf '%s\\n' "$job"`;

/** Writes a finished job's result ($2, JSON) as job $1 and prints the file's path. */
export const RECORD_SCRIPT = `${JOB_DIR}
${MAKE_DIR}
job="$dir/$1"
(umask 077 && printf '%s\\n' "$2" > "$job.tmp") && mv -f -- "$job.tmp" "$job" && printf '%s\\n' "$job"`;

/** async_status: prints the job file's path, then (mode status) its content or (cleanup) removes it. Exit 3: no such job. */
export const STATUS_SCRIPT = `${JOB_DIR}
job="$dir/$1"
printf '%s\\n' "$job"
[ -e "$job" ] || exit 3
if [ "$2" = cleanup ]; then rm -f -- "$job"; else cat -- "$job"; fi`;

export const NO_JOB_EXIT = 3;

/** A command to start in the background. */
export interface JobLaunch {
  jid: string;
  /** Seconds the command may run (`async`); then it is killed. */
  limitS: number;
  argv: readonly string[];
  /** Ansible's `cmd` in the result: the argv for command, the string for shell. */
  display: string | readonly string[];
  chdir?: string;
  /** The command's whole standard input (else /dev/null): give it to the launch's run() as its stdin. */
  stdin?: string;
  stripEmptyEnds: boolean;
}

export function launchArgv(job: JobLaunch): string[] {
  if (!isJobId(job.jid)) throw new TypeError(`not a job id: ${job.jid}`);
  if (job.argv.length === 0) throw new TypeError('a job needs a command');
  const limit = Math.max(1, Math.ceil(job.limitS));
  return script(LAUNCH_SCRIPT, RUNNER_SCRIPT, job.jid, job.chdir ?? '', String(limit), JSON.stringify(job.display),
    job.stripEmptyEnds ? '1' : '0', job.stdin === undefined ? '0' : '1', ...job.argv);
}

export function recordArgv(jid: string, result: Record<string, unknown>): string[] {
  if (!isJobId(jid)) throw new TypeError(`not a job id: ${jid}`);
  return script(RECORD_SCRIPT, jid, JSON.stringify(result));
}

export function statusArgv(jid: string, mode: 'status' | 'cleanup'): string[] {
  return script(STATUS_SCRIPT, jid, mode);
}

/** The job file's path from what the launch or record script printed; undefined when it printed none. */
export function printedJobFile(stdout: string): string | undefined {
  const path = stdout.split('\n')[0]?.trim() ?? '';
  return path.startsWith('/') ? path : undefined;
}

/**
 * The job file for a result decided without starting anything (check mode, or creates/
 * removes saying the command need not run): the module's result, finished, as
 * async_wrapper writes a module's output.
 */
export function finishedJob(jid: string, r: ModuleResult): Record<string, unknown> {
  return {
    ...r.data,
    changed: r.changed,
    ...(r.failed ? { failed: true } : {}),
    ...(r.skipped ? { skipped: true } : {}),
    msg: r.msg,
    ...(r.rc !== undefined ? { rc: r.rc } : {}),
    ...(r.stdout !== undefined ? { stdout: r.stdout } : {}),
    ...(r.stderr !== undefined ? { stderr: r.stderr } : {}),
    finished: 1,
    ansible_job_id: jid,
  };
}

/** What a `poll: 0` task returns: the job, started (Ansible reports it changed). */
export function startedJob(jid: string, resultsFile: string): ModuleResult {
  return { changed: true, msg: '', data: { started: 1, finished: 0, ansible_job_id: jid, results_file: resultsFile } };
}

/**
 * async_status (mode status) on what the job file holds: null when there is no such
 * file, '' while it is being written. As ansible-core's: a result without `started` is
 * the finished job's (finished: 1); the job's own changed/failed/msg/rc/output become
 * the task's; stdout_lines and stderr_lines are split from the output.
 */
export function jobStatus(jid: string, resultsFile: string, text: string | null): ModuleResult {
  const base = { ansible_job_id: jid, results_file: resultsFile, started: 1, finished: 0 };
  if (text === null) return { changed: false, failed: true, msg: 'could not find job', data: { ...base, finished: 1 } };
  if (text.trim() === '') return { changed: false, msg: '', stdout: '', stderr: '', data: base };
  let job: unknown;
  try {
    job = JSON.parse(text);
  } catch {
    job = undefined;
  }
  if (job === null || typeof job !== 'object' || Array.isArray(job)) {
    return { changed: false, failed: true, msg: `Could not parse job output: ${text}`, data: { ...base, finished: 1 } };
  }
  const data: Record<string, unknown> = { ...base, ...(job as Record<string, unknown>) };
  if (!('started' in job)) Object.assign(data, { finished: 1, ansible_job_id: jid });
  else if (!('finished' in job)) data['finished'] = 0;
  const { changed, failed, skipped, msg, rc, stdout = '', stderr = '', ...rest } = data;
  const out = typeof stdout === 'string' ? stdout : String(stdout);
  const err = typeof stderr === 'string' ? stderr : String(stderr);
  if (!Array.isArray(rest['stdout_lines'])) rest['stdout_lines'] = splitLines(out);
  if (!Array.isArray(rest['stderr_lines'])) rest['stderr_lines'] = splitLines(err);
  return {
    changed: changed === true || changed === 1,
    ...(failed === true || failed === 1 ? { failed: true } : {}),
    ...(skipped === true || skipped === 1 ? { skipped: true } : {}),
    msg: msg === undefined || msg === null ? '' : typeof msg === 'string' ? msg : JSON.stringify(msg),
    ...(typeof rc === 'number' || rc === null ? { rc } : {}),
    stdout: out,
    stderr: err,
    data: rest,
  };
}
