// `unarchive` (Ansible's unarchive): unpack a tar (plain, gzip, bzip2, xz, zstd) or zip
// archive into an existing directory, with the host's tar or unzip, as Ansible does. A
// local src is sent to the host first. Idempotence is Ansible's: `tar --diff` (or
// zipinfo's listing against each entry under dest) decides whether to extract; the
// mode/owner/group arguments are then applied to every entry of the archive and to its
// top folders. The probe and the extraction are one script (unarchive-probe.ts).
import { posix } from 'node:path';
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { absPath, argumentSpec, boolish, fileArgs } from '../args.js';
import { recursiveModeArg } from './file/file-plan.js';
import { intArg, pathInfo, strList } from './get-url.js';
import { parseMode } from './mode.js';
import type { ModuleContext } from '../module.js';
import { mustRun, runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure, type ResultData, type StepResult } from '../runner.js';
import { otherFileArgs, refuseOtherFileArgs } from './text-edit.js';
import {
  isZip, parseUnarchiveAnswer, tarDifferences, tarFiles, TAR_FLAGS, UNARCHIVE_SCRIPT, zipFiles, type HandlerName, type UnarchiveAnswer,
} from './unarchive-probe.js';
import { checkZip, parseCrcs, parseEntryStat, type EntryStat, type ZipIds } from './unarchive-zip.js';

const noNewline = (l: string[]): boolean => l.every((x) => !x.includes('\n'));

export const UnarchiveArgs = argumentSpec(
  {
    src: z.string().min(1),
    dest: absPath,
    // No defaults for these two: `copy` and `remote_src` are mutually exclusive, and a default would count as given.
    remote_src: boolish.optional(),
    copy: boolish.optional(),
    creates: absPath.optional(),
    list_files: boolish.default(false),
    keep_newer: boolish.default(false),
    // Defaults after the mutual exclusion check (a default would count as given).
    exclude: strList.optional(),
    include: strList.optional(),
    extra_opts: strList.default([]),
    validate_certs: boolish.default(true),
    // Python's read buffer for the CRC of zip entries: the host's tools have their own.
    io_buffer_size: intArg.default(65536),
    decrypt: boolish.default(true),
    ...fileArgs,
    ...otherFileArgs,
  },
  { required: ['src', 'dest'], mutuallyExclusive: [['include', 'exclude'], ['copy', 'remote_src']] },
).superRefine((a, ctx) => {
  refuseOtherFileArgs(a, ctx);
  for (const k of ['exclude', 'include', 'extra_opts'] as const) {
    if (!noNewline(a[k] ?? [])) ctx.addIssue({ code: 'custom', path: [k], message: `${k}: items with a line break are not supported by kvmplay` });
  }
  const remote = a.remote_src ?? (a.copy === undefined ? false : !a.copy);
  if (remote && a.src.includes('://')) {
    ctx.addIssue({ code: 'custom', path: ['src'], message: 'a URL as src is not supported by kvmplay\'s unarchive: download it with get_url first, then unarchive it with remote_src: true' });
  }
}).transform((a) => ({ ...a, exclude: a.exclude ?? [], include: a.include ?? [], remote_src: a.remote_src ?? (a.copy === undefined ? false : !a.copy) }));
export type UnarchiveArgs = z.infer<typeof UnarchiveArgs>;

export type UnarchiveState =
  | { kind: 'creates' }
  | { kind: 'fail'; msg: string }
  | { kind: 'probed'; answer: UnarchiveAnswer; local: Buffer | null };

export type UnarchiveChange =
  | { kind: 'extract'; handler: HandlerName; excludes: string[] }
  | { kind: 'attrs'; paths: string[] };

const first = (ans: UnarchiveAnswer, key: string): string | undefined => ans.values.get(key)?.[0];

/** The script's parameters: dest, src, owner, group, keep_newer, the lists, the action, the handler. */
function scriptArgv(a: UnarchiveArgs, src: string, action: 'probe' | 'extract', handler = '', excludes?: string[]): string[] {
  // Ansible's tar handlers strip a trailing / from excludes.
  const ex = excludes ?? (a.exclude.map((e) => e.replace(/\/+$/, '')));
  return script(UNARCHIVE_SCRIPT, a.dest, src, a.owner ?? '', a.group ?? '', a.keep_newer ? '1' : '', a.extra_opts.join('\n'), ex.join('\n'), a.include.join('\n'), action, handler);
}

async function gatherUnarchive(host: Host, a: UnarchiveArgs, ctx: ModuleContext): Promise<UnarchiveState> {
  // Ansible's action plugin: creates first (nothing is sent when it exists), then dest.
  const pre = await mustRun(host, script('if [ -n "$1" ] && { [ -e "$1" ] || [ -L "$1" ]; }; then echo creates; elif [ ! -d "$2" ]; then echo nodest; else echo ok; fi', a.creates ?? '', a.dest), ctx, `cannot inspect ${a.dest}`);
  const said = pre.stdout.trim();
  if (said === 'creates') return { kind: 'creates' };
  if (said === 'nodest') return { kind: 'fail', msg: `dest '${a.dest}' must be an existing dir` };
  let local: Buffer | null = null;
  if (!a.remote_src) {
    try {
      local = (await ctx.readLocalFile(a.src, { decrypt: a.decrypt })).content;
    } catch (err) {
      return { kind: 'fail', msg: `Could not find or access '${a.src}' on the Ansible Controller: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const r = await mustRun(host, scriptArgv(a, local ? '-' : a.src, 'probe'), ctx, `cannot inspect ${a.src}`, local ? { stdin: local } : {});
  return { kind: 'probed', answer: parseUnarchiveAnswer(r.stdout), local };
}

function destData(ans: UnarchiveAnswer): ResultData {
  const [uid = '', gid = '', mode = '', size = '', owner = '', ...group] = (first(ans, 'destinfo') ?? '').trim().split(' ');
  if (uid === '') return {};
  return pathInfo({ kind: 'directory', uid: Number(uid), gid: Number(gid), mode: parseInt(mode, 8), size: Number(size), owner, group: group.join(' ') });
}

function zipIds(a: UnarchiveArgs, ans: UnarchiveAnswer): ZipIds {
  const [umask = '22', uid = '0', gid = '0', runOwner = '', runGroup = '', groups = ''] = (first(ans, 'ids') ?? '').split(' ');
  const [fo = '', fu = ''] = (first(ans, 'fut_owner') ?? '').split(':');
  const [fg = '', fgid = ''] = (first(ans, 'fut_group') ?? '').split(':');
  return {
    umask: parseInt(umask, 8), runUid: Number(uid), runGid: Number(gid), runOwner, runGroup, groups: groups.split(',').map(Number),
    futOwner: a.owner !== undefined && fo !== '' ? fo : runOwner, futUid: a.owner !== undefined && fu !== '' ? Number(fu) : Number(uid),
    futGroup: a.group !== undefined && fg !== '' ? fg : runGroup, futGid: a.group !== undefined && fgid !== '' ? Number(fgid) : Number(gid),
  };
}

/** The archive's entries and their top folders: what mode/owner/group go to. */
export function attrPaths(files: readonly string[]): string[] {
  const tops = new Set<string>();
  for (const f of files) if (f.includes('/')) tops.add(f.split('/')[0] ?? '');
  return [...files, ...[...tops].filter((t) => t !== '')];
}

export function planUnarchive(a: UnarchiveArgs, s: UnarchiveState): Plan<UnarchiveChange> | PlanFailure {
  if (s.kind === 'creates') return { changes: [], skippedWhenNothing: true, okMsg: `skipped, since ${a.creates ?? ''} exists` };
  if (s.kind === 'fail') return { fail: s.msg };
  const ans = s.answer;
  if (first(ans, 'fail') !== undefined) return { fail: first(ans, 'fail') ?? '' };
  const src = first(ans, 'src') ?? a.src;
  const handler = first(ans, 'handler') as HandlerName | undefined;
  if (!handler) {
    const reasons = [...new Set(ans.values.get('reason') ?? [])];
    return { fail: `Failed to find handler for "${src}". Make sure the required command to extract the file is installed.\n${reasons.join('\n')}` };
  }
  const data: ResultData = { handler, dest: a.dest, src, ...destData(ans) };
  const rc = Number(first(ans, 'diffrc') ?? '0');
  const out = first(ans, 'diffout') ?? '';
  const err = first(ans, 'differr') ?? '';
  let unarchived: boolean;
  let files: string[];
  let excludes = a.exclude.map((e) => e.replace(/\/+$/, ''));
  let prepared = '';
  if (isZip(handler)) {
    files = zipFiles(first(ans, 'list') ?? '', a.include, a.exclude);
    const stats = new Map<string, EntryStat>();
    for (const [name, st] of ans.stats) {
      const parsed = parseEntryStat(st.stat, st.crc);
      if (parsed) stats.set(name, parsed);
    }
    try {
      const check = checkZip({
        listing: out, rc, stats, crcs: parseCrcs(first(ans, 'crcs') ?? ''), ids: zipIds(a, ans), excludes: a.exclude, keepNewer: a.keep_newer,
        ...(a.mode !== undefined ? { mode: parseMode(a.mode) } : {}),
      });
      unarchived = check.unarchived;
      prepared = check.diff;
      excludes = [...a.exclude, ...check.newer];
    } catch (e) {
      return { fail: e instanceof Error ? e.message : String(e), data };
    }
  } else {
    files = tarFiles(first(ans, 'list') ?? '', excludes);
    if (files.length === 0) {
      return { fail: `Failed to find handler for "${src}". Make sure the required command to extract the file is installed.\nCommand "tar" found no files in archive. Empty archive files are not supported.` };
    }
    const idsLine = (first(ans, 'ids') ?? '').split(' ');
    unarchived = tarDifferences(out, err, { runUid: Number(idsLine[1] ?? '0'), owner: a.owner !== undefined, group: a.group !== undefined, mode: a.mode !== undefined }).length === 0;
  }
  if (a.list_files) data['files'] = files;
  const changes: UnarchiveChange[] = [];
  if (!unarchived) changes.push({ kind: 'extract', handler, excludes });
  if (a.mode !== undefined || a.owner !== undefined || a.group !== undefined) changes.push({ kind: 'attrs', paths: attrPaths(files) });
  return {
    changes,
    data,
    // Ansible's tar handlers do not run in check mode at all.
    ...(isZip(handler) ? {} : { skippedInCheck: true, checkMsg: 'remote module (unarchive) does not support check mode when using gtar' }),
    ...(prepared !== '' ? { diff: () => prepared } : {}),
  };
}

/** The argv Ansible reports in extract_results.cmd. */
export function extractCmd(a: UnarchiveArgs, handler: HandlerName, src: string, excludes: readonly string[], bin?: string): string[] {
  if (isZip(handler)) {
    return [bin ?? 'unzip', '-o', ...a.extra_opts, src, ...(excludes.length > 0 ? ['-x', ...excludes] : []), ...a.include, '-d', a.dest];
  }
  const flag = TAR_FLAGS.find(([h]) => h === handler)?.[1] ?? '';
  return [
    bin ?? 'tar', '--extract', '-C', a.dest, ...(flag ? [flag] : []), ...(a.extra_opts.length > 0 ? ['--show-transformed-names', ...a.extra_opts] : []),
    ...(a.owner !== undefined ? [`--owner=${a.owner}`] : []), ...(a.group !== undefined ? [`--group=${a.group}`] : []),
    ...(a.keep_newer ? ['--keep-newer-files'] : []), ...excludes.map((e) => `--exclude=${e}`), '-f', src, ...a.include,
  ];
}

// $1 dest, $2 mode for chmod (Ansible's: symbolic clauses without who are for all), $3
// owner, $4 group; the paths on stdin, one a line. Prints how many entries changed.
const ATTRS_SCRIPT = [
  'dest=$1 mode=$2 own=$3 grp=$4 n=0',
  'spec=$own; [ -z "$grp" ] || spec="$own:$grp"',
  'while IFS= read -r name; do',
  '  p=$dest/$name',
  '  [ -e "$p" ] || [ -L "$p" ] || continue',
  '  before=$(stat -c "%a %u %g" -- "$p")',
  '  if [ -n "$spec" ]; then chown -h -- "$spec" "$p" || exit 1; fi',
  '  if [ -n "$mode" ] && [ ! -L "$p" ]; then chmod -- "$mode" "$p" || exit 1; fi',
  '  [ "$(stat -c "%a %u %g" -- "$p")" = "$before" ] || n=$((n+1))',
  'done',
  'echo "$n"',
].join('\n');

async function applyUnarchive(host: Host, a: UnarchiveArgs, c: UnarchiveChange, ctx: ModuleContext, s: UnarchiveState): Promise<StepResult> {
  if (c.kind === 'attrs') {
    const mode = a.mode === undefined ? '' : recursiveModeArg(parseMode(a.mode));
    const r = await mustRun(host, script(ATTRS_SCRIPT, a.dest, mode, a.owner ?? '', a.group ?? ''), ctx, `cannot set the attributes under ${a.dest}`, { stdin: `${c.paths.filter((p) => !p.includes('\n')).join('\n')}\n` });
    const n = Number(r.stdout.trim());
    return n > 0 ? { msg: `attributes changed on ${n} entr${n === 1 ? 'y' : 'ies'}` } : { noop: true };
  }
  const local = s.kind === 'probed' ? s.local : null;
  const r = await host.run(scriptArgv(a, local ? '-' : a.src, 'extract', c.handler, c.excludes), runOptions(ctx, local ? { stdin: local } : {}));
  const ans = parseUnarchiveAnswer(r.stdout);
  const src = first(ans, 'src') ?? a.src;
  const failed = first(ans, 'fail');
  if (r.rc !== 0 || failed !== undefined) throw new TaskError(ctx.hostName, failed ?? `cannot unpack ${src}: ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  const results = { cmd: extractCmd(a, c.handler, src, c.excludes, first(ans, 'bin')), rc: Number(first(ans, 'rc') ?? '1'), out: first(ans, 'out') ?? '', err: first(ans, 'err') ?? '' };
  if (results.rc !== 0) {
    throw new TaskError(ctx.hostName, `failed to unpack ${src} to ${a.dest}`, { rc: results.rc, stderr: results.err, data: { extract_results: results } });
  }
  return { msg: `unpacked ${posix.basename(a.src)} into ${a.dest}`, data: { extract_results: results } };
}

export const unarchiveModule = defineModule({
  names: ['unarchive'],
  args: UnarchiveArgs,
  gather: gatherUnarchive,
  plan: planUnarchive,
  describe: (c: UnarchiveChange) => (c.kind === 'extract' ? `unpack the archive (${c.handler})` : 'set the attributes of the unpacked entries'),
  // Ansible does not apply mode/owner/group in check mode: only the extraction is reported there.
  counts: (c: UnarchiveChange) => c.kind === 'extract',
  apply: applyUnarchive,
});
