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
import type { Reporter } from '../output/reporter.js';
import { resolveConnections } from './connections.js';

export interface AdhocOptions {
  inventory: string[];
  limit?: string;
  forks: number;
  json: boolean;
  verbose: boolean;
  acceptNewHostKeys: boolean;
  become: boolean;
}

export async function runAdhocCommand(
  o: AdhocOptions,
  taskName: string,
  action: AdhocRun['action'],
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; signal: AbortSignal },
): Promise<number> {
  if (o.inventory.length === 0) throw new OptionsError('an inventory is required: -i INVENTORY');
  const inventory = await loadInventory(o.inventory);
  const names = inventory.matchHosts(o.limit ?? 'all');
  if (names.length === 0) {
    io.err.write(`kvmplay: [WARNING] no hosts matched ${JSON.stringify(o.limit ?? 'all')}\n`);
  }
  // Every unusable host named at once (exit 4), not only the first; the error rejecting
  // a malformed password may quote it, so it is masked.
  const { redactor, specs: resolved, problems } = resolveConnections(inventory, names, names);
  try {
    problems.throwIfAny();
  } catch (err) {
    throw redactor.redactError(err);
  }
  const specs = names.map((n) => resolved.get(n)).filter((s) => s !== undefined).map((spec) => (o.become ? { ...spec, become: true } : spec));
  const reporter = chooseReporter(o, io.out, names);
  const recap = new Recap();
  for (const n of names) recap.addHost(n);
  const bus = new EventBus();
  bus.subscribe((e) => {
    const safe = redactor.redactValue(e);
    recap.record(safe);
    reporter.onEvent(safe);
  });

  await runAdhoc({ specs, forks: o.forks, acceptNewHostKeys: o.acceptNewHostKeys, bus, signal: io.signal, taskName, action });
  await reporter.finish(recap);
  if (io.signal.aborted) return EXIT.interrupted;
  if (recap.anyFailed()) return EXIT.hostFailed;
  if (recap.anyUnreachable()) return EXIT.unreachable;
  return EXIT.ok;
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
