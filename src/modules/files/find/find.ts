// `find` (Ansible's find): files selected by name, type, age, size and content. GNU find
// lists the directories in one round trip (readdir order, lstat of each entry); the
// selection is pure (find-select.ts). A second round trip only when needed: the bytes
// of candidates for `contains` (matched here with Python's regex syntax, not grep's) or
// the sha1 of matches for `get_checksum`; with `follow`, linked directories are listed
// in further rounds, one per level of links. Nothing changes.
import { z } from 'zod';
import { argumentSpec, boolish } from '../../args.js';
import type { ModuleContext } from '../../module.js';
import { mustRun, script } from '../../remote.js';
import { defineModule, type ResultData } from '../../runner.js';
import type { Host } from '../../../transport/host.js';
import { rawFromFind } from '../stat-info.js';
import { selectFiles, type FileDetails, type FindInput, type FindParams, type Listing, maxDepthBelow } from './find-select.js';

/** Ansible's `list` of str: a list, or a comma-separated string; numbers become strings. */
const strList = z
  .union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()])
  .transform((v) => (Array.isArray(v) ? v.map(String) : typeof v === 'number' ? [String(v)] : v.split(',')));

const absList = strList.refine((l) => l.every((x) => x.startsWith('/')), {
  message: 'must be absolute paths (kvmplay does not expand ~ or $VARIABLES on the host)',
});

const intArg = z.union([z.number().int(), z.string().regex(/^\s*[-+]?\d+\s*$/).transform(Number)]);
const strArg = z.union([z.string(), z.number()]).transform(String);

export const FindArgs = argumentSpec(
  {
    paths: absList.optional(),
    // Its default ([]) after the aliases are resolved: an alias with a default would always count as given.
    patterns: strList.optional(),
    excludes: strList.optional(),
    contains: z.string().optional(),
    read_whole_file: boolish.default(false),
    file_type: z.enum(['any', 'directory', 'file', 'link']).default('file'),
    age: strArg.optional(),
    age_stamp: z.enum(['atime', 'ctime', 'mtime']).default('mtime'),
    size: strArg.optional(),
    recurse: boolish.default(false),
    hidden: boolish.default(false),
    follow: boolish.default(false),
    get_checksum: boolish.default(false),
    use_regex: boolish.default(false),
    depth: intArg.optional(),
  },
  { aliases: { paths: ['name', 'path'], patterns: ['pattern'], excludes: ['exclude'] }, required: ['paths'] },
).transform((a) => ({ ...a, patterns: a.patterns ?? [] }));
export type FindArgs = z.infer<typeof FindArgs>;

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** find.py's conversions of age and size; null where absent, undefined where it fails. */
export function parseAmount(value: string | undefined, units: Readonly<Record<string, number>>): number | null | undefined {
  if (value === undefined) return null;
  const m = new RegExp(`^(-?\\d+)([${Object.keys(units).join('')}])?$`).exec(value.toLowerCase());
  if (!m) return undefined;
  return Number(m[1]) * (units[m[2] ?? ''] ?? 1);
}

export function findParams(a: FindArgs): FindParams | { fail: string; data: ResultData } {
  const age = parseAmount(a.age, AGE_UNITS);
  if (age === undefined) return { fail: 'failed to process age', data: { age: a.age } };
  const size = parseAmount(a.size, SIZE_UNITS);
  if (size === undefined) return { fail: 'failed to process size', data: { size: a.size } };
  return {
    paths: a.paths,
    patterns: a.patterns,
    excludes: a.excludes ?? [],
    ...(a.contains !== undefined ? { contains: a.contains } : {}),
    readWholeFile: a.read_whole_file,
    fileType: a.file_type,
    age,
    ageStamp: a.age_stamp,
    size,
    recurse: a.recurse,
    hidden: a.hidden,
    follow: a.follow,
    getChecksum: a.get_checksum,
    useRegex: a.use_regex,
    depth: a.depth ?? null,
  };
}

// Per entry: E, lstat type, followed type, then the fields rawFromFind reads, then %P.
const ENTRY = 'E\\0%y\\0%Y\\0%m\\0%U\\0%G\\0%s\\0%i\\0%D\\0%n\\0%A@\\0%T@\\0%C@\\0%u\\0%g\\0%P\\0';
const ENTRY_FIELDS = 16;

// Arguments: pairs of -maxdepth ('' for none) and a directory. Per directory, NUL-separated:
// "T path D|N" (D: a directory), its entries, "X find's stderr" (the unreadable ones);
// the first field is the host's time (time.time() for `age`). -H: a listed path that is
// a symlink is followed (os.walk lists the directory it points to), nothing below it.
export const LIST_SCRIPT = [
  'export LC_ALL=C',
  'printf "%s\\0" "$(date +%s.%N)"',
  'while [ $# -ge 2 ]; do',
  '  md=$1 t=$2; shift 2',
  '  printf "T\\0%s\\0" "$t"',
  '  if [ -d "$t" ]; then printf "D\\0"; else printf "N\\0"; continue; fi',
  `  { e=$(find -H "$t" -mindepth 1 \${md:+-maxdepth $md} -printf '${ENTRY}' 2>&1 >&3); } 3>&1`,
  '  printf "X\\0%s\\0" "$e"',
  'done',
].join('\n');

// $1 sha1 (1|0), $2 content (1|0); stdin: NUL-separated paths. Per path: the sha1 (or
// nothing), NUL, the base64 bytes (or `-` when unreadable), NUL.
export const DETAILS_SCRIPT = [
  'export LC_ALL=C',
  `xargs -0 -r sh -c 'h=$1 c=$2; shift 2; for f; do`,
  `  if [ "$h" = 1 ]; then sha1sum < "$f" 2>/dev/null | cut -c1-40 | tr -d "\\n"; fi; printf "\\0"`,
  `  if [ "$c" = 1 ]; then base64 -w0 < "$f" 2>/dev/null || printf -; fi; printf "\\0"`,
  `done' kvmplay "$1" "$2"`,
].join('\n');

/** LIST_SCRIPT's output → the host's time and a listing per directory listed. */
export function parseListings(out: string): { now: number; listings: Map<string, Listing> } {
  const f = out.split('\0');
  const now = Number(f[0]);
  const listings = new Map<string, Listing>();
  let i = 1;
  let cur: Listing | null = null;
  while (i < f.length) {
    const tag = f[i];
    if (tag === 'T') {
      cur = { isDir: f[i + 2] === 'D', entries: [], errors: new Map() };
      listings.set(f[i + 1] ?? '', cur);
      i += 3;
    } else if (tag === 'E' && cur) {
      const [type = '', followType = '', ...rest] = f.slice(i + 1, i + ENTRY_FIELDS);
      cur.entries.push({ type, followType, st: rawFromFind(type, rest.slice(0, 12)), rel: rest[12] ?? '' });
      i += ENTRY_FIELDS;
    } else if (tag === 'X' && cur) {
      for (const line of (f[i + 1] ?? '').split('\n')) {
        const m = /^find: '(.*)': ([^:]+)$/.exec(line);
        if (m) cur.errors.set(m[1] ?? '', m[2] ?? '');
      }
      i += 2;
    } else if (tag === '' && i === f.length - 1) {
      break;
    } else {
      throw new Error(`unexpected output from the find listing at field ${i}: ${JSON.stringify(tag?.slice(0, 80))}`);
    }
  }
  if (!Number.isFinite(now)) throw new Error('unexpected output from the find listing: no time');
  return { now, listings };
}

export function parseDetails(paths: readonly string[], out: string, sha: boolean, content: boolean): Map<string, FileDetails> {
  const f = out.split('\0');
  const details = new Map<string, FileDetails>();
  paths.forEach((p, n) => {
    const sum = f[2 * n] ?? '';
    const b64 = f[2 * n + 1] ?? '-';
    details.set(p, {
      ...(sha ? { sha1: /^[0-9a-f]{40}$/.test(sum) ? sum : null } : {}),
      ...(content ? { content: b64 === '-' ? null : Buffer.from(b64, 'base64') } : {}),
    });
  });
  return details;
}

// Levels of linked directories followed: past this, os.walk would meet ELOOP anyway.
const MAX_LINK_LEVELS = 40;

async function list(host: Host, ctx: ModuleContext, dirs: ReadonlyArray<readonly [string, number | null]>): Promise<{ now: number; listings: Map<string, Listing> }> {
  const args = dirs.flatMap(([path, md]) => [md === null ? '' : String(md), path]);
  const r = await mustRun(host, script(LIST_SCRIPT, ...args), ctx, 'cannot list the paths');
  return parseListings(r.stdout);
}

export interface FindState {
  params: FindParams | { fail: string; data: ResultData };
  input: FindInput | null;
}

async function gatherFind(host: Host, a: FindArgs, ctx: ModuleContext): Promise<FindState> {
  const params = findParams(a);
  if ('fail' in params) return { params, input: null };
  const top = maxDepthBelow(params, 0);
  const first = await list(host, ctx, params.paths.map((p) => [p, top] as const));
  const input: FindInput = { now: first.now, tops: first.listings, linked: new Map(), details: new Map() };
  let sel = selectFiles(params, input);
  for (let level = 0; sel.listLinked.size > 0; level++) {
    if (level >= MAX_LINK_LEVELS) {
      for (const path of sel.listLinked.keys()) input.linked.set(path, { isDir: true, entries: [], errors: new Map([[path, 'Too many levels of symbolic links']]) });
    } else {
      const more = await list(host, ctx, [...sel.listLinked]);
      for (const [path, l] of more.listings) input.linked.set(path, l);
    }
    sel = selectFiles(params, input);
  }
  const paths = [...new Set([...sel.needContent, ...sel.needChecksum])];
  if (paths.length > 0) {
    const sha = sel.needChecksum.length > 0 && sel.needContent.length === 0;
    const content = sel.needContent.length > 0;
    const r = await mustRun(host, script(DETAILS_SCRIPT, sha ? '1' : '0', content ? '1' : '0'), ctx, 'cannot read the files found', {
      stdin: Buffer.from(paths.map((p) => `${p}\0`).join('')),
    });
    input.details = parseDetails(paths, r.stdout, sha, content);
    // The bytes of files that then match `contains` give their sha1 here; a sha1 still missing is read now.
    const again = selectFiles(params, input);
    if (again.needChecksum.length > 0) {
      const r2 = await mustRun(host, script(DETAILS_SCRIPT, '1', '0'), ctx, 'cannot read the files found', {
        stdin: Buffer.from(again.needChecksum.map((p) => `${p}\0`).join('')),
      });
      for (const [p, d] of parseDetails(again.needChecksum, r2.stdout, true, false)) input.details.set(p, d);
    }
  }
  return { params, input };
}

export const findFilesModule = defineModule({
  names: ['find'],
  args: FindArgs,
  gather: gatherFind,
  plan(_a, s) {
    if ('fail' in s.params) return s.params;
    if (!s.input) return { fail: 'nothing was listed' };
    const sel = selectFiles(s.params, s.input);
    const partial = Object.keys(sel.skipped).length > 0;
    return {
      changes: [],
      okMsg: partial ? 'Not all paths examined, check warnings for details' : 'All paths examined',
      data: {
        files: sel.files,
        matched: sel.files.length,
        examined: sel.examined,
        skipped_paths: sel.skipped,
        ...(sel.warnings.length > 0 ? { warnings: sel.warnings } : {}),
      },
    };
  },
  describe: () => '',
  apply: async () => undefined,
});
