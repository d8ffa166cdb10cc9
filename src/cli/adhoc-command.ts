// What `ping` and `exec` share: inventory → matched hosts → run in parallel →
// report → exit code (SPEC 2).
import { EXIT, OptionsError } from '../errors.js';
import { runAdhoc, type AdhocRun } from '../exec/adhoc.js';
import { loadInventory } from '../inventory/index.js';
import { EventBus } from '../output/events.js';
import { ListrReporter } from '../output/listr.js';
import { NdjsonReporter } from '../output/ndjson.js';
import { PlainReporter } from '../output/plain.js';
import { Recap } from '../output/recap.js';
import { recapExitCode } from '../output/recap-exit.js';
import { shardHosts, type Shard } from './shard.js';
import type { Reporter } from '../output/reporter.js';
import { resolveConnections } from './connections.js';
import { connectionTrace, TRACE_VERBOSITY } from './connection-trace.js';
import { inventoryPlugins } from './libvirt-query.js';
import type { RunSettings } from './settings.js';

export interface AdhocOptions {
  /** The hosts (`ansible PATTERN`); default all. */
  pattern?: string;
  /** --limit: further narrows the pattern's hosts. */
  limit?: string;
  json: boolean;
  verbose: boolean;
  /** How many -v: from 3 on, each host's connection settings are printed. */
  verbosity?: number;
  /** The command line's settings over the environment's over ansible.cfg's (settings.ts). */
  settings: RunSettings;
  /** --list-hosts: print the matched hosts as `ansible` does, connect to none. */
  listHosts?: boolean;
  /** --shard K/N (or KVMPLAY_SHARD…): only this slice of the matched hosts (shard.ts). */
  shard?: Shard;
}

export async function runAdhocCommand(
  o: AdhocOptions,
  taskName: string,
  action: AdhocRun['action'],
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; signal: AbortSignal },
): Promise<number> {
  const { settings } = o;
  if (settings.inventory.length === 0) throw new OptionsError('an inventory is required: -i INVENTORY (or ANSIBLE_INVENTORY, or inventory = in ansible.cfg)');
  const inventory = await loadInventory(settings.inventory, inventoryPlugins(() => settings));
  const limited = o.limit === undefined ? undefined : new Set(inventory.matchHosts(o.limit));
  const matched = inventory.matchHosts(o.pattern ?? 'all').filter((n) => limited === undefined || limited.has(n));
  const names = o.shard ? shardHosts(matched, o.shard) : matched;
  const shownPattern = [o.pattern ?? 'all', ...(o.limit === undefined ? [] : [`--limit ${o.limit}`])].join(' ');
  if (o.listHosts) {
    io.out.write(`  hosts (${names.length}):\n${names.map((n) => `    ${n}\n`).join('')}`);
    return EXIT.ok;
  }
  for (const w of [...settings.warnings, ...inventory.warnings]) io.err.write(`[WARNING]: ${w}\n`);
  if (names.length === 0) {
    io.err.write(`kvmplay: [WARNING] no hosts matched ${JSON.stringify(shownPattern)}\n`);
  }
  // Every unusable host named at once (exit 4), not only the first; the error rejecting
  // a malformed password may quote it, so it is masked.
  const { redactor, specs: resolved, problems, warnings } = resolveConnections(inventory, names, names, settings.connection);
  for (const w of warnings) io.err.write(redactor.redact(`[WARNING]: ${w}\n`));
  try {
    problems.throwIfAny();
  } catch (err) {
    throw redactor.redactError(err);
  }
  const specs = names.map((n) => resolved.get(n)).filter((s) => s !== undefined)
    // -b is below the host's own become variable, as in Ansible.
    .map((spec) => (settings.become && spec.becomeVars?.become === undefined ? { ...spec, become: true } : spec));
  if ((o.verbosity ?? 0) >= TRACE_VERBOSITY) for (const spec of specs) io.err.write(redactor.redact(connectionTrace(spec)));
  const reporter = chooseReporter(o, io.out, names);
  const recap = new Recap();
  for (const n of names) recap.addHost(n);
  const bus = new EventBus();
  bus.subscribe((e) => {
    const safe = redactor.redactValue(e);
    recap.record(safe);
    reporter.onEvent(safe);
  });

  await runAdhoc({ specs, forks: settings.forks, acceptNewHostKeys: settings.acceptNewHostKeys, bus, signal: io.signal, taskName, action });
  await reporter.finish(recap);
  if (io.signal.aborted) return EXIT.interrupted;
  return recapExitCode(recap);
}

function chooseReporter(o: AdhocOptions, out: NodeJS.WritableStream, hosts: string[]): Reporter {
  const ro = { out, verbose: o.verbose };
  if (o.json) return new NdjsonReporter(ro);
  if ((out as NodeJS.WriteStream).isTTY) {
    const r = new ListrReporter(ro);
    r.begin(hosts);
    return r;
  }
  return new PlainReporter(ro);
}
