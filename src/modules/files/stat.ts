// `stat` (Ansible's stat): what a path is, in Ansible's result shape, from one probe
// (GNU stat, the checksum, `file` for the MIME type and lsattr when asked). Nothing changes.
import { z } from 'zod';
import { absPath, argumentSpec, boolish } from '../args.js';
import { mustRun, script } from '../remote.js';
import { defineModule } from '../runner.js';
import { parseLsattr, parseStatLine, STAT_FORMAT, statFields, fileType } from './stat-info.js';

export const CHECKSUM_ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

export const StatArgs = argumentSpec(
  {
    path: absPath.optional(),
    follow: boolish.default(false),
    get_checksum: boolish.default(true),
    // Defaults after the aliases are resolved (below): an alias with a default would always count as given.
    checksum_algorithm: z.enum(CHECKSUM_ALGORITHMS).optional(),
    get_mime: boolish.optional(),
    get_attributes: boolish.optional(),
    // Undocumented since Ansible 2.9 but still accepted by it: the file's md5 as `md5`.
    get_md5: boolish.default(false),
  },
  {
    aliases: { path: ['dest', 'name'], checksum_algorithm: ['checksum', 'checksum_algo'], get_mime: ['mime', 'mime_type', 'mime-type'], get_attributes: ['attr', 'attributes'] },
    required: ['path'],
  },
).transform((a) => ({ ...a, checksum_algorithm: a.checksum_algorithm ?? 'sha1', get_mime: a.get_mime ?? true, get_attributes: a.get_attributes ?? true }));
export type StatArgs = z.infer<typeof StatArgs>;

// $1 path, $2 follow (1|0), $3 checksum algorithm or '', $4 md5 (1|0), $5 mime, $6 attributes.
// One line each: the stat line (or `ERR message`), access bits (rwx as 1/0, by the kernel's
// access(): coreutils' test, not the shell's, which guesses from mode bits), checksum, md5,
// b64 realpath, b64 link target, b64 `file` output, b64 lsattr output ('-': not asked or failed).
export const STAT_SCRIPT = [
  'export LC_ALL=C',
  'p=$1; L=; [ "$2" = 1 ] && L=-L',
  `if ! st=$(stat $L -c '${STAT_FORMAT}' -- "$p" 2>&1); then printf 'ERR %s\\n' "$st"; exit 0; fi`,
  'printf "%s\\n" "$st"',
  'for t in r w x; do if env test -$t "$p"; then printf 1; else printf 0; fi; done; echo',
  'lnk=; if [ -z "$L" ] && [ -L "$p" ]; then lnk=1; fi',
  'reg=; if [ -z "$lnk" ] && [ -f "$p" ] && env test -r "$p"; then reg=1; fi',
  'if [ -n "$reg" ] && [ -n "$3" ]; then "$3"sum < "$p" | cut -d" " -f1 || echo -; else echo -; fi',
  'if [ -n "$reg" ] && [ "$4" = 1 ]; then md5sum < "$p" | cut -d" " -f1 || echo -; else echo -; fi',
  'if [ -n "$lnk" ]; then printf %s "$(readlink -m -- "$p")" | base64 -w0; echo; printf %s "$(readlink -- "$p")" | base64 -w0; echo; else echo -; echo -; fi',
  'if [ "$5" = 1 ] && command -v file >/dev/null && o=$(file -b --mime-type --mime-encoding -- "$p" 2>/dev/null); then printf %s "$o" | base64 -w0; echo; else echo -; fi',
  'if [ "$6" = 1 ] && o=$(lsattr -vd -- "$p" 2>/dev/null); then printf %s "$o" | base64 -w0; echo; else echo -; fi',
].join('\n');

export function statArgv(a: StatArgs): string[] {
  const flag = (b: boolean): string => (b ? '1' : '0');
  return script(STAT_SCRIPT, a.path, flag(a.follow), a.get_checksum ? a.checksum_algorithm : '', flag(a.get_md5), flag(a.get_mime), flag(a.get_attributes));
}

/** What the probe found: Ansible's `stat` dict, or the error os.stat raised. */
export type StatOutcome = { stat: Record<string, unknown> } | { error: string };

const unb64 = (s: string): string | null => (s === '-' || s === '' ? null : Buffer.from(s, 'base64').toString('utf8'));

/** `file -b --mime-type --mime-encoding` → mimetype and charset, 'unknown' where it says nothing usable (as stat.py). */
export function parseMime(out: string | null): { mimetype: string; charset: string } {
  const parts = out?.trim().split(';') ?? [];
  const charset = parts[1]?.split('=')[1];
  if (parts.length !== 2 || charset === undefined) return { mimetype: 'unknown', charset: 'unknown' };
  return { mimetype: (parts[0] ?? '').trim(), charset: charset.trim() };
}

/** STAT_SCRIPT's output → Ansible's `stat` (only `exists: false` for a missing path). Pure. */
export function parseStat(a: StatArgs, out: string): StatOutcome {
  const lines = out.split('\n');
  const [first = '', access = '', sum = '-', md5 = '-', source = '-', target = '-', mime = '-', attrs = '-'] = lines;
  if (first.startsWith('ERR ')) {
    // GNU stat: "stat: cannot statx '/p': No such file or directory": Python's strerror is the tail.
    const why = first.slice(4).split(': ').pop() ?? first;
    return why === 'No such file or directory' ? { stat: { exists: false } } : { error: why };
  }
  const st = parseStatLine(first);
  const stat: Record<string, unknown> = {
    exists: true,
    path: a.path,
    ...statFields(st),
    blocks: st.blocks,
    block_size: st.blockSize,
    device_type: st.rdev,
    readable: access[0] === '1',
    writeable: access[1] === '1',
    executable: access[2] === '1',
  };
  if (st.user !== null) stat['pw_name'] = st.user;
  if (st.group !== null) stat['gr_name'] = st.group;
  if (fileType(st.mode) === 'islnk') {
    stat['lnk_source'] = unb64(source) ?? a.path;
    stat['lnk_target'] = unb64(target) ?? '';
  }
  if (stat['isreg'] === true && stat['readable'] === true) {
    const hex = (h: string): string | null => (/^[0-9a-f]+$/.test(h) ? h : null);
    if (a.get_md5) stat['md5'] = hex(md5);
    if (a.get_checksum && hex(sum) !== null) stat['checksum'] = sum;
  }
  if (a.get_mime) Object.assign(stat, parseMime(unb64(mime)));
  if (a.get_attributes) Object.assign(stat, parseLsattr(unb64(attrs)));
  return { stat };
}

export const statModule = defineModule({
  names: ['stat'],
  args: StatArgs,
  async gather(host, a, ctx): Promise<StatOutcome> {
    const r = await mustRun(host, statArgv(a), ctx, `cannot stat ${a.path}`);
    return parseStat(a, r.stdout);
  },
  plan(_a, s) {
    if ('error' in s) return { fail: s.error };
    return { changes: [], okMsg: '', data: { stat: s.stat } };
  },
  describe: () => '',
  apply: async () => undefined,
});
