// The settings OpenSSH's client would use for one host name, from the user's ssh config
// (~/.ssh/config, or the file of `-F`) and then the system-wide one (/etc/ssh/ssh_config,
// not read with `-F`), read with the `ssh-config` parser and resolved here as OpenSSH 9.2
// does: the first value obtained for an option wins (IdentityFile lines add up, each path
// once), command-line `-o` options come before any file, `Host` patterns with `*`, `?`
// and `!`, `Include` (relative to ~/.ssh in the user's file, to the system file's folder
// in the system one, with globs), and `Match` with `all`, `host`, `originalhost`, `user`,
// `localuser`, `canonical` and `final`. A `Match final` asks for a second pass over the
// files, as ssh makes without CanonicalizeHostname: in it `final` and `canonical` match,
// and `Host`/`Match host` test the HostName found by the first pass. `Match exec` is
// never evaluated (it would run a command): its block is skipped with a warning.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import SSHConfig, { LineType, type Directive, type Line } from 'ssh-config';
import { fileStamp, StampedCache } from '../../util/file-stamp.js';

export interface SshConfigSource {
  /** The config file to read (~/.ssh/config or `-F`'s); a missing file is no settings. */
  file: string;
  /**
   * The system-wide file, read after `file` (/etc/ssh/ssh_config; ssh skips it when `-F`
   * gave `file`). Its relative Include paths are relative to its own folder.
   */
  systemFile?: string;
  /** The home folder: `~`, `%d`, and the base of relative Include paths (~/.ssh). */
  home: string;
  /** The local user name (`%u`, `Match localuser`). */
  localUser: string;
  /** Command-line options (`[lower-cased key, value]`), obtained before any file. */
  commandLine?: ReadonlyArray<readonly [string, string]>;
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask';

/** What kvmplay uses of a host's ssh config; paths are expanded (`~`, `%d`, `%u`, `%h`, `%r`, `%p`, `%n`). */
export interface SshConfigSettings {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** As written (`none` removed): the caller parses and resolves each hop. */
  proxyJump?: string;
  /** As written, when ProxyCommand was obtained before any ProxyJump. */
  proxyCommand?: string;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  connectTimeout?: number;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** HostKeyAlias: the name to look up and record the host key under, instead of the host's. */
  hostKeyAlias?: string;
  /** Things a user should know: unevaluated Match criteria, unusable values, unreadable Includes. */
  warnings: string[];
}

// Options whose every line adds to the list instead of the first one winning (a path
// already listed is not added again, as ssh's add_identity_file does).
const MULTI = new Set(['identityfile']);
const MAX_INCLUDE_DEPTH = 16; // OpenSSH's READCONF_MAX_DEPTH
// Match criteria that take an argument and that kvmplay evaluates (`exec` is not: it runs a command).
const MATCH_CRITERIA = new Set(['host', 'originalhost', 'user', 'localuser']);

/** What a Match line is tested against. */
interface MatchContext {
  /** `Match host`: the HostName obtained so far (first pass) or the final one (final pass). */
  host: string;
  /** `Match originalhost`: the name given to ssh. */
  originalHost: string;
  /** `Match user`: the remote user obtained so far, else the local user. */
  user: string;
  localUser: string;
  /** The second pass that `Match final` asks for: `final` and `canonical` match in it only. */
  finalPass: boolean;
}

/** The settings for `host` (the name given to ssh: an alias, or ansible_host). */
export function resolveSshConfig(host: string, src: SshConfigSource): SshConfigSettings {
  const values = new Map<string, string[]>();
  const warnings: string[] = [];
  const parsed = new Map<string, Line[] | undefined>();
  const parse = (file: string, missingOk: boolean) => {
    if (!parsed.has(file)) parsed.set(file, parseFile(file, warnings, { missingOk }));
    return parsed.get(file) ?? [];
  };
  let finalPass = false;
  let wantFinalPass = false;
  const obtain = (key: string, args: string[]) => {
    // ssh sets HostName before the final pass: a HostName line read in it changes nothing.
    if (finalPass && key === 'hostname') return;
    if (MULTI.has(key)) {
      const list = values.get(key) ?? [];
      values.set(key, [...list, ...args.filter((a) => !list.includes(a))]);
    } else if (!values.has(key)) values.set(key, args);
  };
  for (const [key, value] of src.commandLine ?? []) obtain(key, key === 'userknownhostsfile' ? value.split(/\s+/).filter(Boolean) : [value]);

  const currentHostName = () => expandHostName(values.get('hostname')?.[0], host);
  let passHost = host; // what Host lines test: the name given, then in the final pass the HostName
  const walk = (lines: readonly Line[], file: string, includeBase: string, startActive: boolean, depth: number) => {
    let active = startActive;
    const visit = (line: Line) => {
      if (line.type !== LineType.DIRECTIVE) return;
      const key = line.param.toLowerCase();
      const args = key === 'match' ? argsOfMatch(line) : argsOf(line);
      if (key === 'host') active = startActive && hostMatches(args, passHost);
      else if (key === 'match') {
        const context: MatchContext = {
          host: finalPass ? passHost : currentHostName(),
          originalHost: host,
          user: values.get('user')?.[0] ?? src.localUser,
          localUser: src.localUser,
          finalPass,
        };
        const m = matchMatches(args, context, (w) => warnings.push(`${file}: ${w}`));
        if (m.wantsFinalPass) wantFinalPass = true;
        active = startActive && m.matched;
      } else if (!active) return;
      else if (key === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) warnings.push(`${file}: Include nested too deep, ignored`);
        else for (const inc of includeFiles(args, src.home, includeBase)) walk(parse(inc, false), inc, includeBase, true, depth + 1);
      } else obtain(key, args);
      if ('config' in line) {
        for (const inner of (line as { config: Line[] }).config) visit(inner);
      }
    };
    for (const line of lines) visit(line);
  };
  const readFiles = () => {
    walk(parse(src.file, true), src.file, join(src.home, '.ssh'), true, 0);
    if (src.systemFile !== undefined) walk(parse(src.systemFile, true), src.systemFile, dirname(src.systemFile), true, 0);
  };
  readFiles();
  if (wantFinalPass) {
    passHost = currentHostName();
    finalPass = true;
    readFiles();
  }
  return interpret(values, host, src, [...new Set(warnings)]);
}

function interpret(values: Map<string, string[]>, host: string, src: SshConfigSource, warnings: string[]): SshConfigSettings {
  const first = (key: string) => values.get(key)?.[0];
  const out: SshConfigSettings = { identityFiles: [], warnings };
  const hostName = expandHostName(first('hostname'), host);
  if (first('hostname') !== undefined) out.hostName = hostName;
  const user = first('user');
  if (user !== undefined) out.user = user;
  const port = whole(first('port'), 'Port', warnings, 1);
  if (port !== undefined) {
    if (port <= 65535) out.port = port;
    else warnings.push(`Port ${port} is not a port: ignored`);
  }
  const tokens = { d: src.home, u: src.localUser, h: hostName, r: user ?? src.localUser, p: String(out.port ?? 22), n: host };
  const path = (p: string) => expandPath(p, tokens, src.home);
  out.identityFiles = (values.get('identityfile') ?? []).filter((f) => f.toLowerCase() !== 'none').map(path);
  const only = yesNo(first('identitiesonly'), 'IdentitiesOnly', warnings);
  if (only !== undefined) out.identitiesOnly = only;
  // ProxyJump and ProxyCommand are one setting: whichever comes first wins.
  const jump = first('proxyjump');
  const command = first('proxycommand');
  const jumpFirst = jump !== undefined && (command === undefined || keyOrder(values, 'proxyjump') < keyOrder(values, 'proxycommand'));
  if (jumpFirst && jump.toLowerCase() !== 'none') out.proxyJump = jump;
  else if (!jumpFirst && command !== undefined && command.toLowerCase() !== 'none') out.proxyCommand = command;
  const interval = seconds(first('serveraliveinterval'), 'ServerAliveInterval', warnings);
  if (interval !== undefined) out.serverAliveInterval = interval;
  const countMax = whole(first('serveralivecountmax'), 'ServerAliveCountMax', warnings, 0);
  if (countMax !== undefined) out.serverAliveCountMax = countMax;
  const timeout = seconds(first('connecttimeout'), 'ConnectTimeout', warnings);
  if (timeout !== undefined && timeout > 0) out.connectTimeout = timeout;
  const known = values.get('userknownhostsfile')?.filter((f) => f.toLowerCase() !== 'none');
  if (known !== undefined && known.length > 0) out.userKnownHostsFiles = known.map(path);
  const strict = first('stricthostkeychecking')?.toLowerCase();
  if (strict !== undefined) {
    const mapped = ({ yes: 'yes', true: 'yes', ask: 'ask', no: 'no', off: 'no', false: 'no', 'accept-new': 'accept-new' } as const)[strict as 'yes'];
    if (mapped) out.strictHostKeyChecking = mapped;
    else warnings.push(`StrictHostKeyChecking "${strict}" is not yes, no, ask or accept-new: ignored`);
  }
  const alias = first('hostkeyalias');
  if (alias !== undefined) out.hostKeyAlias = alias;
  return out;
}

// Map keeps insertion order: the option obtained first was inserted first.
function keyOrder(values: Map<string, string[]>, key: string): number {
  return [...values.keys()].indexOf(key);
}

function argsOf(d: Directive): string[] {
  return typeof d.value === 'string' ? [d.value] : d.value.map((v) => v.val);
}

// Parsed files, kept while unchanged: every host of a fleet reads the same files.
type ParsedFile = { lines?: Line[]; problem?: { code?: string; text: string } };
const parsedFiles = new StampedCache<ParsedFile>();

function parseFile(file: string, warnings: string[], opts: { missingOk?: boolean } = {}): Line[] | undefined {
  let stamp: string;
  try {
    stamp = fileStamp(file);
  } catch (err) {
    stamp = `error:${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  const known = parsedFiles.get(file, stamp) ?? parsedFiles.set(file, stamp, readAndParse(file));
  const problem = known.problem;
  if (problem && !(opts.missingOk && problem.code === 'ENOENT')) warnings.push(problem.text);
  return known.lines;
}

function readAndParse(file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: { ...(code ? { code } : {}), text: `cannot read ssh config ${file} (${code ?? String(err)}): ignored` } };
  }
  try {
    return { lines: [...SSHConfig.parse(withMatchSentinel(text))] };
  } catch (err) {
    return { problem: { text: `cannot parse ssh config ${file}: ${err instanceof Error ? err.message : String(err)}; ignored` } };
  }
}

// The parser takes a word after every Match criterion but all/canonical/final, so it
// rejects a line ending in `!final` or `!canonical`. A trailing `all` (always true, so
// the line means the same) keeps it parsing; argsOfMatch removes it again.
const MATCH_SENTINEL = 'all';

function withMatchSentinel(text: string): string {
  return text.replace(/^([ \t]*match[ \t=][^\r\n]*?)(\r?)$/gim, (_m, line: string, cr: string) => (line.includes('#') ? line + cr : `${line} ${MATCH_SENTINEL}${cr}`));
}

function argsOfMatch(d: Directive): string[] {
  const args = argsOf(d);
  return args.length > 1 && args.at(-1)?.toLowerCase() === MATCH_SENTINEL ? args.slice(0, -1) : args;
}

/** `Host` line: some positive pattern matches and no negated one does. */
export function hostMatches(patterns: readonly string[], host: string): boolean {
  return patternListMatches(patterns.flatMap((p) => p.split(/\s+/)).filter(Boolean), host);
}

function patternListMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (!globMatches(negated ? p.slice(1) : p, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

// Each pattern is compiled once: the same few are tried for every host.
const globs = new Map<string, RegExp>();

/** ssh's match_pattern: `*` any run, `?` one character, case-insensitive for host names. */
export function globMatches(pattern: string, name: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'is');
    globs.set(pattern, re);
  }
  return re.test(name);
}

/** A Match line's verdict, and whether it asks for the final pass (`final`, not negated). */
function matchMatches(args: readonly string[], ctx: MatchContext, warn: (w: string) => void): { matched: boolean; wantsFinalPass: boolean } {
  const unsupported: string[] = [];
  let matched = true;
  let wantsFinalPass = false;
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    const negated = raw.startsWith('!');
    const criterion = (negated ? raw.slice(1) : raw).toLowerCase();
    if (criterion === 'all' || criterion === 'canonical' || criterion === 'final') {
      if (criterion === 'final' && !negated) wantsFinalPass = true;
      // As ssh's match_cfg_line: canonical and final both hold in the final pass only.
      const hit = criterion === 'all' || ctx.finalPass;
      if (hit === negated) matched = false;
      continue;
    }
    const value = args[++i] ?? '';
    if (!MATCH_CRITERIA.has(criterion)) {
      unsupported.push(raw);
      continue;
    }
    const name = { host: ctx.host, originalhost: ctx.originalHost, user: ctx.user, localuser: ctx.localUser }[criterion as 'host'];
    // User names compare case-sensitively, host names not (ssh's match_pattern_list dolower).
    const hit = criterion === 'user' || criterion === 'localuser'
      ? patternListMatchesCase(value.split(','), name)
      : patternListMatches(value.split(','), name);
    if (hit === negated) matched = false;
  }
  if (unsupported.length > 0) {
    warn(`Match ${args.join(' ')}: kvmplay does not evaluate ${unsupported.join(', ')}; the block is ignored`);
    return { matched: false, wantsFinalPass };
  }
  return { matched, wantsFinalPass };
}

function patternListMatchesCase(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (!globMatchesCase(negated ? p.slice(1) : p, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** Include arguments: `~` expanded, relative to `base` (~/.ssh, or /etc/ssh for the system file), with globs. */
function includeFiles(args: readonly string[], home: string, base: string): string[] {
  const files: string[] = [];
  for (const arg of args.flatMap((a) => a.split(/\s+/)).filter(Boolean)) {
    const expanded = arg.startsWith('~/') ? join(home, arg.slice(2)) : arg;
    const full = isAbsolute(expanded) ? expanded : join(base, expanded);
    files.push(...expandGlob(full));
  }
  return files;
}

/** The files a glob names, sorted as glob(3) sorts them; a plain path is itself. */
function expandGlob(path: string): string[] {
  if (!/[*?[]/.test(path)) return [path];
  const parts = path.split('/');
  let bases = ['/'];
  for (const part of parts.filter(Boolean)) {
    if (!/[*?[]/.test(part)) {
      bases = bases.map((b) => join(b, part));
      continue;
    }
    const next: string[] = [];
    for (const base of bases) {
      let entries: string[];
      try {
        entries = readdirSync(base);
      } catch {
        continue;
      }
      for (const e of entries.sort()) if (!e.startsWith('.') && globMatchesCase(part, e)) next.push(join(base, e));
    }
    bases = next;
  }
  return bases.filter((b) => dirname(b) !== b);
}

// File names are case-sensitive, unlike host names; `[...]` classes are taken as written.
function globMatchesCase(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  try {
    return new RegExp(`^${re}$`, 's').test(name);
  } catch {
    return pattern === name;
  }
}

function expandHostName(value: string | undefined, host: string): string {
  if (value === undefined) return host;
  return value.replace(/%([%h])/g, (_m, t: string) => (t === '%' ? '%' : host));
}

function expandPath(p: string, tokens: Record<string, string>, home: string): string {
  const tilde = p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
  return tilde.replace(/%(.)/g, (m, t: string) => (t === '%' ? '%' : tokens[t] ?? m));
}

function yesNo(value: string | undefined, option: string, warnings: string[]): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  warnings.push(`${option} "${value}" is not yes or no: ignored`);
  return undefined;
}

function whole(value: string | undefined, option: string, warnings: string[], min: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value) && Number(value) >= min) return Number(value);
  warnings.push(`${option} "${value}" is not a whole number${min > 0 ? ' above 0' : ''}: ignored`);
  return undefined;
}

/** ssh_config time: seconds, or with s/m/h/d/w suffixes, concatenated (`1m30s`). */
function seconds(value: string | undefined, option: string, warnings: string[]): number | undefined {
  if (value === undefined) return undefined;
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  if (/^(\d+[smhdw]?)+$/i.test(value)) {
    let total = 0;
    for (const m of value.matchAll(/(\d+)([smhdw]?)/gi)) total += Number(m[1]) * units[m[2]!.toLowerCase()]!;
    return total;
  }
  warnings.push(`${option} "${value}" is not a time: ignored`);
  return undefined;
}
