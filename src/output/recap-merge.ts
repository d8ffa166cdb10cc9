// `kvmplay recap merge`: the `--json` outputs of the shards of one run (--shard K/N)
// as the recap a single run over all their hosts prints, with that run's exit code.
// Each output's last line is its recap (SPEC 2); the lines before it are events, of
// which only `error` events matter here: a shard that stopped before any host.
import { EXIT, type SourcePosition } from '../errors.js';
import { Recap, type HostCounts, type RecapJson } from './recap.js';
import { recapExitCode } from './recap-exit.js';

/** One shard's `--json` output, and the name to report it by (its file, `-`: standard input). */
export interface ShardOutput {
  name: string;
  text: string;
}

/** A shard that stopped before any host (bad options, invalid playbook): its error events. */
export interface StoppedShard {
  name: string;
  exit: number;
  messages: string[];
}

export interface MergedRecap {
  json: RecapJson;
  /** The merged counts, for the text recap (rescued/ignored are not in `--json`: shown as 0). */
  recap: Recap;
  /** What a single run with all these hosts would have exited with. */
  exit: number;
  stopped: StoppedShard[];
}

/** Where merge problems go (the CLI's validation problems: all reported at once, exit 4). */
export interface ProblemSink {
  add(pos: SourcePosition, detail: string): void;
}

/**
 * Hosts are joined (a host in two outputs is a problem: the shards overlap), `ok` is
 * true when every shard's is, `duration_ms` is the slowest shard's (shards run side
 * by side). An output without a recap as its last line is a problem naming it. The
 * result is only meaningful when no problem was added.
 */
export function mergeRecaps(outputs: readonly ShardOutput[], problems: ProblemSink): MergedRecap {
  const seen = new Map<string, { name: string; line: number }>();
  const hosts = new Map<string, HostCounts>();
  const stopped: StoppedShard[] = [];
  let ok = true;
  let duration = 0;
  for (const output of outputs) {
    const lines = output.text.split(/\r?\n/);
    let last = lines.length - 1;
    while (last >= 0 && lines[last]!.trim() === '') last--;
    if (last < 0) {
      problems.add({ file: output.name, line: 1, col: 1 }, 'no recap line: the output is empty (did this shard crash, or run without --json?)');
      continue;
    }
    const pos = { file: output.name, line: last + 1, col: 1 };
    const parsed = readRecap(lines[last]!);
    if (typeof parsed === 'string') {
      problems.add(pos, `no recap line: the last line ${parsed} (did this shard crash or get killed before its end?)`);
      continue;
    }
    const errors = errorEvents(lines.slice(0, last));
    if (errors.length > 0) stopped.push({ name: output.name, exit: errors[0]!.exit, messages: errors.map((e) => e.msg) });
    ok &&= parsed.ok;
    duration = Math.max(duration, parsed.duration_ms);
    for (const [host, counts] of Object.entries(parsed.hosts)) {
      const other = seen.get(host);
      if (other) {
        problems.add(pos, `host "${host}" is also in ${other.name} (line ${other.line}): the shards overlap (the same K/N twice, or another inventory or --limit)`);
        continue;
      }
      seen.set(host, { name: output.name, line: last + 1 });
      hosts.set(host, counts);
    }
  }
  const recap = new Recap();
  for (const name of [...hosts.keys()].sort()) Object.assign(recap.addHost(name), hosts.get(name));
  const json: RecapJson = { ok: ok && stopped.length === 0, hosts: recap.toJson().hosts, duration_ms: duration };
  // A shard that stopped before its hosts stopped the whole run's equivalent too.
  const exit = stopped.length > 0 ? stopped[0]!.exit : recapExitCode(recap);
  return { json, recap, exit, stopped };
}

/** The recap of a line, or what is wrong with it (a phrase after "the last line"). */
function readRecap(line: string): RecapJson | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'is not JSON';
  }
  if (!isObject(value)) return 'is not a JSON object';
  if (typeof value.event === 'string') return `is a "${value.event}" event, not the recap`;
  if (typeof value.ok !== 'boolean' || !isObject(value.hosts) || typeof value.duration_ms !== 'number') {
    return 'is not a recap ({"ok", "hosts", "duration_ms"})';
  }
  const hosts: Record<string, HostCounts> = {};
  for (const [name, counts] of Object.entries(value.hosts)) {
    const read = hostCounts(counts);
    if (!read) return `has counts for host "${name}" that are not {"ok", "changed", "failed", "skipped": n, "unreachable": bool}`;
    hosts[name] = read;
  }
  return { ok: value.ok, hosts, duration_ms: value.duration_ms };
}

function hostCounts(value: unknown): HostCounts | undefined {
  if (!isObject(value) || typeof value.unreachable !== 'boolean') return undefined;
  const count = (k: string): number | undefined => {
    const n = value[k];
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
  };
  const [ok, changed, failed, skipped] = [count('ok'), count('changed'), count('failed'), count('skipped')];
  if (ok === undefined || changed === undefined || failed === undefined || skipped === undefined) return undefined;
  return { ok, changed, failed, skipped, unreachable: value.unreachable };
}

/** The `{"event":"error", "exit": n, "msg"}` lines a run prints when it stops before any host. */
function errorEvents(lines: readonly string[]): { exit: number; msg: string }[] {
  const found: { exit: number; msg: string }[] = [];
  for (const line of lines) {
    // Task events are most of the lines: parse only what can be an error event.
    if (!line.includes('"error"')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (isObject(value) && value.event === 'error') {
      found.push({ exit: typeof value.exit === 'number' ? value.exit : EXIT.error, msg: typeof value.msg === 'string' ? value.msg : '' });
    }
  }
  return found;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
