// What unarchive runs on the host: one shell script that finds the handler as
// ansible-core's unarchive does (ZipArchive, ZipZArchive, then GNU tar with -z, none,
// -j, -J, zstd: the first that can list the archive), and then either compares the
// archive with dest (`tar --diff`, or zipinfo's listing and each entry's stat and CRC)
// or extracts it. The lists (extra_opts, exclude, include) arrive one item a line; every
// value is a positional parameter, never script text. Answers are `KEY BASE64` lines.
import { fnmatchRegExp } from '../../util/fnmatch.js';

export type HandlerName = 'ZipArchive' | 'ZipZArchive' | 'TgzArchive' | 'TarArchive' | 'TarBzipArchive' | 'TarXzArchive' | 'TarZstdArchive';

/** tar's compression flag per handler (Ansible's zipflag). */
export const TAR_FLAGS: ReadonlyArray<readonly [HandlerName, string]> = [
  ['TgzArchive', '-z'], ['TarArchive', ''], ['TarBzipArchive', '-j'], ['TarXzArchive', '-J'], ['TarZstdArchive', '--use-compress-program=zstd'],
];

export const isZip = (h: HandlerName): boolean => h === 'ZipArchive' || h === 'ZipZArchive';

// $1 dest, $2 src ('-': the archive comes on stdin), $3 owner, $4 group, $5 keep_newer
// (1 or empty), $6 extra_opts, $7 exclude, $8 include (one item a line), $9 action
// (probe | extract), $10 the handler to extract with.
export const UNARCHIVE_SCRIPT = String.raw`set -f
nl='
'
dest=$1 src=$2 own=$3 grp=$4 keep=$5 opts=$6 excl=$7 incl=$8 action=$9
shift 9; want=$1
w=$(mktemp -d) || exit 1
trap 'rm -rf -- "$w"' EXIT
out() { printf '%s ' "$1"; printf '%s' "$2" | base64 -w0; echo; }
outf() { printf '%s ' "$1"; base64 -w0 < "$2"; echo; }
fail() { out fail "$1"; exit 0; }
have() { command -v "$1" >/dev/null 2>&1; }
export LANG=C LC_ALL=C LC_MESSAGES=C LANGUAGE=C
[ -d "$dest" ] || fail "dest '$dest' must be an existing dir"
if [ "$src" = - ]; then src=$w/source; cat > "$src" || fail "cannot receive the archive"; fi
[ -e "$src" ] || fail "Source '$src' does not exist"
[ -r "$src" ] || fail "Source '$src' not readable"
[ -s "$src" ] || fail "Invalid archive '$src', the file is 0 bytes"
out src "$src"
tarbin=$(command -v gtar || command -v tar)
run_tar() {
  a=$1 zf=$2
  set -- "$a" -C "$dest"
  [ -z "$zf" ] || set -- "$@" "$zf"
  if [ -n "$opts" ]; then set -- "$@" --show-transformed-names; IFS=$nl; for x in $opts; do set -- "$@" "$x"; done; unset IFS; fi
  if [ "$a" != --list ]; then
    [ -z "$own" ] || set -- "$@" "--owner=$own"
    [ -z "$grp" ] || set -- "$@" "--group=$grp"
    [ -z "$keep" ] || set -- "$@" --keep-newer-files
  fi
  IFS=$nl; for x in $excl; do set -- "$@" "--exclude=$x"; done; unset IFS
  set -- "$@" -f "$src"
  IFS=$nl; for x in $incl; do set -- "$@" "$x"; done; unset IFS
  (cd "$dest" && "$tarbin" "$@") > "$w/o" 2> "$w/e"
}
zip_info() {
  if [ "$handler" = ZipZArchive ]; then set -- unzip -Z -T -s "$src"; else set -- zipinfo -T -s "$src"; fi
  if [ -n "$excl" ]; then set -- "$@" -x; IFS=$nl; for x in $excl; do set -- "$@" "$x"; done; unset IFS; fi
  IFS=$nl; for x in $incl; do set -- "$@" "$x"; done; unset IFS
  "$@" > "$w/o" 2> "$w/e"
}
zip_extract() {
  set -- unzip -o
  IFS=$nl; for x in $opts; do set -- "$@" "$x"; done; unset IFS
  set -- "$@" "$src"
  if [ -n "$excl" ]; then set -- "$@" -x; IFS=$nl; for x in $excl; do set -- "$@" "$x"; done; unset IFS; fi
  IFS=$nl; for x in $incl; do set -- "$@" "$x"; done; unset IFS
  set -- "$@" -d "$dest"
  "$@" > "$w/o" 2> "$w/e"
}
flag_of() {
  case $1 in TgzArchive) echo -z;; TarBzipArchive) echo -j;; TarXzArchive) echo -J;; TarZstdArchive) echo --use-compress-program=zstd;; esac
}
if [ "$action" = extract ]; then
  case $want in
    ZipArchive|ZipZArchive) out bin "$(command -v unzip)"; zip_extract ;;
    *) out bin "$tarbin"; run_tar --extract "$(flag_of "$want")" ;;
  esac
  out rc $?; outf out "$w/o"; outf err "$w/e"
  exit 0
fi
handler=
if have unzip && have zipinfo; then
  if unzip -l "$src" >/dev/null 2>"$w/e"; then handler=ZipArchive
  else out reason "Command \"$(command -v unzip)\" could not handle archive: $(cat "$w/e")"; fi
else
  if have unzip; then m=zipinfo; elif have zipinfo; then m=unzip; else m="unzip' or 'zipinfo"; fi
  out reason "Unable to find required '$m' binary in the path."
fi
if [ -z "$handler" ]; then
  if ! have unzip; then out reason "Unable to find required 'unzip' or 'unzip' binary in the path."
  elif ! unzip -l "$src" >/dev/null 2>"$w/e"; then out reason "Command \"$(command -v unzip)\" could not handle archive: $(cat "$w/e")"
  elif unzip -Z 2>"$w/e" | grep -qi zipinfo; then handler=ZipZArchive
  else out reason "Command \"unzip -Z\" could not handle archive: $(cat "$w/e")"; fi
fi
if [ -z "$handler" ]; then
  if [ -z "$tarbin" ]; then out reason "Unable to find required 'gtar' or 'tar' binary in the path"
  else
    v=$("$tarbin" --version 2>/dev/null); t=None
    case $v in bsdtar*) t=bsd;; tar*GNU*) t=gnu;; esac
    if [ "$t" != gnu ]; then out reason "Command \"$tarbin\" detected as tar type $t. GNU tar required."
    else
      for h in TgzArchive TarArchive TarBzipArchive TarXzArchive TarZstdArchive; do
        if run_tar --list "$(flag_of "$h")"; then handler=$h; outf list "$w/o"; break; fi
        out reason "Command \"$tarbin\" could not handle archive: Unable to list files in the archive: $(cat "$w/e")"
      done
    fi
  fi
fi
[ -n "$handler" ] || exit 0
out handler "$handler"
out ids "$(umask) $(id -u) $(id -g) $(id -un) $(id -gn) $(id -G | tr ' ' ,)"
stat -L -c '%u %g %a %s %U %G' -- "$dest" > "$w/o" && outf destinfo "$w/o"
case $handler in
  Tar*|Tgz*)
    run_tar --diff "$(flag_of "$handler")"
    out diffrc $?; outf diffout "$w/o"; outf differr "$w/e" ;;
  *)
    if [ -n "$own" ]; then out fut_owner "$(getent passwd -- "$own" | cut -d: -f1,3)"; fi
    if [ -n "$grp" ]; then out fut_group "$(getent group -- "$grp" | cut -d: -f1,3)"; fi
    if [ "$handler" = ZipZArchive ]; then unzip -Z1 "$src" > "$w/names"; else zipinfo -1 "$src" > "$w/names"; fi
    outf list "$w/names"
    unzip -v "$src" > "$w/o" 2>/dev/null; outf crcs "$w/o"
    zip_info; out diffrc $?; outf diffout "$w/o"; outf differr "$w/e"
    while IFS= read -r name; do
      p=$dest/$name
      if [ -e "$p" ] || [ -L "$p" ]; then
        s=$(stat -c '%F|%a|%u|%g|%s|%y|%U|%G' -- "$p") || continue
        c=-; if [ -f "$p" ] && [ ! -L "$p" ]; then c=$(gzip -1 -c < "$p" | tail -c8 | od -An -tu4 -N4 | tr -d ' '); fi
        printf 'st %s %s %s\n' "$(printf '%s' "$name" | base64 -w0)" "$(printf '%s' "$s" | base64 -w0)" "$c"
      fi
    done < "$w/names" ;;
esac
`;

/** The script's answer: `KEY BASE64` lines (st lines carry three fields). */
export interface UnarchiveAnswer {
  values: Map<string, string[]>;
  stats: Map<string, { stat: string; crc: number | null }>;
}

export function parseUnarchiveAnswer(stdout: string): UnarchiveAnswer {
  const values = new Map<string, string[]>();
  const stats = new Map<string, { stat: string; crc: number | null }>();
  const text = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  for (const line of stdout.split('\n')) {
    const [key = '', a = '', b = '', c = ''] = line.split(' ');
    if (key === '') continue;
    if (key === 'st') stats.set(text(a), { stat: text(b), crc: c === '-' || c === '' ? null : Number(c) });
    else values.set(key, [...(values.get(key) ?? []), text(a)]);
  }
  return { values, stats };
}

/** Python's codecs.escape_decode (tar's quoting of odd bytes), then UTF-8. */
export function escapeDecode(s: string): string {
  const bytes: number[] = [];
  const src = Buffer.from(s, 'utf8');
  const simple: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b !== 0x5c || i + 1 >= src.length) {
      bytes.push(b);
      continue;
    }
    const next = String.fromCharCode(src[i + 1]!);
    if (next in simple) {
      bytes.push(simple[next]!);
      i++;
    } else if (next === '\n') {
      i++;
    } else if (/[0-7]/.test(next)) {
      let j = i + 1;
      let v = 0;
      while (j < src.length && j < i + 4 && /[0-7]/.test(String.fromCharCode(src[j]!))) v = v * 8 + (src[j++]! - 0x30);
      bytes.push(v & 0xff);
      i = j - 1;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(src[i + 2] ?? 0, src[i + 3] ?? 0))) {
      bytes.push(parseInt(String.fromCharCode(src[i + 2]!, src[i + 3]!), 16));
      i += 3;
    } else {
      bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** TgzArchive.files_in_archive: tar --list's names, unescaped, without a leading /, not excluded. */
export function tarFiles(listing: string, excludes: readonly string[]): string[] {
  const ex = excludes.map((e) => fnmatchRegExp(e));
  return listing.split('\n').filter((l) => l !== '').map((l) => {
    const name = escapeDecode(l);
    return name.startsWith('/') ? name.slice(1) : name;
  }).filter((name) => !ex.some((re) => re.test(name)));
}

/** ZipArchive.files_in_archive: the names, those matching an include when there are includes, else those no exclude matches. */
export function zipFiles(names: string, includes: readonly string[], excludes: readonly string[]): string[] {
  const list = names.split('\n').filter((l) => l !== '');
  if (includes.length > 0) {
    const inc = includes.map((i) => fnmatchRegExp(i));
    return list.flatMap((n) => inc.filter((re) => re.test(n)).map(() => n));
  }
  const ex = excludes.map((e) => fnmatchRegExp(e));
  return list.filter((n) => !ex.some((re) => re.test(n)));
}

const TAR_DIFF_LINES = {
  owner: /: Uid differs$/, group: /: Gid differs$/, mode: /: Mode differs$/, mtime: /: Mod time differs$/,
  empty: /: : Warning: Cannot stat: No such file or directory$/, missing: /: Warning: Cannot stat: No such file or directory$/,
  badOwner: /: Invalid owner/, badGroup: /: Invalid group/,
};

/** TgzArchive.is_unarchived: which lines of `tar --diff` mean dest is not as the archive has it. */
export function tarDifferences(out: string, err: string, o: { runUid: number; owner: boolean; group: boolean; mode: boolean }): string[] {
  const lines = [...out.split('\n'), ...err.split('\n')].filter((l) => l !== '');
  return lines.filter((l) => {
    if (TAR_DIFF_LINES.empty.test(l)) return false;
    return (o.runUid === 0 && !o.owner && TAR_DIFF_LINES.owner.test(l))
      || (o.runUid === 0 && !o.group && TAR_DIFF_LINES.group.test(l))
      || (!o.mode && TAR_DIFF_LINES.mode.test(l))
      || TAR_DIFF_LINES.mtime.test(l) || TAR_DIFF_LINES.missing.test(l)
      || TAR_DIFF_LINES.badOwner.test(l) || TAR_DIFF_LINES.badGroup.test(l);
  });
}
