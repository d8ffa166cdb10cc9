// copy with remote_src (Ansible's copy module on the host): a file already on the host
// goes through the safe write with its own bytes as input; a folder is copied by one
// script (copy-tree.ts) that runs dry in gather and for real in apply.
import { posix } from 'node:path';
import type { Host } from '../../transport/host.js';
import { planAttrs } from './attrs.js';
import { planContent, probeContent, type ContentChange } from './content-writer.js';
import { copiesTopMode, REMOTE_TREE_SCRIPT, remoteTreeTarget } from './copy-tree.js';
import { pathInfo } from './get-url.js';
import { formatMode, parseMode } from './mode.js';
import type { ModuleContext } from '../module.js';
import { backupPath, WRITE_SCRIPT, writeArgv } from './put-file.js';
import { probeFile, type RemoteFile } from './remote-file.js';
import { mustRun, script } from '../remote.js';
import type { Plan, PlanFailure, ResultData, StepResult } from '../runner.js';

/** The copy arguments a remote copy reads. */
export interface RemoteCopyArgs {
  src?: string | undefined;
  dest: string;
  mode?: string | number | undefined;
  owner?: string | undefined;
  group?: string | undefined;
  force: boolean;
  follow: boolean;
  backup: boolean;
  validate?: string | undefined;
  local_follow: boolean;
  checksum?: string | undefined;
}

export interface RemoteFileState { kind: 'remote-file'; src: RemoteFile; sha1: string; md5: string; dest: string; cur: RemoteFile }
export interface RemoteTreeState { kind: 'remote-tree'; src: string; target: string; top: boolean; count: number; targetFile: RemoteFile }
export interface RemoteWriteChange { kind: 'remote-write'; c: ContentChange; src: string }
export interface RemoteTreeChange {
  kind: 'remote-tree';
  src: string;
  target: string;
  top: boolean;
  mode: number | null;
  chown: string | null;
  /** The dry run saw something to copy, or the target's own attributes differ. */
  pending: boolean;
}

// One round trip for a file on the host: its kind, sha1 and md5 (for the result), mode.
const REMOTE_SUMS = 'if [ -d "$1" ]; then echo directory; elif [ -f "$1" ] && [ -r "$1" ]; then echo file; sha1sum < "$1" | cut -c1-40; md5sum < "$1" | cut -c1-32; elif [ -e "$1" ]; then echo unreadable; else echo absent; fi';

export async function gatherRemote(host: Host, a: RemoteCopyArgs, ctx: ModuleContext): Promise<RemoteFileState | RemoteTreeState> {
  const src = a.src ?? '';
  const [kind = 'absent', s1 = '', m5 = ''] = (await mustRun(host, script(REMOTE_SUMS, src), ctx, `cannot inspect ${src}`)).stdout.trim().split('\n');
  if (kind === 'absent') throw new Error(`Source ${src} not found`);
  if (kind === 'unreadable') throw new Error(`Source ${src} not readable`);
  if (kind === 'directory') {
    const target = remoteTreeTarget(src, a.dest);
    const follow = a.local_follow ? '1' : '';
    const top = copiesTopMode(src, (await probeFile(host, a.dest, ctx, { follow: true })).kind === 'directory');
    const count = Number((await mustRun(host, script(REMOTE_TREE_SCRIPT, src.replace(/\/+$/, ''), target, '1', '', follow, top ? '1' : ''), ctx, `cannot compare ${src} with ${target}`)).stdout.trim());
    return { kind: 'remote-tree', src, target, top, count, targetFile: await probeFile(host, target, ctx) };
  }
  const srcFile = await probeFile(host, src, ctx, { follow: true });
  let dest = a.dest.replace(/(.)\/+$/, '$1');
  let cur = await probeContent(host, dest, ctx, a.follow);
  if (cur.kind === 'directory') {
    dest = posix.join(dest, posix.basename(src));
    cur = await probeContent(host, dest, ctx, a.follow);
  }
  return { kind: 'remote-file', src: srcFile, sha1: s1, md5: m5, dest, cur };
}

/** Ansible checks the checksum argument only when it sends the file. */
export function checksumFailure(a: Pick<RemoteCopyArgs, 'checksum'>, writes: boolean, actual: string): PlanFailure | null {
  if (!a.checksum || !writes || actual === a.checksum.toLowerCase()) return null;
  return { fail: 'Copied file does not match the expected checksum. Transfer failed.', data: { checksum: actual, expected_checksum: a.checksum } };
}

export function planRemoteFile(a: RemoteCopyArgs, s: RemoteFileState): Plan<RemoteWriteChange> | PlanFailure {
  const mode = a.mode === 'preserve' ? (s.src.mode === null ? undefined : { kind: 'bits' as const, bits: s.src.mode }) : a.mode === undefined ? undefined : parseMode(a.mode);
  const plan = planContent({
    sha256: s.src.sha256 ?? '', force: a.force, makeParent: false,
    ...(mode ? { mode } : {}), ...(a.owner !== undefined ? { owner: a.owner } : {}), ...(a.group !== undefined ? { group: a.group } : {}),
  }, s.cur);
  const data: ResultData = { dest: s.dest, src: a.src, md5sum: s.md5, checksum: s.sha1 };
  if (plan.kind === 'fail') return { fail: plan.msg, data };
  if (plan.kind === 'keep') return { changes: [], okMsg: plan.msg, data: { ...data, ...pathInfo(fileInfo(s.cur)) } };
  const bad = checksumFailure(a, plan.write, s.sha1);
  if (bad) return bad;
  const c: ContentChange = {
    path: s.cur.path, content: Buffer.alloc(0), existed: s.cur.kind === 'file', write: plan.write, mode: plan.mode, chown: plan.chown,
    keepOwner: plan.keepOwner, makeParent: false, backup: a.backup, ...(a.validate !== undefined ? { validate: a.validate } : {}),
    words: plan.changes, attrsChanged: plan.chown !== null,
  };
  const after = {
    ...fileInfo(s.cur), kind: 'file' as const, mode: plan.mode, ...(s.src.size !== null ? { size: s.src.size } : {}),
    ...(a.owner !== undefined ? { owner: a.owner } : {}), ...(a.group !== undefined ? { group: a.group } : {}),
  };
  return { changes: [{ kind: 'remote-write', c, src: s.src.path }], data: { ...data, ...pathInfo(after) } };
}

function fileInfo(f: RemoteFile): { kind: RemoteFile['kind']; mode?: number; uid?: number; gid?: number; owner: string | null; group: string | null; size?: number } {
  return {
    kind: f.kind, owner: f.owner, group: f.group,
    ...(f.mode !== null ? { mode: f.mode } : {}), ...(f.uid !== null ? { uid: f.uid } : {}), ...(f.gid !== null ? { gid: f.gid } : {}), ...(f.size !== null ? { size: f.size } : {}),
  };
}

export function planRemoteTree(a: RemoteCopyArgs, s: RemoteTreeState): Plan<RemoteTreeChange> {
  const mode = a.mode === undefined || a.mode === 'preserve' ? undefined : parseMode(a.mode);
  const cur = s.targetFile.kind === 'directory' ? s.targetFile : null;
  const p = planAttrs({ ...(mode ? { mode } : {}), ...(a.owner !== undefined ? { owner: a.owner } : {}), ...(a.group !== undefined ? { group: a.group } : {}) }, cur, true, 0o755);
  const data: ResultData = { dest: s.target, src: s.src, md5sum: null, checksum: null };
  const chown = a.owner === undefined && a.group === undefined ? null : `${a.owner ?? ''}${a.group !== undefined ? `:${a.group}` : ''}`;
  // Owner and group of every entry are only seen when copying for real (Ansible's chown_recursive).
  const pending = s.count > 0 || p.mode !== null || p.chown !== null;
  const changes: RemoteTreeChange[] = pending || chown !== null
    ? [{ kind: 'remote-tree', src: s.src, target: s.target, top: s.top, mode: p.mode, chown, pending }]
    : [];
  return { changes, data };
}

// $1 the file on the host, then the write script's parameters: its bytes go through the safe write.
const PUT_FROM_HOST = 'w=$1 src=$2; shift 2; sh -c "$w" kvmplay "$@" < "$src"';

export async function applyRemoteWrite(host: Host, c: RemoteWriteChange, ctx: ModuleContext): Promise<StepResult> {
  const backupTo = c.c.backup && c.c.existed && c.c.write ? backupPath(c.c.path) : null;
  const argv = writeArgv({ path: c.c.path, content: Buffer.alloc(0), mode: c.c.mode, chown: c.c.chown, keepOwner: c.c.keepOwner, backupTo, makeParent: false }, []);
  await mustRun(host, script(PUT_FROM_HOST, WRITE_SCRIPT, c.src, ...argv.slice(4)), ctx, `cannot write ${c.c.path}`);
  return { msg: c.c.words.join(', '), ...(backupTo ? { data: { backup_file: backupTo } } : {}) };
}

export async function applyRemoteTree(host: Host, localFollow: boolean, c: RemoteTreeChange, ctx: ModuleContext): Promise<StepResult> {
  const r = await mustRun(host, script(REMOTE_TREE_SCRIPT, c.src.replace(/\/+$/, ''), c.target, '', c.chown ?? '', localFollow ? '1' : '', c.top ? '1' : ''), ctx, `cannot copy ${c.src}`);
  if (c.mode !== null) await mustRun(host, ['chmod', '--', formatMode(c.mode), c.target], ctx, `cannot chmod ${c.target}`);
  const n = Number(r.stdout.trim());
  return n > 0 || c.mode !== null ? { msg: `copied ${c.src} to ${c.target}` } : { noop: true };
}
