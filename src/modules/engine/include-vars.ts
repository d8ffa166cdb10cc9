// `include_vars` (ansible.builtin.include_vars): variables from YAML/JSON files on the
// control machine, for the host's later tasks and plays. As Ansible's action plugin
// (plugins/action/include_vars.py): a relative `file` is searched along the task's
// search path (DataLoader.path_dwim_relative_stack with 'vars'); a relative `dir` is the
// role's vars/ folder, else the task file's folder; a dir's files are read folder by
// folder in sorted order, later files replacing earlier keys. The module only reads:
// the engine makes `ansible_facts` the host's variables (task-runner.ts), at Ansible's
// include_vars precedence. The same in check mode. The variable check reads a literal
// include_vars the same way at load (playbook/include-vars-names.ts).
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { comparePy, isPlainObject, setKey, type Vars } from '../../data/py-values.js';
import { readText } from '../../data/vars-files.js';
import { loadDataText, toValue } from '../../data/yaml-load.js';
import { argumentSpec, boolish } from '../args.js';
import type { TaskSearchPath } from '../module.js';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

const DEFAULT_EXTENSIONS = ['yaml', 'yml', 'json'];
const FILE_ARGS = ['file'] as const;
const DIR_ARGS = ['dir', 'depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'] as const;
const NOT_FOUND_TAIL = ' on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option';

/** Python's int() of a YAML number or of text ("2"). */
const wholeNumber = z
  .union([z.number().int(), z.string().regex(/^\s*\d+\s*$/, { message: 'must be a whole number' })])
  .transform((v) => Number(v))
  .pipe(z.number().nonnegative({ message: 'must be 0 (no limit) or more' }));

export const IncludeVarsArgs = argumentSpec({
  file: z.string().min(1, { error: 'must name a vars file' }).optional(),
  dir: z.string().min(1, { error: 'must name a folder' }).optional(),
  name: z.string().min(1, { error: 'must name a variable' }).optional(),
  depth: wholeNumber.optional(),
  files_matching: z.string().optional(),
  // Ansible splits a string on white space.
  ignore_files: z.union([z.array(z.string()), z.string().transform((s) => s.split(/\s+/).filter((x) => x !== ''))]).optional(),
  extensions: z.array(z.string(), { error: 'must be a list' }).optional(),
  ignore_unknown_extensions: boolish.optional(),
  hash_behaviour: z
    .enum(['replace', 'merge'], { error: 'must be one of: replace, merge' })
    .refine((v) => v === 'replace', { message: 'hash_behaviour "merge" is not supported by kvmplay: it always replaces (Ansible\'s default)' })
    .optional(),
}, { requiredOneOf: [['file', 'dir']] }).superRefine((a, ctx) => {
  if (FILE_ARGS.some((k) => a[k] !== undefined) && DIR_ARGS.some((k) => a[k] !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'You are mixing file only and dir only arguments, these are incompatible' });
  }
  for (const [key, pattern] of [['files_matching', a.files_matching], ...(a.ignore_files ?? []).map((p) => ['ignore_files', p])] as const) {
    if (pattern !== undefined && !isRegExp(pattern)) ctx.addIssue({ code: 'custom', path: [key], message: `Invalid regular expression: ${pattern}` });
  }
});
export type IncludeVarsArgs = z.output<typeof IncludeVarsArgs>;

/** What the files gave: the variables (under `name` when given) and the files read, or why not. */
export interface Included {
  vars: Vars;
  files: string[];
  /** Set when the include failed (Ansible's `message`); `vars` and `files` hold what was read before. */
  fail?: string;
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a relative `file` may be, in Ansible's order: for each folder of the task's
 * search path (its role's folder, then the folder of the file the task is in) that
 * folder's vars/, then the folder itself; the play's folder (the DataLoader's basedir)
 * last. Each path once. An absolute path (or `~`) is only itself.
 */
export function varsFileCandidates(src: string, path: TaskSearchPath): string[] {
  if (src.startsWith('~')) return [join(homedir(), src.slice(1))];
  if (isAbsolute(src)) return [resolve(src)];
  const stack = [...(path.roleDir !== undefined ? [path.roleDir] : []), path.taskDir, path.playDir];
  return [...new Set(stack.flatMap((dir) => [resolve(dir, 'vars', src), resolve(dir, src)]))];
}

/**
 * The folder a `dir` names: in a role, the role's vars/ (a dir written `vars/…` is
 * taken from the role's folder when it exists there, else as written); outside a role,
 * relative to the folder of the file the task is in.
 */
export function varsDirRoot(dir: string, path: TaskSearchPath): string {
  if (path.roleDir === undefined) return resolve(path.taskDir, dir);
  if (dir.split('/')[0] === 'vars') return resolve(path.roleDir, dir);
  return resolve(path.roleDir, 'vars', dir);
}

/** Ansible's AnsibleFileNotFound wording. */
export function notFoundMessage(src: string, searched: readonly string[], lead = ''): string {
  const head = `${lead ? `${lead}\n` : ''}Could not find or access '${src}'`;
  return `${head}${searched.length ? `\nSearched in:\n\t${searched.join('\n\t')}` : ''}${NOT_FOUND_TAIL}`;
}

/** Read the files `a` names, found from the task's search path. Never throws for a file's problem. */
export async function includeVars(a: IncludeVarsArgs, path: TaskSearchPath): Promise<Included> {
  const out: Included = a.dir !== undefined ? await fromDir(a, path) : await fromFile(a.file ?? '', path);
  return a.name === undefined ? out : { ...out, vars: { [a.name]: out.vars } };
}

async function fromFile(src: string, path: TaskSearchPath): Promise<Included> {
  const candidates = varsFileCandidates(src, path);
  for (const p of candidates) {
    if ((await stat(p).catch(() => null)) === null) continue;
    const loaded = await loadFile(p);
    return 'fail' in loaded ? { vars: {}, files: [], fail: loaded.fail } : { vars: loaded.vars, files: [p] };
  }
  const absolute = src.startsWith('~') || isAbsolute(src);
  return { vars: {}, files: [], fail: notFoundMessage(src, absolute ? [] : candidates) };
}

async function fromDir(a: IncludeVarsArgs, path: TaskSearchPath): Promise<Included> {
  const dir = a.dir ?? '';
  let root = varsDirRoot(dir, path);
  // A role's `vars/…` that the role does not have is kept as written (from the working directory), as Ansible does.
  if (path.roleDir !== undefined && dir.split('/')[0] === 'vars' && (await stat(root).catch(() => null)) === null) root = dir;
  const st = await stat(root).catch(() => null);
  if (!st) return { vars: {}, files: [], fail: `${root} directory does not exist` };
  if (!st.isDirectory()) return { vars: {}, files: [], fail: `${root} is not a directory` };
  const extensions = a.extensions ?? DEFAULT_EXTENSIONS;
  // Python's re.search: files_matching anywhere in the name, an ignore_files pattern at its end.
  const matcher = a.files_matching === undefined ? undefined : new RegExp(a.files_matching);
  const ignored = (a.ignore_files ?? []).map((p) => new RegExp(`${p}$`));
  const validExt = (name: string): boolean => extensions.includes(extname(name).slice(1));
  const out: Included = { vars: {}, files: [] };
  for (const folder of await walk(resolve(root), a.depth ?? 0)) {
    for (const name of folder.files) {
      if (matcher && !matcher.test(name)) continue;
      const full = join(folder.dir, name);
      if (ignored.some((r) => r.test(name)) || (a.ignore_unknown_extensions === true && !validExt(name))) continue;
      if ((await stat(full).catch(() => null)) === null) continue; // a broken link
      if (!validExt(name)) return { ...out, fail: `${full} does not have a valid extension: ${extensions.join(', ')}` };
      const loaded = await loadFile(full);
      if ('fail' in loaded) return { ...out, fail: loaded.fail };
      for (const [k, v] of Object.entries(loaded.vars)) setKey(out.vars, k, v);
      out.files.push(full);
    }
  }
  return out;
}

/**
 * The folders under `root` (itself included, links to folders followed), sorted by
 * path, with their other entries sorted by name, as Ansible's sorted os.walk.
 * `depth` 1 is `root` alone, 2 adds its sub-folders…; 0: no limit.
 */
export async function walk(root: string, depth: number): Promise<Array<{ dir: string; files: string[] }>> {
  const out: Array<{ dir: string; files: string[] }> = [];
  // A link back to a folder being walked would never end: skipped.
  const visit = async (dir: string, level: number, above: ReadonlySet<string>): Promise<void> => {
    const real = await realpath(dir).catch(() => dir);
    if (above.has(real)) return;
    const names = await readdir(dir).catch(() => null);
    if (names === null) return; // unreadable: skipped, as os.walk's onerror does
    const files: string[] = [];
    const dirs: string[] = [];
    for (const name of names.sort(comparePy)) ((await stat(join(dir, name)).catch(() => null))?.isDirectory() ? dirs : files).push(name);
    out.push({ dir, files });
    if (depth !== 0 && level >= depth) return;
    for (const d of dirs) await visit(join(dir, d), level + 1, new Set([...above, real]));
  };
  await visit(root, 1, new Set());
  return out.sort((x, y) => comparePy(x.dir, y.dir));
}

/** One vars file: a map (empty for an empty file), or Ansible's message. */
async function loadFile(file: string): Promise<{ vars: Vars } | { fail: string }> {
  try {
    if (!(await stat(file)).isFile()) return { fail: notFoundMessage(file, [], 'Unable to retrieve file contents') };
    const text = await readText(file);
    const node = loadDataText(text, file);
    const data = node === null ? null : toValue(node);
    // Ansible: `if not data: data = dict()`.
    if (!data || (Array.isArray(data) && data.length === 0)) return { vars: {} };
    if (!isPlainObject(data)) return { fail: `${file} must be stored as a dictionary/hash` };
    return { vars: data };
  } catch (err) {
    if (err instanceof ValidationError) return { fail: err.message };
    return { fail: `Could not read ${file}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** As the loader names files: relative to the working directory when inside it. */
function shortPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

export const includeVarsModule = defineModule({
  names: ['include_vars'],
  args: IncludeVarsArgs,
  freeForm: 'file',
  // Read on the control machine: the host is never contacted.
  gather: (_host, a, ctx) => includeVars(a, ctx.taskSearchPath ?? { taskDir: process.cwd(), playDir: process.cwd() }),
  plan: (_a, inc) => {
    // Ansible's result: the variables, the files read, and `message` when it failed.
    const data = { ansible_facts: inc.vars, ansible_included_var_files: inc.files };
    if (inc.fail !== undefined) return { fail: inc.fail, data: { ...data, message: inc.fail } };
    return {
      changes: [] as NoChange[],
      // Names only: a value may be a secret.
      okMsg: inc.files.length ? `included ${inc.files.map(shortPath).join(', ')}` : 'no vars file included',
      data,
    };
  },
  ...NEVER_APPLIED,
});
