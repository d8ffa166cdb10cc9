// `copy` (SPEC 6, Ansible's copy): content, a local file or folder, or (remote_src) a
// file or folder already on the host, to a path on the host. Files go through the
// content writer (compare on the host, write atomically); folders are walked locally
// (copy-tree.ts) and made with their folders, files and links.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { absPath, argumentSpec, boolish, fileArgs, modeArg, validateArg } from '../args.js';
import { pyStr } from '../../jinja/values.js';
import { pythonJsonDumps } from '../../jinja/filters-formats.js';
import { planAttrs } from './attrs.js';
import { applyWrite, describeWrite, planWrite, probeContent, type ContentChange } from './content-writer.js';
import { ancestors, probeTree, walkLocal, type LocalTree } from './copy-tree.js';
import { decryptVaultFile, isVaultFile } from '../../vault/index.js';
import {
  applyRemoteTree, applyRemoteWrite, checksumFailure, gatherRemote, planRemoteFile, planRemoteTree,
  type RemoteFileState, type RemoteTreeChange, type RemoteTreeState, type RemoteWriteChange,
} from './copy-remote.js';
import { formatMode, parseMode, type ModeSpec } from './mode.js';
import type { ModuleContext } from '../module.js';
import type { RemoteFile } from './remote-file.js';
import { mustRun } from '../remote.js';
import { defineModule, type Plan, type PlanFailure, type ResultData, type StepResult } from '../runner.js';
import { otherFileArgs, refuseOtherFileArgs } from './text-edit.js';
import { sha1 } from '../../util/text.js';

export const CopyArgs = argumentSpec(
  {
    dest: absPath,
    // A lone `{{ expr }}` keeps its type (SPEC 4): lists and maps are written as JSON, like Ansible.
    content: z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
    src: z.string().min(1).optional(),
    ...fileArgs,
    // Ansible's `preserve`: the mode of the src file.
    mode: z.union([z.literal('preserve'), modeArg]).optional(),
    backup: boolish.default(false),
    force: boolish.default(true),
    // Ansible's follow: write through a symlink at dest; false replaces the link itself.
    follow: boolish.default(false),
    validate: validateArg.optional(),
    remote_src: boolish.default(false),
    directory_mode: modeArg.optional(),
    local_follow: boolish.default(true),
    decrypt: boolish.default(true),
    // The sha1 the copied file must have (Ansible checks it when the file is sent).
    checksum: z.string().regex(/^[0-9a-fA-F]{40}$/, { message: 'must be a sha1 checksum (40 hex digits)' }).optional(),
    ...otherFileArgs,
  },
  { mutuallyExclusive: [['content', 'src']], requiredOneOf: [['content', 'src']] },
).superRefine((a, ctx) => {
  refuseOtherFileArgs(a, ctx);
  if (a.remote_src && a.src === undefined) ctx.addIssue({ code: 'custom', path: ['src'], message: 'remote_src needs src (a path on the host)' });
  if (a.remote_src && a.src !== undefined && !a.src.startsWith('/')) ctx.addIssue({ code: 'custom', path: ['src'], message: 'with remote_src, src must be an absolute path on the host' });
});
export type CopyArgs = z.infer<typeof CopyArgs>;

/** As Ansible's copy action: a list or dict is written as Python's json.dumps writes it, a scalar as its str(). */
export function contentBytes(content: NonNullable<CopyArgs['content']>): Buffer {
  return Buffer.from(typeof content === 'object' ? pythonJsonDumps(content) : pyStr(content), 'utf8');
}

/** Where the file goes: into a directory dest (or one ending with /) under src's name. */
export function destInto(dest: string, src: string | undefined): string | null {
  return src === undefined ? null : posix.join(dest, posix.basename(src));
}

export type CopyState =
  | {
      kind: 'file';
      content: Buffer;
      /** The src file's mode bits (for `mode: preserve`). */
      srcMode?: number;
      /** The src was vault-encrypted: its content is a secret. */
      vaulted?: boolean;
      /** The path written: dest, or src's name inside a directory dest. */
      dest: string;
      cur: RemoteFile;
      /** Folders to make first (dest ends with / and is missing). */
      mkdirs: string[];
    }
  | RemoteFileState
  | { kind: 'tree'; local: string; tree: LocalTree; dest: string; probed: Map<string, RemoteFile> }
  | RemoteTreeState;

/** A folder to make before the file: its mode and owner (directory_mode, owner, group). */
export interface NewDir {
  path: string;
  mode: number | null;
  chown: string | null;
}

export type CopyChange =
  | { kind: 'write'; c: ContentChange; mkdirs: NewDir[] }
  | RemoteWriteChange
  | { kind: 'dir'; path: string; create: boolean; mode: number | null; chown: string | null }
  | { kind: 'link'; path: string; target: string; replace: boolean }
  | RemoteTreeChange;

const DIR_WITH_CONTENT = 'can not use content with a dir as dest';

async function localSource(a: CopyArgs, ctx: ModuleContext): Promise<{ content: Buffer; srcMode?: number; vaulted?: boolean } | { dir: string }> {
  if (a.content !== undefined) return { content: contentBytes(a.content) };
  const src = a.src ?? '';
  // A folder: only the module context's lookup names it (readLocalFile reads files).
  const found = ctx.localPath ? await ctx.localPath(src).catch(() => null) : null;
  if (found !== null && (await stat(found)).isDirectory()) return { dir: src.endsWith('/') ? `${found}/` : found };
  try {
    const file = await ctx.readLocalFile(src, { decrypt: a.decrypt });
    return {
      content: file.content,
      ...(file.vaulted ? { vaulted: true } : {}),
      ...(a.mode === 'preserve' ? { srcMode: (await stat(file.path)).mode & 0o7777 } : {}),
    };
  } catch (err) {
    throw new Error(`cannot read src ${src}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Each vault-encrypted file of a walked folder, decrypted in place (Ansible's copy decrypts each). */
function decryptTree(tree: LocalTree, local: string): void {
  for (const f of tree.files) {
    if (!isVaultFile(f.content)) continue;
    try {
      f.content = decryptVaultFile(f.content);
      f.vaulted = true;
    } catch (err) {
      throw new Error(`cannot read src ${posix.join(local, f.rel)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

/** The folders above `path` that are missing (the probe says its parent is absent): Ansible's makedirs. */
async function missingParents(host: Host, path: string, ctx: ModuleContext): Promise<string[]> {
  const dirs = ancestors(posix.dirname(path));
  const { files } = await probeTree(host, dirs, { ...ctx, diff: false });
  return dirs.filter((d) => files.get(d)?.kind === 'absent');
}

async function gatherCopy(host: Host, a: CopyArgs, ctx: ModuleContext): Promise<CopyState> {
  if (a.remote_src) return gatherRemote(host, a, ctx);
  const src = await localSource(a, ctx);
  if ('dir' in src) return gatherTree(host, a, ctx, src.dir);
  let dest = a.dest;
  let mkdirs: string[] = [];
  if (dest.endsWith('/')) {
    const into = destInto(dest, a.src);
    if (!into) throw new Error(DIR_WITH_CONTENT);
    dest = into;
  }
  let cur = await probeContent(host, dest, ctx, a.follow);
  if (cur.kind === 'directory') {
    const into = destInto(dest, a.src);
    if (!into) throw new Error(DIR_WITH_CONTENT);
    dest = into;
    cur = await probeContent(host, dest, ctx, a.follow);
  }
  // Ansible makes a missing dest folder (written with a trailing /) with directory_mode.
  if (a.dest.endsWith('/') && cur.parent === 'absent') mkdirs = await missingParents(host, dest, ctx);
  return { kind: 'file', ...src, dest, cur, mkdirs };
}

async function gatherTree(host: Host, a: CopyArgs, ctx: ModuleContext, local: string): Promise<CopyState> {
  const tree = await walkLocal(local, a.local_follow);
  if (a.decrypt) decryptTree(tree, local);
  const dest = a.dest.endsWith('/') ? a.dest : `${a.dest}/`;
  const under = (rel: string): string => posix.join(dest, rel);
  const paths = new Set<string>();
  for (const rel of [...tree.files.map((f) => f.rel), ...tree.dirs, ...tree.links.map((l) => l.rel)]) {
    for (const d of ancestors(posix.dirname(under(rel)))) paths.add(d);
    paths.add(under(rel));
  }
  const { files } = await probeTree(host, [...paths].sort(), ctx);
  return { kind: 'tree', local, tree, dest, probed: files };
}

function modeOf(a: CopyArgs, srcMode: number | undefined): ModeSpec | undefined {
  if (a.mode === 'preserve') return srcMode === undefined ? undefined : { kind: 'bits', bits: srcMode };
  return a.mode === undefined ? undefined : parseMode(a.mode);
}

function newDirs(a: CopyArgs, paths: readonly string[]): NewDir[] {
  const mode = a.directory_mode === undefined ? undefined : parseMode(a.directory_mode);
  const p = planAttrs({ ...(mode ? { mode } : {}), ...(a.owner !== undefined ? { owner: a.owner } : {}), ...(a.group !== undefined ? { group: a.group } : {}) }, null, true, 0o755);
  return paths.map((path) => ({ path, mode: mode ? p.mode : null, chown: p.chown }));
}

function planFileCopy(a: CopyArgs, s: Extract<CopyState, { kind: 'file' }>): Plan<CopyChange> | PlanFailure {
  if (a.mode === 'preserve' && s.srcMode === undefined) return { fail: 'mode: preserve needs src' };
  const mode = modeOf(a, s.srcMode);
  const planned = planWrite({
    dest: s.dest,
    content: s.content,
    force: a.force,
    backup: a.backup,
    makeParent: s.mkdirs.length > 0,
    ...(s.vaulted ? { secret: true } : {}),
    data: a.src !== undefined ? { src: a.src } : {},
    ...(mode ? { mode } : {}),
    ...(a.owner !== undefined ? { owner: a.owner } : {}),
    ...(a.group !== undefined ? { group: a.group } : {}),
    ...(a.validate !== undefined ? { validate: a.validate } : {}),
  }, s.mkdirs.length > 0 ? { ...s.cur, parent: 'directory' } : s.cur);
  if ('fail' in planned) return planned;
  const bad = checksumFailure(a, planned.changes.some((c) => c.write), sha1(s.content));
  if (bad) return bad;
  return { ...planned, ...unforcedMsg(planned.okMsg), changes: planned.changes.map((c) => ({ kind: 'write', c, mkdirs: newDirs(a, s.mkdirs) })) };
}

/** Ansible's copy action leaves an existing file alone with force: no without running a module: no message. */
export function unforcedMsg(okMsg: string | undefined): { okMsg?: string } {
  return okMsg === 'file already exists' ? { okMsg: '' } : {};
}

function planTree(a: CopyArgs, s: Extract<CopyState, { kind: 'tree' }>): Plan<CopyChange> | PlanFailure {
  const changes: CopyChange[] = [];
  const under = (rel: string): string => posix.join(s.dest, rel);
  const dirMode = a.directory_mode === undefined ? undefined : parseMode(a.directory_mode);
  const listed = new Set(s.tree.dirs.map(under));
  const owner = a.owner;
  const group = a.group;
  const attrWant = { ...(owner !== undefined ? { owner } : {}), ...(group !== undefined ? { group } : {}) };
  // Folders, shallowest first: the missing ones are made (directory_mode, owner, group);
  // the walked ones that exist get directory_mode, owner and group as the file module gives them.
  const dirs = [...s.probed.keys()].filter((p) => listed.has(p) || s.tree.files.some((f) => under(f.rel).startsWith(`${p}/`)) || s.tree.dirs.some((d) => under(d).startsWith(`${p}/`)) || s.tree.links.some((l) => under(l.rel).startsWith(`${p}/`)));
  for (const path of dirs.sort((x, y) => x.split('/').length - y.split('/').length || x.localeCompare(y))) {
    const cur = s.probed.get(path);
    if (!cur) continue;
    if (cur.kind === 'absent') {
      const p = planAttrs({ ...(dirMode ? { mode: dirMode } : {}), ...attrWant }, null, true, 0o755);
      changes.push({ kind: 'dir', path, create: true, mode: p.mode, chown: p.chown });
    } else if (cur.kind !== 'directory' && cur.kind !== 'link') {
      return { fail: `${path} already exists as a ${cur.kind}` };
    } else if (listed.has(path) && cur.kind === 'directory') {
      const p = planAttrs({ ...(dirMode ? { mode: dirMode } : {}), ...attrWant }, cur, true, 0o755);
      if (p.mode !== null || p.chown !== null) changes.push({ kind: 'dir', path, create: false, mode: p.mode, chown: p.chown });
    }
  }
  let single: ResultData | null = null;
  const diffs: Array<() => string> = [];
  for (const f of s.tree.files) {
    const path = under(f.rel);
    const cur = s.probed.get(path);
    if (!cur) continue;
    const mode = a.mode === 'preserve' ? { kind: 'bits' as const, bits: f.mode } : a.mode !== undefined ? parseMode(a.mode) : undefined;
    const planned = planWrite({
      dest: path, content: f.content, force: a.force, backup: a.backup, data: { src: posix.join(s.local.replace(/\/+$/, ''), f.rel) },
      ...(f.vaulted ? { secret: true } : {}),
      ...(mode ? { mode } : {}), ...attrWant, ...(a.validate !== undefined ? { validate: a.validate } : {}),
    }, cur);
    if ('fail' in planned) return planned;
    single = planned.data ?? null;
    if (planned.diff && planned.changes.some((c) => c.write)) diffs.push(planned.diff);
    changes.push(...planned.changes.map((c): CopyChange => ({ kind: 'write', c, mkdirs: [] })));
  }
  for (const l of s.tree.links) {
    const path = under(l.rel);
    const cur = s.probed.get(path);
    if (cur?.kind === 'link' && cur.linkTarget === l.target) continue;
    if (cur?.kind === 'directory') return { fail: `the directory ${path} is not empty, refusing to convert it` };
    changes.push({ kind: 'link', path, target: l.target, replace: cur !== undefined && cur.kind !== 'absent' });
  }
  // As Ansible: one file copied gives that file's result; otherwise dest, src and changed.
  const data: ResultData = s.tree.files.length === 1 && single ? single : { dest: s.dest, src: s.local };
  return { changes, data, ...(diffs.length > 0 ? { diff: () => diffs.map((d) => d()).join('') } : {}) };
}

export function describeCopy(c: CopyChange): string {
  switch (c.kind) {
    case 'write':
    case 'remote-write': return describeWrite(c.c);
    case 'dir': return c.create ? `create directory ${c.path}` : `set the attributes of ${c.path}`;
    case 'link': return `link ${c.path} to ${c.target}`;
    case 'remote-tree': return `copy ${c.src} to ${c.target} on the host`;
  }
}

async function applyCopy(host: Host, a: CopyArgs, c: CopyChange, ctx: ModuleContext): Promise<StepResult | void> {
  switch (c.kind) {
    case 'write':
      for (const d of c.mkdirs) await makeDir(host, d, ctx);
      return applyWrite(host, ctx, c.c);
    case 'remote-write': return applyRemoteWrite(host, c, ctx);
    case 'dir':
      if (c.create) await mustRun(host, ['mkdir', '--', c.path], ctx, `cannot create ${c.path}`);
      if (c.mode !== null) await mustRun(host, ['chmod', '--', formatMode(c.mode), c.path], ctx, `cannot chmod ${c.path}`);
      if (c.chown !== null) await mustRun(host, ['chown', '--', c.chown, c.path], ctx, `cannot chown ${c.path}`);
      return;
    case 'link':
      await mustRun(host, c.replace ? ['ln', '-s', '-f', '-n', '--', c.target, c.path] : ['ln', '-s', '--', c.target, c.path], ctx, `cannot link ${c.path}`);
      return;
    case 'remote-tree': return applyRemoteTree(host, a.local_follow, c, ctx);
  }
}

async function makeDir(host: Host, d: NewDir, ctx: ModuleContext): Promise<void> {
  await mustRun(host, ['mkdir', '-p', '--', d.path], ctx, `cannot create ${d.path}`);
  if (d.mode !== null) await mustRun(host, ['chmod', '--', formatMode(d.mode), d.path], ctx, `cannot chmod ${d.path}`);
  if (d.chown !== null) await mustRun(host, ['chown', '--', d.chown, d.path], ctx, `cannot chown ${d.path}`);
}

export const copyModule = defineModule({
  names: ['copy'],
  args: CopyArgs,
  gather: gatherCopy,
  plan(a, s): Plan<CopyChange> | PlanFailure {
    if (s.kind === 'tree') return planTree(a, s);
    if (s.kind === 'remote-tree') return planRemoteTree(a, s);
    if (s.kind === 'remote-file') return planRemoteFile(a, s);
    return planFileCopy(a, s);
  },
  describe: describeCopy,
  // A remote folder copy with an owner is run to find out; check mode reports it only when the dry run saw a change.
  counts: (c: CopyChange) => c.kind !== 'remote-tree' || c.pending,
  apply: (host, a, c, ctx) => applyCopy(host, a, c, ctx),
});
