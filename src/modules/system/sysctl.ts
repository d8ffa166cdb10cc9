// `sysctl` (ansible.posix.sysctl): a key's line in a sysctl file, the running value
// (sysctl -w) and `sysctl -p FILE`, decided as sysctl.py decides them. One probe reads
// the running value and the file; the edit is pure (it rewrites the file as the module
// does: every line stripped, a key's repeats dropped, `k=v` without blanks); the file is
// written through put-file.ts, keeping its mode and owner.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host, RunOptions } from '../../transport/host.js';
import { unifiedDiff } from '../../util/text.js';
import { absPath, argumentSpec, boolish } from '../args.js';
import { putFile } from '../files/put-file.js';
import { newFileMode } from '../files/remote-file.js';
import type { ModuleContext } from '../module.js';
import { SECTION_FN, splitSections } from '../probe-sections.js';
import { mustRun, runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure } from '../runner.js';

const TRUE_WORDS = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE_WORDS = ['n', 'no', 'off', '0', 'false', 'f'];

/** Ansible's `str` of a YAML scalar (True, 1, 1.5), then sysctl.py's _parse_value: booleans are 1/0, the rest stripped. */
export function sysctlValue(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  const text = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
  if (TRUE_WORDS.includes(text.toLowerCase())) return '1';
  if (FALSE_WORDS.includes(text.toLowerCase())) return '0';
  return text.trim();
}

export const SysctlArgs = argumentSpec(
  {
    // Never an option of sysctl (leading `-`), never a `k=v` pair.
    name: z.string().transform((s) => s.trim()).pipe(z.string().min(1, { message: 'name cannot be blank' }).regex(/^[^-=\s][^=\s]*$/, { message: 'must be a sysctl key (a.b.c or a/b/c)' })).optional(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    state: z.enum(['present', 'absent']).default('present'),
    reload: boolish.default(true),
    sysctl_set: boolish.default(false),
    ignoreerrors: boolish.default(false),
    sysctl_file: absPath.default('/etc/sysctl.conf'),
  },
  { aliases: { name: ['key'], value: ['val'] }, required: ['name'], requiredIf: [['state', 'present', ['value']]] },
).superRefine((a, ctx) => {
  if (a.state === 'present' && a.value !== undefined && sysctlValue(a.value) === '') ctx.addIssue({ code: 'custom', path: ['value'], message: 'value cannot be blank' });
});
export type SysctlArgs = z.infer<typeof SysctlArgs>;

export interface SysctlState {
  /** `sysctl -e -n KEY`'s output (compared word by word); null when it failed. */
  procValue: string | null;
  /** The file: null when it is no regular file. */
  file: { content: string; mode: number; owner: string } | null;
  umask: number;
}

// $1 key, $2 file. LANG=C: sysctl's messages are matched (as the module sets it).
export const SYSCTL_PROBE = [
  SECTION_FN,
  'key=$1 file=$2',
  'sec proc; v=$(LANG=C LC_ALL=C sysctl -e -n "$key" 2>/dev/null) && { echo ok; printf "%s" "$v" | base64 | tr -d "\\n"; echo; }',
  'sec file; if [ -f "$file" ]; then stat -L -c "%a %u:%g" -- "$file"; base64 < "$file" | tr -d "\\n"; echo; fi',
  'sec umask; umask',
].join('\n');

export function parseSysctlProbe(stdout: string): SysctlState {
  const s = splitSections(stdout);
  const lines = (k: string): string[] => (s.get(k) ?? '').split('\n').filter((l) => l !== '');
  const proc = lines('proc');
  const file = lines('file');
  const [mode = '', owner = ''] = (file[0] ?? '').split(' ');
  return {
    procValue: proc[0] === 'ok' ? Buffer.from(proc[1] ?? '', 'base64').toString('utf8') : null,
    file: file.length ? { content: Buffer.from(file[1] ?? '', 'base64').toString('utf8'), mode: parseInt(mode, 8), owner } : null,
    umask: parseInt(lines('umask')[0] ?? '022', 8),
  };
}

/** sysctl.py's _values_is_equal: the same words in the same order. */
export function sameValue(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const x = a.split(/\s+/).filter(Boolean);
  const y = b.split(/\s+/).filter(Boolean);
  return x.length === y.length && x.every((w, i) => w === y[i]);
}

/** Python's str.strip() (whitespace as in str.split()). */
const strip = (s: string): string => s.replace(/^\s+|\s+$/g, '');

/** The file as the module reads it: stripped lines and the values of `k = v` lines. */
export function readSysctlFile(content: string): { lines: string[]; values: Map<string, string> } {
  const lines: string[] = [];
  const values = new Map<string, string>();
  // readlines(): a line keeps its \n; the last one may have none.
  for (const raw of content.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    const line = strip(raw);
    lines.push(line);
    if (!line || line.startsWith('#') || line.startsWith(';') || !line.includes('=')) continue;
    const eq = line.indexOf('=');
    values.set(strip(line.slice(0, eq)), strip(line.slice(eq + 1)));
  }
  return { lines, values };
}

/** The file's new content (fix_lines + write_sysctl): the key set, removed or added last. */
export function fixSysctlLines(lines: readonly string[], name: string, value: string, state: 'present' | 'absent'): string {
  const checked: string[] = [];
  const fixed: string[] = [];
  for (const line of lines) {
    if (!strip(line) || strip(line).startsWith('#') || strip(line).startsWith(';') || !line.includes('=')) {
      fixed.push(line);
      continue;
    }
    const eq = line.indexOf('=');
    const k = strip(line.slice(0, eq));
    const v = strip(line.slice(eq + 1));
    if (checked.includes(k)) continue;
    checked.push(k);
    if (k !== name) fixed.push(`${k}=${v}`);
    else if (state === 'present') fixed.push(`${k}=${value}`);
  }
  if (!checked.includes(name) && state === 'present') fixed.push(`${name}=${value}`);
  return fixed.map((l) => `${strip(l)}\n`).join('');
}

export type SysctlChange =
  | { kind: 'set'; name: string; value: string }
  | { kind: 'write'; path: string; content: string; mode: number; keepOwner: string | null }
  | { kind: 'reload'; path: string }
  /** sysctl.py reports a change it makes no command for (a key it cannot read): kept, for the same `changed`. */
  | { kind: 'unreadable'; name: string };

export function planSysctl(a: SysctlArgs, s: SysctlState): Plan<SysctlChange> | PlanFailure {
  const value = sysctlValue(a.value);
  const { lines, values } = readSysctlFile(s.file?.content ?? '');
  const fileValue = values.get(a.name) ?? null;
  let changed = false;
  let writeFile = false;
  let setProc = false;
  if (fileValue === null && a.state === 'present') changed = writeFile = true;
  else if (fileValue === null && a.state === 'absent') changed = false;
  else if (fileValue && a.state === 'absent') changed = writeFile = true;
  else if (fileValue !== value) changed = writeFile = true;
  else if (a.reload && (s.procValue === null || !sameValue(s.procValue, value))) changed = true;
  if (a.sysctl_set && a.state === 'present') {
    if (s.procValue === null) changed = true;
    else if (!sameValue(s.procValue, value)) changed = setProc = true;
  }
  const changes: SysctlChange[] = [];
  if (setProc) changes.push({ kind: 'set', name: a.name, value });
  const before = s.file?.content ?? '';
  const after = writeFile ? fixSysctlLines(lines, a.name, value, a.state) : before;
  if (writeFile) {
    changes.push({ kind: 'write', path: a.sysctl_file, content: after, mode: s.file?.mode ?? newFileMode(s.umask), keepOwner: s.file?.owner ?? null });
  }
  if (changed && a.reload) changes.push({ kind: 'reload', path: a.sysctl_file });
  if (changed && changes.length === 0) changes.push({ kind: 'unreadable', name: a.name });
  return {
    changes,
    okMsg: `${a.name} ${a.state === 'absent' ? 'absent' : `= ${value}`}`,
    ...(writeFile ? { diff: () => unifiedDiff(a.sysctl_file, before, after) } : {}),
  };
}

const STDERR_FAILED = /^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$/m;

function sysctlRun(ctx: ModuleContext): RunOptions {
  return runOptions(ctx, { env: { LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C' } });
}

async function applySysctl(host: Host, a: SysctlArgs, c: SysctlChange, ctx: ModuleContext): Promise<void> {
  const e = a.ignoreerrors ? ['-e'] : [];
  switch (c.kind) {
    case 'set': {
      const r = await host.run(['sysctl', ...e, '-w', `${c.name}=${c.value}`], sysctlRun(ctx));
      if (r.rc !== 0 || STDERR_FAILED.test(r.stderr)) throw new TaskError(ctx.hostName, `setting ${c.name} failed: ${r.stdout}${r.stderr}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
      return;
    }
    case 'write':
      await putFile(host, ctx, { path: c.path, content: Buffer.from(c.content, 'utf8'), mode: c.mode, chown: null, keepOwner: c.keepOwner, backupTo: null });
      return;
    case 'reload': {
      const r = await host.run(['sysctl', ...e, '-p', c.path], sysctlRun(ctx));
      if (r.rc !== 0 || STDERR_FAILED.test(r.stderr)) throw new TaskError(ctx.hostName, `Failed to reload sysctl: ${r.stdout}${r.stderr}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
      return;
    }
    case 'unreadable':
      return;
  }
}

const DESCRIBE = (c: SysctlChange): string => {
  switch (c.kind) {
    case 'set': return `set ${c.name} to ${c.value}`;
    case 'write': return `rewrite ${c.path}`;
    case 'reload': return `reload ${c.path}`;
    case 'unreadable': return `report ${c.name} (its running value cannot be read)`;
  }
};

export const sysctlModule = defineModule({
  names: ['sysctl', 'ansible.posix.sysctl'],
  args: SysctlArgs,
  async gather(host, a, ctx) {
    const r = await mustRun(host, script(SYSCTL_PROBE, a.name, a.sysctl_file), ctx, `reading ${a.name}`);
    return parseSysctlProbe(r.stdout);
  },
  plan: planSysctl,
  describe: DESCRIBE,
  apply: (host, a, c, ctx) => applySysctl(host, a, c, ctx),
});
