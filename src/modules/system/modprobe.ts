// `modprobe` (community.general.modprobe): load or unload a kernel module, and keep it
// (or not) across reboots in /etc/modules-load.d and /etc/modprobe.d. One probe says
// whether the module is loaded (/proc/modules, else modules.builtin), dry-runs the
// modprobe the task would run (`-n`, which loads nothing: check mode's answer, as the
// module's own check mode), and reads the persistence files when they matter.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { shlexSplit, ShlexError } from '../../util/shlex.js';
import { argumentSpec } from '../args.js';
import { putFile } from '../files/put-file.js';
import type { ModuleContext } from '../module.js';
import { SECTION_FN, splitSections } from '../probe-sections.js';
import { mustRun, runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure, type ResultData } from '../runner.js';

export const MODULES_LOAD_DIR = '/etc/modules-load.d';
export const MODPROBE_DIR = '/etc/modprobe.d';

export const ModprobeArgs = argumentSpec(
  {
    // A module name: never an option of modprobe, never a regex or a path.
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, { message: 'must be a kernel module name' }),
    state: z.enum(['present', 'absent']).default('present'),
    params: z.string().default('').refine((p) => {
      try {
        shlexSplit(p, { comments: false });
        return true;
      } catch (err) {
        if (err instanceof ShlexError) return false;
        throw err;
      }
    }, { message: 'must be module parameters as a shell would split them (unbalanced quotes?)' }),
    persistent: z.enum(['disabled', 'absent', 'present']).default('disabled'),
  },
  { required: ['name'] },
);
export type ModprobeArgs = z.infer<typeof ModprobeArgs>;

export interface ConfFile {
  path: string;
  mode: number;
  content: string;
}

export interface ModprobeState {
  /** Where modprobe is; null when the host has none (the PATH searched is in `path`). */
  bin: string | null;
  path: string;
  /** Loaded (or built in); a string: why it cannot be told (/proc/modules unreadable…), the module's error. */
  loaded: boolean | string;
  /** The dry run of the load or unload the task would do: null when none is needed. */
  dryRun: { rc: number; stdout: string; stderr: string } | null;
  /** The files of /etc/modules-load.d and /etc/modprobe.d (when persistent asks); a string: why they cannot be read. */
  loadFiles: ConfFile[] | string;
  optionFiles: ConfFile[] | string;
}

// $1 name, $2 state, $3 persistent; the rest: the params (shlex-split). The dry run
// (`modprobe -n`) loads and unloads nothing. Files: one line each, `b64(path) mode b64(content)`.
export const MODPROBE_PROBE = [
  SECTION_FN,
  'name=$1 state=$2 persist=$3; shift 3',
  'sec bin; command -v modprobe',
  'sec path; printf "%s\\n" "$PATH"',
  'mod=$(printf %s "$name" | tr - _)',
  'if [ ! -r /proc/modules ]; then loaded="error [Errno 2] No such file or directory: \'/proc/modules\'"',
  'elif grep -q "^$mod " /proc/modules; then loaded=yes',
  'else b=/lib/modules/$(uname -r)/modules.builtin',
  '  if [ ! -r "$b" ]; then loaded="error [Errno 2] No such file or directory: \'$b\'"',
  '  elif sed "s/[[:space:]]*\\$//" "$b" | grep -q "/$name\\.ko\\$"; then loaded=yes',
  '  else loaded=no; fi',
  'fi',
  'sec loaded; printf "%s\\n" "$loaded"',
  'dry=',
  '[ "$state:$loaded" = present:no ] && dry=load',
  '[ "$state:$loaded" = absent:yes ] && dry=unload',
  'if [ -n "$dry" ] && command -v modprobe >/dev/null 2>&1; then',
  '  e=$(mktemp) || exit 1',
  '  if [ "$dry" = load ]; then o=$(modprobe -n "$name" "$@" 2>"$e"); rc=$?; else o=$(modprobe -r -n "$name" 2>"$e"); rc=$?; fi',
  '  sec dry; echo "$rc"; sec dryout; printf "%s\\n" "$o"; sec dryerr; cat "$e"; rm -f "$e"',
  'fi',
  'files() { if [ ! -d "$1" ]; then echo missing; return; fi',
  '  for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do [ -f "$f" ] || continue',
  '    printf "%s %s %s\\n" "$(printf %s "$f" | base64 | tr -d "\\n")" "$(stat -c %a -- "$f")" "$(base64 < "$f" | tr -d "\\n")"',
  '  done; }',
  `if [ "$persist" != disabled ]; then sec load; files ${MODULES_LOAD_DIR}; sec opts; files ${MODPROBE_DIR}; fi`,
  'exit 0',
].join('\n');

export function modprobeProbeArgv(a: ModprobeArgs): string[] {
  return script(MODPROBE_PROBE, a.name, a.state, a.persistent, ...shlexSplit(a.params, { comments: false }));
}

function parseFiles(text: string | undefined, dir: string): ConfFile[] | string {
  const lines = (text ?? '').split('\n').filter((l) => l !== '');
  if (lines[0] === 'missing') return `[Errno 2] No such file or directory: '${dir}'`;
  const b64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');
  return lines.map((l) => {
    const [p, mode, content] = l.split(' ');
    return { path: b64(p), mode: parseInt(mode ?? '644', 8), content: b64(content) };
  });
}

export function parseModprobeProbe(stdout: string): ModprobeState {
  const s = splitSections(stdout);
  const first = (k: string): string => (s.get(k) ?? '').split('\n').find((l) => l !== '') ?? '';
  const loaded = first('loaded');
  const trimNl = (t: string | undefined): string => (t ?? '').replace(/^\n/, '').replace(/\n$/, '');
  return {
    bin: first('bin') || null,
    path: first('path'),
    loaded: loaded === 'yes' ? true : loaded === 'no' ? false : loaded.replace(/^error /, ''),
    dryRun: s.has('dry') ? { rc: Number(first('dry')), stdout: trimNl(s.get('dryout')), stderr: trimNl(s.get('dryerr')) } : null,
    loadFiles: parseFiles(s.get('load'), MODULES_LOAD_DIR),
    optionFiles: parseFiles(s.get('opts'), MODPROBE_DIR),
  };
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lines as Python's file iteration gives them (each with its newline). */
const fileLines = (t: string): string[] => t.match(/[^\n]*\n|[^\n]+$/g) ?? [];

export interface Persistence {
  /** Files to write, in order (a later write of the same path wins). */
  writes: Array<{ path: string; content: string; mode: number }>;
}

/** The persistence files as community.general's modprobe leaves them (load/unload_module_permanent). */
export function planPersistence(a: ModprobeArgs, s: { loadFiles: readonly ConfFile[]; optionFiles: readonly ConfFile[] }): Persistence {
  const moduleRe = new RegExp(`^ *${esc(a.name)} *(?:[#;].*)?\\n?$`);
  const paramRe = new RegExp(`^options ${esc(a.name)} (\\w+=\\S+) *(?:[#;].*)?\\n?$`);
  const persistently = s.loadFiles.some((f) => fileLines(f.content).some((l) => moduleRe.test(l)));
  const permanent = new Set(s.optionFiles.flatMap((f) => fileLines(f.content).map((l) => paramRe.exec(l)?.[1]).filter((p): p is string => p !== undefined)));
  const wanted = new Set(a.params.split(/\s+/).filter(Boolean));
  const paramsSet = wanted.size === permanent.size && [...wanted].every((p) => permanent.has(p));
  const writes: Persistence['writes'] = [];
  // Comment out the matching lines of every file that has one.
  const commentOut = (files: readonly ConfFile[], re: RegExp): void => {
    for (const f of files) {
      const lines = fileLines(f.content);
      if (!lines.some((l) => re.test(l))) continue;
      writes.push({ path: f.path, mode: f.mode, content: lines.map((l) => (re.test(l) ? `#${l}` : l)).join('') });
    }
  };
  const modeOf = (files: readonly ConfFile[], path: string): number => files.find((f) => f.path === path)?.mode ?? 0o644;
  if (a.persistent === 'present' && !(persistently && paramsSet)) {
    if (!persistently) {
      const path = `${MODULES_LOAD_DIR}/${a.name}.conf`;
      writes.push({ path, mode: modeOf(s.loadFiles, path), content: `${a.name}\n` });
    }
    if (!paramsSet) {
      commentOut(s.optionFiles, paramRe);
      const path = `${MODPROBE_DIR}/${a.name}.conf`;
      const content = `${a.params.split(/\s+/).filter(Boolean).map((p) => `options ${a.name} ${p}`).join('\n')}\n`;
      writes.push({ path, mode: modeOf(s.optionFiles, path), content });
    }
  } else if (a.persistent === 'absent' && (persistently || permanent.size > 0)) {
    if (persistently) commentOut(s.loadFiles, moduleRe);
    if (permanent.size > 0) commentOut(s.optionFiles, paramRe);
  }
  return { writes };
}

export type ModprobeChange =
  | { kind: 'load'; name: string; params: string[] }
  | { kind: 'unload'; name: string }
  | { kind: 'write'; path: string; content: string; mode: number };

const result = (a: ModprobeArgs): ResultData => ({ name: a.name, params: a.params, state: a.state });

export function planModprobe(a: ModprobeArgs, s: ModprobeState): Plan<ModprobeChange> | PlanFailure {
  const data = result(a);
  if (s.bin === null) return { fail: `Failed to find required executable "modprobe" in paths: ${s.path}`, data };
  if (typeof s.loaded === 'string') return { fail: s.loaded, data };
  const changes: ModprobeChange[] = [];
  const wantsLoad = a.state === 'present' && !s.loaded;
  const wantsUnload = a.state === 'absent' && s.loaded;
  if ((wantsLoad || wantsUnload) && s.dryRun && s.dryRun.rc !== 0) {
    return { fail: s.dryRun.stderr, rc: s.dryRun.rc, stdout: s.dryRun.stdout, stderr: s.dryRun.stderr, data };
  }
  if (wantsLoad) changes.push({ kind: 'load', name: a.name, params: shlexSplit(a.params, { comments: false }) });
  if (wantsUnload) changes.push({ kind: 'unload', name: a.name });
  if (a.persistent !== 'disabled') {
    // The module lists both folders: one missing is its error (FileNotFoundError).
    if (typeof s.loadFiles === 'string') return { fail: s.loadFiles, data };
    if (typeof s.optionFiles === 'string') return { fail: s.optionFiles, data };
    for (const w of planPersistence(a, { loadFiles: s.loadFiles, optionFiles: s.optionFiles }).writes) changes.push({ kind: 'write', ...w });
  }
  return { changes, data, okMsg: `${a.name} ${a.state === 'present' ? 'loaded' : 'not loaded'}` };
}

// $1 name; the rest: params. Load, then tell whether it is loaded now; if not, say why (--first-time's dry run).
const LOAD_SCRIPT = [
  'name=$1; shift',
  'modprobe "$name" "$@" || exit $?',
  'mod=$(printf %s "$name" | tr - _)',
  'if grep -q "^$mod " /proc/modules 2>/dev/null || sed "s/[[:space:]]*\\$//" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null | grep -q "/$name\\.ko\\$"; then echo "kvmplay:loaded"; exit 0; fi',
  'modprobe -n --first-time "$name" "$@" >/dev/null',
  'exit 0',
].join('\n');

async function applyModprobe(host: Host, c: ModprobeChange, ctx: ModuleContext): Promise<{ noop?: boolean; data?: ResultData } | void> {
  if (c.kind === 'write') {
    await putFile(host, ctx, { path: c.path, content: Buffer.from(c.content, 'utf8'), mode: c.mode, chown: null, keepOwner: null, backupTo: null });
    return;
  }
  const argv = c.kind === 'load' ? script(LOAD_SCRIPT, c.name, ...c.params) : ['modprobe', '-r', c.name];
  const r = await host.run(argv, runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, r.stderr.trim(), { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  // Loaded without error but not listed (blacklisted, or only its parameters applied): the module says not changed.
  if (c.kind === 'load' && !r.stdout.includes('kvmplay:loaded')) return { noop: true, ...(r.stderr.trim() ? { data: { warnings: [r.stderr.trim()] } } : {}) };
}

export const modprobeModule = defineModule({
  names: ['modprobe', 'community.general.modprobe'],
  args: ModprobeArgs,
  async gather(host, a, ctx) {
    const r = await mustRun(host, modprobeProbeArgv(a), ctx, `reading the state of kernel module ${a.name}`);
    return parseModprobeProbe(r.stdout);
  },
  plan: planModprobe,
  describe: (c: ModprobeChange) => (c.kind === 'load' ? `load kernel module ${c.name}` : c.kind === 'unload' ? `unload kernel module ${c.name}` : `write ${c.path}`),
  apply: (host, _a, c, ctx) => applyModprobe(host, c, ctx),
});
