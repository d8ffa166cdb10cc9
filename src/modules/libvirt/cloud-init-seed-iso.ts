// The seed ISO on the hypervisor: which tool builds it, the shell scripts that look
// at it and build it (values as positional parameters, never in the script text),
// and reading its primary volume descriptor. Parsing and choosing are pure.
//
// Where the content hash lives: in the ISO itself, as the application id of its
// primary volume descriptor (`KVMPLAY CIDATA SHA256 <hex>`). One 2 KiB read at a fixed
// offset (dd, so no ISO tool is needed to look) says whether the ISO is the wanted
// seed. A sidecar `PATH.sha256` would be a second file to keep in step with the
// ISO (a rename replaces both at once only if there is one file), would survive the
// ISO being removed or replaced by hand, and would show up as a volume of a libvirt
// directory pool. Reading the files back (isoinfo -x, xorriso -extract) needs one of
// those tools: it is done only to show the old content in --diff.
import type { SeedFile } from './cloud-init-seed-render.js';

/** The tools that build an ISO, in the order they are preferred. */
export const BUILDERS = ['genisoimage', 'xorriso', 'mkisofs', 'cloud-localds'] as const;
export type Builder = (typeof BUILDERS)[number];
/** The tools that read a file back out of an ISO, in the order they are preferred. */
export const READERS = ['isoinfo', 'xorriso'] as const;
export type Reader = (typeof READERS)[number];

export const NO_BUILDER = 'no tool to build the cloud-init seed ISO: install genisoimage (Debian, Ubuntu, RHEL 8, Fedora) or xorriso (RHEL 9 and later); mkisofs or cloud-localds (cloud-image-utils) work too';

export const VOLUME_LABEL = 'cidata';
const APP_ID_PREFIX = 'KVMPLAY CIDATA SHA256 ';

/** The application id that records a seed's hash (upper case: ISO 9660's a-characters). */
export function applicationId(hash: string): string {
  return `${APP_ID_PREFIX}${hash.toUpperCase()}`;
}

/** The hash an application id records, or null for an ISO kvmplay did not make. */
export function hashOfApplicationId(appId: string): string | null {
  return appId.startsWith(APP_ID_PREFIX) ? appId.slice(APP_ID_PREFIX.length).toLowerCase() : null;
}

export function chooseBuilder(found: readonly string[]): Builder | null {
  return BUILDERS.find((t) => found.includes(t)) ?? null;
}

export function chooseReader(found: readonly string[]): Reader | null {
  return READERS.find((t) => found.includes(t)) ?? null;
}

// Sector 16 holds the primary volume descriptor; its application id is 128 bytes at 574.
const PVD_OFFSET = 16 * 2048;
const APP_ID_AT = 574;
const APP_ID_LENGTH = 128;

/** The volume label and application id of a primary volume descriptor; null: not an ISO 9660 one. */
export function parseVolumeDescriptor(sector: Buffer): { label: string; appId: string } | null {
  if (sector.length < APP_ID_AT + APP_ID_LENGTH || sector[0] !== 1 || sector.subarray(1, 6).toString('latin1') !== 'CD001') return null;
  const text = (from: number, length: number): string => sector.subarray(from, from + length).toString('latin1').replace(/[ \0]+$/, '');
  return { label: text(40, 32), appId: text(APP_ID_AT, APP_ID_LENGTH) };
}

/** The ISO file as the probe saw it. */
export type IsoFile =
  | { kind: 'absent'; parent: boolean }
  | { kind: 'directory' | 'link' | 'other' }
  | {
      kind: 'file';
      mode: number;
      uid: number;
      gid: number;
      owner: string | null;
      group: string | null;
      /** null: not an ISO 9660 image. */
      volume: { label: string; appId: string } | null;
    };

export interface IsoProbe {
  /** The ISO tools found on the host's PATH. */
  tools: string[];
  file: IsoFile;
}

// $1 the ISO's path. Prints `tools …`, `parent yes|no`, `kind …`, and for a file its
// `stat` and its primary volume descriptor (base64).
export const PROBE_SCRIPT = [
  'path=$1',
  `printf tools; for t in ${[...new Set<string>([...BUILDERS, ...READERS])].join(' ')}; do if command -v "$t" >/dev/null 2>&1; then printf ' %s' "$t"; fi; done; echo`,
  'dir=${path%/*}; [ -n "$dir" ] || dir=/',
  'if [ -d "$dir" ]; then echo parent yes; else echo parent no; fi',
  'if [ -L "$path" ]; then echo kind link',
  'elif [ -d "$path" ]; then echo kind directory',
  'elif [ -f "$path" ]; then',
  '  echo kind file',
  '  stat -c "stat %a %u %g %U %G" -- "$path"',
  `  printf 'pvd '; dd if="$path" bs=2048 skip=${PVD_OFFSET / 2048} count=1 2>/dev/null | base64 | tr -d '\\n'; echo`,
  'elif [ -e "$path" ]; then echo kind other',
  'else echo kind absent; fi',
].join('\n');

export function parseProbe(stdout: string): IsoProbe {
  const lines = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    lines.set(sp < 0 ? line : line.slice(0, sp), sp < 0 ? '' : line.slice(sp + 1));
  }
  const tools = (lines.get('tools') ?? '').split(' ').filter(Boolean);
  const kind = lines.get('kind');
  if (kind === 'absent') return { tools, file: { kind: 'absent', parent: lines.get('parent') === 'yes' } };
  if (kind === 'directory' || kind === 'link' || kind === 'other') return { tools, file: { kind } };
  const stat = /^([0-7]+) (\d+) (\d+) (\S+) (\S+)$/.exec(lines.get('stat') ?? '');
  if (kind !== 'file' || !stat) throw new Error(`unexpected answer from the seed ISO probe: ${stdout.slice(0, 300)}`);
  const name = (s: string | undefined): string | null => (s === undefined || s === 'UNKNOWN' ? null : s);
  return {
    tools,
    file: {
      kind: 'file', mode: parseInt(stat[1] ?? '0', 8), uid: Number(stat[2]), gid: Number(stat[3]), owner: name(stat[4]), group: name(stat[5]),
      volume: parseVolumeDescriptor(Buffer.from(lines.get('pvd') ?? '', 'base64')),
    },
  };
}

/**
 * The builder's argv, run inside the build's private folder where the seed files are
 * in `seed/`; it writes `new.iso`. Joliet and Rock Ridge (`-J -r`: names as written,
 * world-readable modes inside the image), label `cidata` as NoCloud looks for it.
 * cloud-localds takes no application id: the build script writes it afterwards.
 */
export function builderArgv(tool: Builder, appId: string, files: readonly SeedFile[]): string[] {
  const has = (name: string): boolean => files.some((f) => f.name === name);
  switch (tool) {
    case 'genisoimage':
    case 'mkisofs':
      return [tool, '-quiet', '-o', 'new.iso', '-V', VOLUME_LABEL, '-A', appId, '-J', '-r', 'seed'];
    case 'xorriso':
      return ['xorriso', '-as', 'mkisofs', '-quiet', '-o', 'new.iso', '-V', VOLUME_LABEL, '-A', appId, '-J', '-r', 'seed'];
    case 'cloud-localds':
      return ['cloud-localds', ...(has('network-config') ? ['-N', 'seed/network-config'] : []), 'new.iso', 'seed/user-data', 'seed/meta-data'];
  }
}

/** Whether the build script must write the application id itself (the builder cannot). */
export function stampsAppId(tool: Builder): boolean {
  return tool === 'cloud-localds';
}

/**
 * The seed files on the build's standard input: one line of base64 per file of
 * SEED_FILE_NAMES, empty for a file the seed has not (network-config).
 */
export function seedStdin(files: readonly SeedFile[]): string {
  return ['user-data', 'meta-data', 'network-config'].map((n) => Buffer.from(files.find((f) => f.name === n)?.content ?? '').toString('base64')).join('\n') + '\n';
}

// $1 the ISO's path, $2 its mode (octal), $3 chown argument (or ''), $4 uid:gid to
// keep (or ''), $5 the application id to write into the image (or ''); the rest: the
// builder's argv. In a private folder (mktemp -d, 0700) beside the ISO, so the final
// rename stays on one file system and is atomic: readers (a guest booting) see the
// old seed or the new one. The folder goes away whatever happens.
export const BUILD_SCRIPT = [
  'dest=$1 mode=$2 own=$3 keep=$4 stamp=$5; shift 5',
  'dir=${dest%/*} name=${dest##*/}; [ -n "$dir" ] || dir=/',
  'set -e',
  'cd -P -- "$dir"',
  'top=$(pwd -P) priv=',
  'trap \'cd "$top" && if [ -n "$priv" ]; then rm -rf -- "$priv"; fi\' EXIT',
  'umask 077',
  'priv=$(mktemp -d .kvmplay-cidata-XXXXXXXXXX)',
  'cd -P -- "$priv"',
  'mkdir seed',
  'IFS= read -r ud; IFS= read -r md; IFS= read -r nc || :',
  'printf %s "$ud" | base64 -d > seed/user-data',
  'printf %s "$md" | base64 -d > seed/meta-data',
  'if [ -n "$nc" ]; then printf %s "$nc" | base64 -d > seed/network-config; fi',
  '"$@" >&2',
  `if [ -n "$stamp" ]; then printf '%-${APP_ID_LENGTH}s' "$stamp" | dd of=new.iso bs=1 seek=${PVD_OFFSET + APP_ID_AT} count=${APP_ID_LENGTH} conv=notrunc 2>/dev/null; fi`,
  'chmod -- "$mode" new.iso',
  'if [ -n "$keep" ]; then chown -- "$keep" new.iso 2>/dev/null || :; fi',
  'if [ -n "$own" ]; then chown -- "$own" new.iso; fi',
  'mv -T -- new.iso "../$name"',
].join('\n');

// $1 the ISO's path, $2 the reader; the rest: file names. Prints `NAME BASE64` per
// file (an empty base64: the image has no such file). Only for --diff.
export const READ_BACK_SCRIPT = [
  'iso=$1 reader=$2; shift 2',
  'set -e',
  'tmp=$(mktemp -d); trap \'rm -rf -- "$tmp"\' EXIT',
  'for f; do',
  '  if [ "$reader" = isoinfo ]; then isoinfo -R -i "$iso" -x "/$f" > "$tmp/$f"',
  '  else xorriso -osirrox on -indev "$iso" -extract "/$f" "$tmp/$f" >/dev/null 2>&1 || : > "$tmp/$f"; fi',
  '  printf \'%s \' "$f"; base64 < "$tmp/$f" | tr -d \'\\n\'; echo',
  'done',
].join('\n');

export function parseReadBack(stdout: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) files.set(line.slice(0, sp), Buffer.from(line.slice(sp + 1), 'base64').toString('utf8'));
  }
  return files;
}
