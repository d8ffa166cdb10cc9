// `get_url` (Ansible's get_url): the host downloads a URL to dest. Ansible's decisions:
// with force=no an existing dest is asked for again only if the server has something
// newer (If-Modified-Since; a 304 is ok), and kept if the bytes are the same; with a
// checksum, a dest that matches is not downloaded at all; a directory dest gets the
// server's (or the URL's) file name and is always downloaded. The download runs on the
// host (get-url-fetch.ts, Python's urllib as in Ansible); the file goes into place
// through put-file.ts's safe write (private staging directory, rename).
import { posix } from 'node:path';
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { absPath, argumentSpec, boolish, fileArgs } from '../args.js';
import { planAttrs } from './attrs.js';
import { planContent } from './content-writer.js';
import {
  fetchArgv, parseAnswer, type FetchAnswer, type FetchInfo, type FetchRequest, type PathInfo, type ProbeAnswer, type ProbeRequest, type RequestOptions,
} from './get-url-fetch.js';
import { formatMode, parseMode } from './mode.js';
import type { ModuleContext } from '../module.js';
import { backupPath, writeArgv, WRITE_SCRIPT } from './put-file.js';
import { newFileMode, type RemoteFile } from './remote-file.js';
import { mustRun, runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure, type ResultData, type StepResult } from '../runner.js';
import { otherFileArgs, refuseOtherFileArgs } from './text-edit.js';
import { pyStr } from '../../jinja/values.js';

/** Ansible's `list` of str: a list, or a comma-separated string; numbers become strings. */
export const strList = z
  .union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()])
  .transform((v) => (Array.isArray(v) ? v.map(String) : typeof v === 'number' ? [String(v)] : v.split(',')));

/** Ansible's `int`: a number or a string of digits. */
export const intArg = z.union([z.number().int(), z.string().regex(/^\s*[-+]?\d+\s*$/).transform(Number)]);

/** The hashlib algorithms a checksum may name (hexdigest without a length). */
export const HASH_ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'blake2b', 'blake2s', 'sha3_224', 'sha3_256', 'sha3_384', 'sha3_512'];

const URL_SCHEMES = ['http', 'https', 'ftp', 'file'];
const scheme = (url: string): string => /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase() ?? '';

export const GetUrlArgs = argumentSpec(
  {
    url: z.string().min(1),
    dest: absPath,
    backup: boolish.default(false),
    checksum: z.string().default(''),
    // No default here: an alias (thirsty) would otherwise always count as given.
    force: boolish.optional(),
    timeout: intArg.default(10),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    tmp_dest: absPath.optional(),
    unredirected_headers: strList.default([]),
    decompress: boolish.default(true),
    ciphers: strList.optional(),
    use_netrc: boolish.default(true),
    http_agent: z.string().default('ansible-httpget'),
    use_proxy: boolish.default(true),
    validate_certs: boolish.default(true),
    url_username: z.string().optional(),
    url_password: z.union([z.string(), z.number()]).transform(String).optional(),
    force_basic_auth: boolish.default(false),
    client_cert: absPath.optional(),
    client_key: absPath.optional(),
    use_gssapi: boolish.default(false),
    ...fileArgs,
    ...otherFileArgs,
  },
  { aliases: { url_username: ['username'], url_password: ['password'], force: ['thirsty'] }, required: ['url', 'dest'] },
).superRefine((a, ctx) => {
  refuseOtherFileArgs(a, ctx);
  const issue = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
  if (a.use_gssapi) issue('use_gssapi', '"use_gssapi" is not supported by kvmplay (GSSAPI/Kerberos authentication)');
  if (!URL_SCHEMES.includes(scheme(a.url))) issue('url', `must be an http, https, ftp or file URL: ${a.url}`);
}).transform((a) => ({ ...a, force: a.force ?? false }));
export type GetUrlArgs = z.infer<typeof GetUrlArgs>;

/** The checksum argument resolved to an algorithm and the hex digest dest must have. */
export type Checksum = { algo: string; hex: string } | { fail: string } | null;

/** `algo:value` split; value may be a URL of a checksum file. */
export function splitChecksum(checksum: string): { algo: string; value: string } | null {
  const i = checksum.indexOf(':');
  return i < 0 ? null : { algo: checksum.slice(0, i), value: checksum.slice(i + 1) };
}

export function isChecksumUrl(value: string): boolean {
  return URL_SCHEMES.includes(scheme(value));
}

/** Ansible's url_filename: the last path component of the URL, or index.html. */
export function urlFilename(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  }
  return posix.basename(path) || 'index.html';
}

/** A checksum file's lines (Python's universal newlines): `HASH  name` lines, or one bare hash. */
export function checksumFromFile(text: string, filename: string): string | null {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const map: Array<[string, string]> = [];
  if (lines.length === 1 && (lines[0] ?? '').trim().split(/\s+/).length === 1) map.push([lines[0] ?? '', filename]);
  else {
    for (const line of lines) {
      const i = line.indexOf(' ');
      if (i < 0) continue;
      let name = line.slice(i + 1);
      if (name.startsWith(' ') || name.startsWith('*')) name = name.slice(1);
      map.push([line.slice(0, i), name.replace(/^[./]+/, '')]);
    }
  }
  return map.find(([, f]) => f === filename)?.[0] ?? null;
}

/** The checksum argument → algorithm and digest (fetched text for a URL), or Ansible's failure. Pure. */
export function resolveChecksum(a: Pick<GetUrlArgs, 'checksum' | 'url' | 'dest'>, fetched: ProbeAnswer['checksum']): Checksum {
  if (a.checksum === '') return null;
  const parts = splitChecksum(a.checksum);
  if (!parts) return { fail: 'The checksum parameter has to be in format <algorithm>:<checksum>' };
  let value: string | null = parts.value;
  if (isChecksumUrl(parts.value)) {
    if (!fetched) return { fail: `the checksum file ${parts.value} was not fetched` };
    if (fetched.fail) return { fail: fetched.fail };
    value = checksumFromFile(fetched.text ?? '', urlFilename(a.url));
    if (value === null) return { fail: `Unable to find a checksum for file '${urlFilename(a.url)}' in '${parts.value}'` };
  }
  // Python's re.sub(r'\W+', '') then int(x, 16): zero-width spaces and separators go, the rest must be hex.
  const hex = value.replace(/[^\p{L}\p{N}_]+/gu, '').toLowerCase();
  if (!/^(0x)?[0-9a-f](_?[0-9a-f])*$/.test(hex)) return { fail: 'The checksum format is invalid' };
  if (!HASH_ALGORITHMS.includes(parts.algo)) {
    return { fail: `Could not hash file '${a.dest}' with algorithm '${parts.algo}'. Available algorithms: ${HASH_ALGORITHMS.join(', ')}` };
  }
  return { algo: parts.algo, hex };
}

export interface GetUrlState {
  probe: ProbeAnswer;
  /** What the download found, for the message when it changed nothing (the runner reads okMsg after apply). */
  outcome: { msg?: string };
}

export type GetUrlChange =
  | { kind: 'download'; url: string; dest: string; force: boolean; ims: number | null; checksum: { algo: string; hex: string } | null }
  | { kind: 'attrs'; dest: string; mode: number | null; chown: string | null };

/** Ansible's path information of a result (add_path_info): who owns dest, its mode, kind and size. */
export function pathInfo(p: Pick<PathInfo, 'kind' | 'mode' | 'uid' | 'gid' | 'owner' | 'group' | 'size'>): ResultData {
  if (p.kind === 'absent') return {};
  return {
    uid: p.uid, gid: p.gid, owner: p.owner ?? String(p.uid), group: p.group ?? String(p.gid),
    mode: p.mode === undefined ? undefined : formatMode(p.mode),
    state: p.kind === 'directory' ? 'directory' : p.kind === 'link' ? 'link' : 'file', size: p.size,
  };
}

function requestOptions(a: GetUrlArgs): RequestOptions {
  const o: RequestOptions = {
    headers: Object.fromEntries(Object.entries(a.headers ?? {}).map(([k, v]) => [k, pyStr(v)])),
    force_basic_auth: a.force_basic_auth, use_netrc: a.use_netrc, use_proxy: a.use_proxy, validate_certs: a.validate_certs,
    http_agent: a.http_agent, timeout: a.timeout, unredirected_headers: a.unredirected_headers, decompress: a.decompress,
  };
  if (a.url_username !== undefined) o.username = a.url_username;
  if (a.url_password !== undefined) o.password = a.url_password;
  if (a.ciphers) o.ciphers = a.ciphers;
  if (a.client_cert !== undefined) o.client_cert = a.client_cert;
  if (a.client_key !== undefined) o.client_key = a.client_key;
  return o;
}

async function runScript<T>(host: Host, ctx: ModuleContext, mode: 'probe' | 'fetch', req: ProbeRequest | FetchRequest): Promise<T> {
  const r = await host.run(fetchArgv(mode), runOptions(ctx, { stdin: JSON.stringify(req) }));
  if (r.timedOut) throw new TaskError(ctx.hostName, `get_url: timed out (${req.timeout}s per request)`, { rc: r.rc, stderr: r.stderr });
  if (r.rc !== 0) throw new TaskError(ctx.hostName, r.stderr.trim() || `get_url: exit status ${r.rc}`, { rc: r.rc, stderr: r.stderr });
  return parseAnswer<T>(r.stdout, r.stderr);
}

export function planGetUrl(a: GetUrlArgs, s: GetUrlState): Plan<GetUrlChange> | PlanFailure {
  const base: ResultData = { dest: a.dest, url: a.url, elapsed: 0, checksum_dest: null, checksum_src: null };
  const ck = resolveChecksum(a, s.probe.checksum);
  if (ck && 'fail' in ck) return { fail: ck.fail, data: base };
  const d = s.probe.dest;
  let force = a.force;
  let ims: number | null = null;
  if (!d.isdir && d.exists) {
    const mismatch = !a.force && ck !== null && d.sums?.[ck.algo] !== ck.hex;
    if (!a.force && ck && !mismatch) {
      const mode = a.mode === undefined ? undefined : parseMode(a.mode);
      const want = { ...(mode ? { mode } : {}), ...(a.owner !== undefined ? { owner: a.owner } : {}), ...(a.group !== undefined ? { group: a.group } : {}) };
      const cur = { mode: d.mode ?? null, uid: d.uid ?? null, gid: d.gid ?? null, owner: d.owner ?? null, group: d.group ?? null };
      const p = planAttrs(want, cur, false, newFileMode(s.probe.umask));
      const changes: GetUrlChange[] = p.mode !== null || p.chown !== null ? [{ kind: 'attrs', dest: a.dest, mode: p.mode, chown: p.chown }] : [];
      const after = { ...d, ...(p.mode !== null ? { mode: p.mode } : {}), ...(a.owner !== undefined ? { owner: a.owner } : {}), ...(a.group !== undefined ? { group: a.group } : {}) };
      return { changes, okMsg: 'file already exists', data: { ...base, ...pathInfo(after) } };
    }
    // Ask the server only for something newer than dest, unless a checksum mismatch forces it.
    ims = d.mtime === undefined ? null : Math.floor(d.mtime);
    if (mismatch) force = true;
  }
  return {
    changes: [{ kind: 'download', url: a.url, dest: a.dest, force, ims: force ? null : ims, checksum: ck }],
    // The checksums come with the download: a 304 or a failed request has none (as in Ansible).
    data: { dest: a.dest, url: a.url, elapsed: 0 },
    get okMsg() {
      return s.outcome.msg ?? 'up to date';
    },
  };
}

export function describeGetUrl(c: GetUrlChange): string {
  return c.kind === 'download' ? `download ${c.url} to ${c.dest}` : `set the attributes of ${c.dest}`;
}

function remoteOf(path: string, p: PathInfo, umask: number): RemoteFile {
  return {
    path, kind: p.kind, parent: p.parent, mode: p.mode ?? null, uid: p.uid ?? null, gid: p.gid ?? null,
    owner: p.owner ?? null, group: p.group ?? null, size: p.size ?? null,
    sha256: p.kind === 'file' ? p.sums?.['sha256'] ?? null : null, linkTarget: p.target ?? null,
    otherExists: null, content: null, umask, dirWritableBy: [],
  };
}

// $1 the write script, $2 the downloaded file, then the write script's parameters
// (dest first): the file goes in through the safe write, is removed, dest is stat'ed.
const PUT_DOWNLOADED = [
  'w=$1 src=$2; shift 2',
  'sh -c "$w" kvmplay "$@" < "$src"; rc=$?',
  'rm -f -- "$src"',
  '[ "$rc" -eq 0 ] || exit "$rc"',
  'stat -c "%u %g %a %s %U %G" -- "$1"',
].join('\n');

function statInfo(line: string): PathInfo {
  const [uid = '', gid = '', mode = '', size = '', owner = '', ...group] = line.trim().split(' ');
  return { kind: 'file', exists: true, isdir: false, parent: 'directory', uid: Number(uid), gid: Number(gid), mode: parseInt(mode, 8), size: Number(size), owner, group: group.join(' ') };
}

async function applyDownload(host: Host, a: GetUrlArgs, c: Extract<GetUrlChange, { kind: 'download' }>, ctx: ModuleContext, s: GetUrlState): Promise<StepResult> {
  const req: FetchRequest = {
    ...requestOptions(a), url: a.url, dest: a.dest, dest_is_dir: s.probe.dest.isdir, algo: c.checksum?.algo ?? null,
    tmp_dest: a.tmp_dest ?? null, ims: c.ims, force: c.force,
  };
  const got = await runScript<FetchAnswer>(host, ctx, 'fetch', req);
  const data: ResultData = { dest: a.dest, url: a.url, elapsed: got.elapsed };
  const failWith = (msg: string, extra: ResultData = {}): never => {
    throw new TaskError(ctx.hostName, msg, { data: { ...data, ...extra } });
  };
  if (got.fail !== undefined) failWith(got.fail, statusData(got));
  if (got.status === 304) {
    s.outcome.msg = got.msg;
    return { noop: true, data: { url: a.url, dest: a.dest, status_code: 304, elapsed: got.elapsed, ...pathInfo(s.probe.dest) } };
  }
  const final = got.final ?? a.dest;
  const fi = got.finalInfo;
  const tmp = got.tmp;
  if (!fi || !tmp || !got.sums) return failWith(`unexpected answer from the download script for ${a.url}`);
  const dropTmp = (...more: string[]): Promise<unknown> => host.run(['rm', '-f', '--', tmp, ...more], runOptions(ctx));
  Object.assign(data, { dest: final, src: tmp, checksum_src: got.sums['sha1'] ?? null, checksum_dest: fi.exists ? fi.sums?.['sha1'] ?? null : null });
  if (!fi.exists && fi.parent !== 'directory') {
    await dropTmp();
    failWith(`Destination ${posix.dirname(final)} does not exist`);
  }
  if (c.checksum && got.sums[c.checksum.algo] !== c.checksum.hex) {
    // Ansible moves the file into place, then removes it: dest is gone either way.
    await dropTmp(final);
    failWith(`The checksum for ${final} did not match ${c.checksum.hex}; it was ${got.sums[c.checksum.algo] ?? '?'}.`);
  }
  const mode = a.mode === undefined ? undefined : parseMode(a.mode);
  const plan = planContent({
    sha256: got.sums['sha256'] ?? '', force: true, makeParent: false,
    ...(mode ? { mode } : {}), ...(a.owner !== undefined ? { owner: a.owner } : {}), ...(a.group !== undefined ? { group: a.group } : {}),
  }, remoteOf(final, fi, got.umask ?? 0o022));
  const done: ResultData = { ...data, status_code: got.status, md5sum: got.sums['md5'] ?? null };
  if (plan.kind === 'fail') {
    await dropTmp();
    return failWith(plan.msg);
  }
  if (plan.kind === 'keep') {
    await dropTmp();
    s.outcome.msg = got.msg;
    return { noop: true, data: { ...done, ...pathInfo(fi) } };
  }
  const backupTo = a.backup && plan.write && fi.kind === 'file' ? backupPath(final) : null;
  const put = writeArgv({ path: final, content: Buffer.alloc(0), mode: plan.mode, chown: plan.chown, keepOwner: plan.keepOwner, backupTo, makeParent: false }, []);
  const r = await mustRun(host, script(PUT_DOWNLOADED, WRITE_SCRIPT, tmp, ...put.slice(4)), ctx, `cannot write ${final}`);
  return {
    msg: got.msg,
    data: { ...done, ...pathInfo(statInfo(r.stdout)), ...(backupTo ? { backup_file: backupTo } : {}) },
  };
}

function statusData(f: FetchInfo): ResultData {
  return {
    ...(f.status !== -1 || f.response !== undefined ? { status_code: f.status } : {}),
    ...(f.response !== undefined ? { response: f.response } : {}),
  };
}

export const getUrlModule = defineModule({
  names: ['get_url'],
  args: GetUrlArgs,
  async gather(host, a, ctx): Promise<GetUrlState> {
    const parts = splitChecksum(a.checksum);
    const req: ProbeRequest = {
      ...requestOptions(a), dest: a.dest, force: a.force,
      algo: parts && HASH_ALGORITHMS.includes(parts.algo) ? parts.algo : null,
      checksum_url: parts && isChecksumUrl(parts.value) ? parts.value : null,
    };
    return { probe: await runScript<ProbeAnswer>(host, ctx, 'probe', req), outcome: {} };
  },
  plan: planGetUrl,
  describe: describeGetUrl,
  async apply(host, a, c, ctx, s) {
    if (c.kind === 'download') return applyDownload(host, a, c, ctx, s);
    if (c.mode !== null) await mustRun(host, ['chmod', '--', formatMode(c.mode), a.dest], ctx, `cannot chmod ${a.dest}`);
    if (c.chown !== null) await mustRun(host, ['chown', '--', c.chown, a.dest], ctx, `cannot chown ${a.dest}`);
    const r = await mustRun(host, ['stat', '-c', '%u %g %a %s %U %G', '--', a.dest], ctx, `cannot stat ${a.dest}`);
    return { msg: 'file already exists but file attributes changed', data: pathInfo(statInfo(r.stdout)) };
  },
});
