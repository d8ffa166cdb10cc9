// `kvmplay run PLAYBOOK... -i INVENTORY`: load and validate everything (exit 4 before
// any SSH), then run the plays (exec/runner.ts) with a reporter chosen by --json /
// TTY, redacting every secret from every event, and map the recap to an exit code.
import { EXIT, OptionsError } from '../../errors.js';
import { createRunContext, runPlaybooks } from '../../exec/runner.js';
import { SshHost } from '../../transport/ssh/ssh-host.js';
import { tagFilter } from '../../exec/tags.js';
import { connectionFor, loadInventory, type Inventory } from '../../inventory/index.js';
import { findModule } from '../../modules/registry.js';
import { EventBus } from '../../output/events.js';
import { ListrPlaybookReporter } from '../../output/listr-playbook.js';
import { NdjsonReporter } from '../../output/ndjson.js';
import { PlainPlaybookReporter } from '../../output/plain-playbook.js';
import { Recap } from '../../output/recap.js';
import { Redactor } from '../../output/redact.js';
import type { Reporter } from '../../output/reporter.js';
import { loadPlaybooks } from '../../playbook/index.js';

export interface RunCommandOptions {
  playbooks: string[];
  inventory: string[];
  limit: string | undefined;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check: boolean;
  diff: boolean;
  forks: number;
  json: boolean;
  verbose: boolean;
  acceptNewHostKeys: boolean;
  /** Seconds. */
  stepTimeout: number | undefined;
}

export interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  signal: AbortSignal;
}

// Inventory variables that hold secrets by their name (the lab's `lab_become_password`, `db_pass`, …).
const SECRET_NAME = /(^|_)(password|passwd|pass|secret|token)$/i;

export async function runCommand(o: RunCommandOptions, io: CommandIo): Promise<number> {
  if (o.inventory.length === 0) throw new OptionsError('an inventory is required: -i INVENTORY');
  const inventory = await loadInventory(o.inventory);
  for (const w of inventory.warnings) io.err.write(`[WARNING]: ${w}\n`);
  if (o.limit !== undefined && inventory.matchHosts(o.limit).length === 0) {
    throw new OptionsError(`--limit ${JSON.stringify(o.limit)} matches no host of the inventory`);
  }
  const loaded = await loadPlaybooks(o.playbooks, { inventory, extraVars: o.extraVars });

  const redactor = secretsOf(inventory);
  const recap = new Recap();
  const reporter = chooseReporter(o, io.out);
  const bus = new EventBus();
  bus.subscribe((e) => {
    const safe = redactor.redactValue(e);
    if (safe.event === 'run_start') for (const h of safe.hosts) recap.addHost(h);
    recap.record(safe);
    // --json: standard output is events and the recap only; notices go to standard error.
    if (o.json && safe.event === 'notice') io.err.write(`[${safe.level.toUpperCase()}]: ${safe.msg}\n`);
    reporter.onEvent(safe);
  });

  const ctx = await createRunContext({
    loaded,
    inventory,
    options: {
      limit: o.limit,
      tags: tagFilter(o.tags, o.skipTags),
      check: o.check,
      diff: o.diff,
      forks: o.forks,
      stepTimeoutMs: o.stepTimeout === undefined ? undefined : o.stepTimeout * 1000,
    },
    bus,
    redactor,
    signal: io.signal,
    openHost: (spec) => new SshHost(spec, { acceptNewHostKeys: o.acceptNewHostKeys }),
    findModule,
  });
  await runPlaybooks(ctx);
  await reporter.finish(recap);
  if (io.signal.aborted) {
    io.err.write('kvmplay: interrupted: remote commands were ended and connections closed\n');
    return EXIT.interrupted;
  }
  if (recap.anyFailed()) return EXIT.hostFailed;
  if (recap.anyUnreachable()) return EXIT.unreachable;
  return EXIT.ok;
}

/** Every password the inventory knows (connection and become, any host), and secret-named variables. */
function secretsOf(inventory: Inventory): Redactor {
  const redactor = new Redactor();
  for (const name of inventory.hostNames()) {
    try {
      const spec = connectionFor(inventory, name);
      redactor.add(spec.password);
      redactor.add(spec.becomePassword);
    } catch {
      // A host with broken connection settings fails when a play reaches it; nothing to hide yet.
    }
    for (const [k, v] of Object.entries(inventory.hostVars(name))) if (SECRET_NAME.test(k) && typeof v === 'string') redactor.add(v);
  }
  return redactor;
}

function chooseReporter(o: RunCommandOptions, out: NodeJS.WritableStream): Reporter {
  const ro = { out, verbose: o.verbose };
  if (o.json) return new NdjsonReporter(ro);
  if ((out as NodeJS.WriteStream).isTTY) return new ListrPlaybookReporter(ro);
  return new PlainPlaybookReporter(ro);
}
