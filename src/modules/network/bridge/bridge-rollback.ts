// The `bridge` module's safe apply, host side (SPEC 6): generated shell scripts, pure
// so their quoting is unit tested. Everything lives in one state directory per apply:
//
//   save.sh       copies the files about to change to orig.N (absent: no copy)
//   new.N         the new content of file N
//   apply.sh      makes the live change with the OLD persistent files in place (only
//                 files the change is made from — NetworkManager keyfiles — are
//                 written, to volatile copies under /run that a reboot forgets); on
//                 any error runs rollback.sh
//   commit.sh     run by the disarm, after the new connection proved the change:
//                 writes the persistent files (a reboot before it keeps the old ones)
//   rollback.sh   puts files, links, addresses and routes back as they were
//   armed         the token: whoever renames it first wins — the rollback
//                 (armed → firing → rolled-back) or kvmplay's disarm (armed →
//                 committing → disarmed; if commit.sh fails, committing → firing:
//                 the rollback undoes the live change too, detached)
//
// ARM_SCRIPT (constant, values as $1…) stages the files, saves the old ones, arms
// the rollback detached from the SSH session — a transient systemd timer where
// systemd is PID 1 (`systemd-run --on-active`), else a `setsid` sleeper whose pid
// is recorded — and starts apply.sh detached the same way, so neither a dropped
// SSH session nor a killed kvmplay stops them. apply.sh waits a moment first: the
// reply to the arming command travels back over the old path before it changes.
import { quoteShellCommand, quoteShellWord } from '../../../util/shell-quote.js';

export type RollbackMethod = 'systemd' | 'setsid';

export interface ManagedFile {
  path: string;
  content: string;
  mode: number;
  /**
   * Where the live change reads the file from before it is proven (a volatile copy,
   * e.g. NetworkManager's /run keyfiles); absent: the change does not need the file.
   */
  livePath?: string;
}

export interface SafeApply {
  /** The state directory on the host. */
  dir: string;
  bridge: string;
  method: RollbackMethod;
  /** systemd unit name (without .timer/.service); also names nothing on setsid hosts. */
  unit: string;
  timeoutS: number;
  /** Files written at the disarm (and restored by the rollback). */
  files: ManagedFile[];
  /** Full argvs of the live change (`ip …`, `nmcli …`), in order. */
  apply: string[][];
  /** Full argvs putting the live state back; every one is tried (errors ignored). */
  restore: string[][];
  /** Full argvs run after the persistent files are written at the disarm (`nmcli connection reload`). */
  commit: string[][];
  /** What the rollback restores, for the report (one line per item). */
  restoredLive: string[];
}

export const STATE_ROOT = '/var/lib/kvmplay/bridge';

// How long apply.sh waits before touching anything: the arming command's reply must
// reach kvmplay over the old path first.
export const APPLY_DELAY_S = 0.5;

/** A unit/dir-safe tag: bridge names may hold dots. */
export function stateTag(bridge: string, nonce: string): string {
  return `${bridge.replace(/[^A-Za-z0-9_-]/g, '_')}-${nonce}`;
}

const q = quoteShellWord;

// ip, bridge and sysctl-style tools live in sbin, which a non-root login (become)
// or a systemd unit's PATH may lack.
export const PATH_LINE = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH';
const mode = (m: number): string => m.toString(8).padStart(4, '0');

/** A dot-named temp file beside `path`: `interfaces.d/*` and `ifcfg-*` globs never match it. */
export function tempBeside(path: string, tag: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.kvmplay-${tag}`;
}

/** save.sh: copy every file about to change (keeping mode and owner); a missing one stays missing. */
export function saveScript(s: SafeApply): string {
  const lines = ['#!/bin/sh', `# kvmplay bridge ${s.bridge}: the files as they were before the change.`, 'set -e', `d=${q(s.dir)}`];
  s.files.forEach((f, i) => lines.push(`if [ -e ${q(f.path)} ]; then cp -p -- ${q(f.path)} "$d/orig.${i}"; fi`));
  return `${lines.join('\n')}\n`;
}

/** rollback.sh: restore files, then links, addresses and routes. Runs once. */
export function rollbackScript(s: SafeApply): string {
  const lines = [
    '#!/bin/sh',
    `# kvmplay bridge ${s.bridge}: put the network back as it was before the change.`,
    '# Runs once: it and the disarm race to rename "armed"; the loser does nothing.',
    `d=${q(s.dir)}`,
    // from-commit: the disarm won, then writing the files failed; it hands over its token.
    'if [ "$1" = from-commit ]; then mv -- "$d/committing" "$d/firing" 2>/dev/null || exit 0; else mv -- "$d/armed" "$d/firing" 2>/dev/null || exit 0; fi',
    PATH_LINE,
    'exec >>"$d/rollback.log" 2>&1 </dev/null',
    "trap '' HUP PIPE",
    // ...and its reply goes back over the current path before the path changes.
    `if [ "$1" = from-commit ]; then sleep ${APPLY_DELAY_S}; fi`,
    'echo "rollback started at uptime $(cut -d" " -f1 /proc/uptime)"',
    // apply.sh may still be running (hung, or slower than the deadline): stop it first.
    // Not when apply.sh itself called us: we are in its process group.
    'if [ "$1" != from-apply ] && [ -s "$d/apply.pid" ]; then kill -TERM "-$(cat "$d/apply.pid")" 2>/dev/null || kill -TERM "$(cat "$d/apply.pid")" 2>/dev/null; fi',
    ': > "$d/restored"',
  ];
  // Only what was written: a volatile copy (live.N, by apply.sh), the file itself (wrote.N, by commit.sh).
  s.files.forEach((f, i) => {
    const tmp = q(tempBeside(f.path, 'rollback'));
    if (f.livePath !== undefined) {
      lines.push(`if [ -e "$d/live.${i}" ] && [ -e ${q(f.livePath)} ]; then rm -f -- ${q(f.livePath)} && echo ${q(`removed ${f.livePath}`)} >> "$d/restored"; fi`);
    }
    lines.push(
      `if [ ! -e "$d/wrote.${i}" ]; then :`,
      `elif [ -e "$d/orig.${i}" ]; then`,
      `  cp -p -- "$d/orig.${i}" ${tmp} && mv -f -- ${tmp} ${q(f.path)} && echo ${q(`restored ${f.path}`)} >> "$d/restored"`,
      `elif [ -e ${q(f.path)} ]; then`,
      `  rm -f -- ${q(f.path)} && echo ${q(`removed ${f.path}`)} >> "$d/restored"`,
      'fi',
    );
  });
  for (const argv of s.restore) lines.push(`${quoteShellCommand(argv)} || :`);
  for (const line of s.restoredLive) lines.push(`echo ${q(line)} >> "$d/restored"`);
  lines.push('mv -f -- "$d/firing" "$d/rolled-back"', 'echo "rollback done at uptime $(cut -d" " -f1 /proc/uptime)"');
  return `${lines.join('\n')}\n`;
}

/** Write file `i` to `path` through a temp beside it; `marker` first, so the rollback knows. */
function writeLine(f: ManagedFile, i: number, path: string, marker: string): string {
  const tmp = q(tempBeside(path, 'new'));
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return `: > "$d/${marker}.${i}" && mkdir -p -- ${q(dir)} && cp -- "$d/new.${i}" ${tmp} && chmod ${mode(f.mode)} ${tmp} && mv -f -- ${tmp} ${q(path)} || fail ${q(`writing ${path}`)}`;
}

/** apply.sh: make the live change (persistent files untouched); on the first error, roll back at once. */
export function applyScript(s: SafeApply): string {
  const lines = [
    '#!/bin/sh',
    `# kvmplay bridge ${s.bridge}: the change. Any failure rolls back at once.`,
    `d=${q(s.dir)}`,
    'echo $$ > "$d/apply.pid"',
    PATH_LINE,
    'exec >>"$d/apply.log" 2>&1 </dev/null',
    "trap '' HUP PIPE",
    `sleep ${APPLY_DELAY_S}`,
    'fail() { echo "failed: $1"; : > "$d/apply-failed"; sh "$d/rollback.sh" from-apply; exit 1; }',
  ];
  s.files.forEach((f, i) => {
    if (f.livePath !== undefined) lines.push(writeLine(f, i, f.livePath, 'live'));
  });
  for (const argv of s.apply) {
    const cmd = quoteShellCommand(argv);
    lines.push(`${cmd} || fail ${q(cmd)}`);
  }
  lines.push('cut -d" " -f1 /proc/uptime > "$d/applied"', 'rm -f -- "$d/apply.pid"', 'echo "applied at uptime $(cat "$d/applied")"');
  return `${lines.join('\n')}\n`;
}

/**
 * commit.sh: the persistent files, then the volatile copies dropped, then the commit
 * commands. Run by the disarm only; exits non-zero at the first error.
 */
export function commitScript(s: SafeApply): string {
  const lines = [
    '#!/bin/sh',
    `# kvmplay bridge ${s.bridge}: the change is proven; make it persistent.`,
    `d=${q(s.dir)}`,
    PATH_LINE,
    'fail() { echo "failed: $1"; exit 1; }',
  ];
  s.files.forEach((f, i) => lines.push(writeLine(f, i, f.path, 'wrote')));
  for (const f of s.files) if (f.livePath !== undefined) lines.push(`rm -f -- ${q(f.livePath)} || fail ${q(`removing ${f.livePath}`)}`);
  for (const argv of s.commit) {
    const cmd = quoteShellCommand(argv);
    lines.push(`${cmd} || fail ${q(cmd)}`);
  }
  lines.push('echo committed');
  return `${lines.join('\n')}\n`;
}

/**
 * Stage the state directory, save the old files, arm the rollback, start apply.sh.
 * $1 dir, $2 method, $3 timeout (s), $4 unit, then NAME BASE64 pairs of files to stage.
 * Prints `armed METHOD` then `started`; exits 3 (staging) or 4 (arming) before
 * anything changed.
 */
export const ARM_SCRIPT = [
  PATH_LINE,
  'd=$1 method=$2 timeout=$3 unit=$4; shift 4',
  'umask 077',
  'mkdir -p -- "${d%/*}" && mkdir -- "$d" || exit 3',
  'while [ $# -ge 2 ]; do printf %s "$2" | base64 -d > "$d/$1" || exit 3; shift 2; done',
  'sh "$d/save.sh" || exit 3',
  ': > "$d/armed"',
  'case $method in',
  'systemd)',
  '  systemd-run --quiet --collect --unit="$unit" --description="kvmplay bridge rollback" --on-active="$timeout" --timer-property=AccuracySec=100ms /bin/sh "$d/rollback.sh" || { rm -f -- "$d/armed"; exit 4; }',
  '  echo "armed systemd $unit.timer"',
  // logind may end a session's processes when it closes: the apply runs as a unit too.
  '  systemd-run --quiet --collect --unit="$unit-apply" --description="kvmplay bridge apply" /bin/sh "$d/apply.sh" || { sh "$d/rollback.sh" from-apply; exit 4; }',
  '  ;;',
  'setsid)',
  // The sleeper leads its own session and process group; the disarm kills the group.
  '  setsid sh -c \'echo $$ > "$1/sleeper.pid"; sleep "$2"; exec sh "$1/rollback.sh"\' kvmplay-rollback "$d" "$timeout" </dev/null >/dev/null 2>&1 &',
  '  i=0; while [ ! -s "$d/sleeper.pid" ]; do i=$((i+1)); if [ $i -gt 50 ]; then rm -f -- "$d/armed"; exit 4; fi; sleep 0.1; done',
  '  echo "armed setsid pid $(cat "$d/sleeper.pid")"',
  '  setsid sh "$d/apply.sh" </dev/null >/dev/null 2>&1 &',
  '  ;;',
  '*) rm -f -- "$d/armed"; exit 4 ;;',
  'esac',
  'echo started',
].join('\n');

/**
 * Where an apply stands. $1 dir. Prints `UPTIME TOKEN APPLIED FAILED`, a `--` line,
 * the rollback's `restored` lines, `--`, the tail of apply.log and rollback.log.
 */
export const STATUS_SCRIPT = [
  'd=$1',
  'up=$(cut -d" " -f1 /proc/uptime)',
  'st=missing',
  'for s in rolled-back firing disarmed committing armed; do if [ -e "$d/$s" ]; then st=$s; break; fi; done',
  'applied=-; if [ -s "$d/applied" ]; then applied=$(cat "$d/applied"); fi',
  'failed=no; if [ -e "$d/apply-failed" ]; then failed=yes; fi',
  'echo "$up $st $applied $failed"',
  'echo --; cat "$d/restored" 2>/dev/null',
  'echo --; tail -n 20 "$d/apply.log" "$d/rollback.log" 2>/dev/null',
  'exit 0',
].join('\n');

/**
 * Disarm unless the rollback already fired, then commit.sh writes the persistent
 * files. $1 dir, $2 method, $3 unit. Prints `disarmed`, `fired` (the rollback won),
 * or `commit-failed` and commit.sh's output: then the rollback was handed the token
 * and started detached (it restores what commit.sh wrote and the live state).
 */
export const DISARM_SCRIPT = [
  PATH_LINE,
  'd=$1 method=$2 unit=$3',
  'mv -- "$d/armed" "$d/committing" 2>/dev/null || { echo fired; exit 0; }',
  // Past this point a dropped session must not stop the commit half-way.
  "trap '' HUP PIPE",
  'case $method in',
  'systemd) systemctl stop -- "$unit.timer" 2>/dev/null ;;',
  'setsid) p=$(cat "$d/sleeper.pid" 2>/dev/null) && kill -TERM "-$p" 2>/dev/null ;;',
  'esac',
  'if sh "$d/commit.sh" >"$d/commit.log" 2>&1 </dev/null; then mv -- "$d/committing" "$d/disarmed"; echo disarmed; exit 0; fi',
  'echo commit-failed; cat "$d/commit.log"',
  'case $method in',
  'systemd) systemd-run --quiet --collect --unit="$unit-undo" --description="kvmplay bridge rollback (commit failed)" /bin/sh "$d/rollback.sh" from-commit ||',
  '  { setsid sh "$d/rollback.sh" from-commit </dev/null >/dev/null 2>&1 & } ;;',
  'setsid) setsid sh "$d/rollback.sh" from-commit </dev/null >/dev/null 2>&1 & ;;',
  'esac',
  'exit 0',
].join('\n');

export interface ApplyStatus {
  /** Host uptime (s) when the status was taken. */
  uptime: number;
  token: 'armed' | 'committing' | 'disarmed' | 'firing' | 'rolled-back' | 'missing';
  /** Host uptime when apply.sh finished, or null. */
  appliedAt: number | null;
  applyFailed: boolean;
  restored: string[];
  log: string;
}

export function parseStatus(out: string): ApplyStatus {
  const [head = '', restored = '', ...log] = out.split('\n--\n');
  const [up = '', token = '', applied = '', failed = ''] = head.trim().split(' ');
  const tokens = ['armed', 'committing', 'disarmed', 'firing', 'rolled-back', 'missing'] as const;
  const t = tokens.find((x) => x === token);
  if (t === undefined || !Number.isFinite(Number(up))) throw new Error(`unexpected output from the bridge status probe: ${JSON.stringify(out.slice(0, 200))}`);
  return {
    uptime: Number(up),
    token: t,
    appliedAt: applied === '-' || applied === '' ? null : Number(applied),
    applyFailed: failed === 'yes',
    restored: restored.split('\n').map((l) => l.trim()).filter((l) => l !== ''),
    log: log.join('\n--\n').trim(),
  };
}

/** The files ARM_SCRIPT stages, as NAME BASE64 pairs (after the four fixed parameters). */
export function stagedFiles(s: SafeApply): string[] {
  const pairs: Array<[string, string]> = [
    ['save.sh', saveScript(s)],
    ['rollback.sh', rollbackScript(s)],
    ['apply.sh', applyScript(s)],
    ['commit.sh', commitScript(s)],
    ...s.files.map((f, i): [string, string] => [`new.${i}`, f.content]),
  ];
  return pairs.flatMap(([name, text]) => [name, Buffer.from(text, 'utf8').toString('base64')]);
}

/** The argv arming the rollback and starting the apply (one round trip). */
export function armArgv(s: SafeApply): string[] {
  return ['sh', '-c', ARM_SCRIPT, 'kvmplay-bridge', s.dir, s.method, String(s.timeoutS), s.unit, ...stagedFiles(s)];
}

export function statusArgv(dir: string): string[] {
  return ['sh', '-c', STATUS_SCRIPT, 'kvmplay-bridge', dir];
}

export function disarmArgv(s: Pick<SafeApply, 'dir' | 'method' | 'unit'>): string[] {
  return ['sh', '-c', DISARM_SCRIPT, 'kvmplay-bridge', s.dir, s.method, s.unit];
}

/** systemd where it is PID 1 and systemd-run exists; else the setsid sleeper. */
export function rollbackMethod(host: { systemdPid1: boolean; systemdRun: boolean }): RollbackMethod {
  return host.systemdPid1 && host.systemdRun ? 'systemd' : 'setsid';
}
