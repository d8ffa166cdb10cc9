// `kvmplay run PLAYBOOK... -i INVENTORY`: load and validate everything (exit 4 before
// any SSH), then run the plays (exec/runner.ts) with a reporter chosen by --json /
// TTY, redacting every secret from every event, and map the recap to an exit code.
import { EXIT, OptionsError } from '../../errors.js';
import { setDuplicateKeyPolicy, takeYamlWarnings } from '../../data/yaml-limits.js';
import { createRunContext, runHosts, runPlaybooks } from '../../exec/runner.js';
import type { StepConfirmer } from '../../exec/step.js';
import { SshHost } from '../../transport/ssh/ssh-host.js';
import { tagFilter } from '../../exec/tags.js';
import { loadInventory, type Inventory } from '../../inventory/index.js';
import { findModule } from '../../modules/registry.js';
import { EventBus } from '../../output/events.js';
import { LivePlaybookReporter } from '../../output/live-playbook.js';
import { NdjsonReporter } from '../../output/ndjson.js';
import { PlainPlaybookReporter } from '../../output/plain-playbook.js';
import { Recap } from '../../output/recap.js';
import { recapExitCode } from '../../output/recap-exit.js';
import { Timings } from '../../output/timings.js';
import { Redactor } from '../../output/redact.js';
import type { Reporter } from '../../output/reporter.js';
import { loadPlaybooks, type LoadedRun } from '../../playbook/index.js';
import { resolveConnections } from '../connections.js';
import { applyConnectionDefaults } from '../connection-defaults.js';
import { connectionTrace, TRACE_VERBOSITY } from '../connection-trace.js';
import { inventoryPlugins } from '../libvirt-query.js';
import { listPlaybooks, wantsListing, type ListingRequest } from '../listing.js';
import type { RunSettings } from '../settings.js';
import { shardLimit, type Shard } from '../shard.js';
import { startAtTask } from '../start-at-task.js';

export interface RunCommandOptions {
  playbooks: string[];
  /** Inventory, forks, become and connection defaults: the command line's over the environment's over ansible.cfg's. */
  settings: RunSettings;
  limit: string | undefined;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check: boolean;
  diff: boolean;
  json: boolean;
  /** --timings: task and host times after the recap. */
  timings?: boolean;
  /** --step: asks before each task (the output is then plain lines, with the questions between them). */
  step?: StepConfirmer;
  verbose: boolean;
  /** How many -v: debug's `verbosity` and `ansible_verbosity`. */
  verbosity?: number;
  /** Seconds. */
  stepTimeout: number | undefined;
  /** Duplicate YAML keys are errors, not warnings. */
  strict?: boolean;
  /** --list-hosts / --list-tasks / --list-tags: print, run nothing. */
  list?: ListingRequest;
  /** --start-at-task: the tasks before the first one of this name are left out. */
  startAtTask?: string;
  /** --shard K/N (or KVMPLAY_SHARD…): only this slice of the hosts the plays would run on (shard.ts). */
  shard?: Shard;
}

export interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  signal: AbortSignal;
}

export async function runCommand(o: RunCommandOptions, io: CommandIo): Promise<number> {
  const { settings } = o;
  if (settings.inventory.length === 0) throw new OptionsError('an inventory is required: -i INVENTORY (or ANSIBLE_INVENTORY, or inventory = in ansible.cfg)');
  setDuplicateKeyPolicy(o.strict ? 'error' : 'warn');
  const inventory = await loadInventory(settings.inventory, inventoryPlugins(() => settings));
  const matched = inventory.matchHosts(o.limit ?? 'all');
  // Passwords of every host are masked; the hosts of --limit must be reachable settings-wise.
  const { redactor, problems, warnings } = resolveConnections(inventory, inventory.hostNames(), matched, settings.connection);
  // From here on an error message may quote a secret (a password given as a list).
  try {
    for (const w of [...settings.warnings, ...inventory.warnings, ...warnings]) io.err.write(redactor.redact(`[WARNING]: ${w}\n`));
    if (o.limit !== undefined && matched.length === 0) {
      throw new OptionsError(`--limit ${JSON.stringify(o.limit)} matches no host of the inventory`);
    }
    // A host whose connection settings are unusable is a validation error, not a silent skip.
    problems.throwIfAny();
    return await runWithInventory(o, io, inventory, redactor);
  } catch (err) {
    throw redactor.redactError(err);
  }
}

async function runWithInventory(o: RunCommandOptions, io: CommandIo, inventory: Inventory, redactor: Redactor): Promise<number> {
  const loaded = await loadPlaybooks(o.playbooks, { inventory, extraVars: o.extraVars });
  for (const w of takeYamlWarnings()) io.err.write(`[WARNING]: ${w}\n`);
  playbookSecrets(redactor, loaded);
  if (o.startAtTask !== undefined) startAtTask(loaded, o.startAtTask);
  if (o.list && wantsListing(o.list)) {
    const limit = o.shard ? await listingShardLimit(o, loaded, inventory, redactor, io.signal, o.shard) : o.limit;
    const limited = limit === undefined ? undefined : new Set(inventory.matchHosts(limit));
    io.out.write(listPlaybooks(loaded, o.playbooks, inventory, limited, tagFilter(o.tags, o.skipTags), o.list));
    return EXIT.ok;
  }
  applyPlayDefaults(loaded, o.settings);

  const recap = new Recap();
  const timings = o.timings ? new Timings() : undefined;
  const reporter = chooseReporter(o, io.out);
  const bus = new EventBus();
  bus.subscribe((e) => {
    const safe = redactor.redactValue(e);
    if (safe.event === 'run_start') for (const h of safe.hosts) recap.addHost(h);
    recap.record(safe);
    timings?.record(safe);
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
      forks: o.settings.forks,
      stepTimeoutMs: o.stepTimeout === undefined ? undefined : o.stepTimeout * 1000,
      verbosity: o.verbosity ?? (o.verbose ? 1 : 0),
    },
    bus,
    redactor,
    signal: io.signal,
    // -u, --private-key, -T, -K… and their settings: under each host's own variables.
    openHost: (spec) => {
      const settled = applyConnectionDefaults(spec, inventory.hostVars(spec.name), o.settings.connection);
      if ((o.verbosity ?? 0) >= TRACE_VERBOSITY) io.err.write(redactor.redact(connectionTrace(settled)));
      return new SshHost(settled, { acceptNewHostKeys: o.settings.acceptNewHostKeys });
    },
    findModule,
    ...(o.step ? { step: o.step } : {}),
  });
  for (const source of ctx.adjacentVars.values()) redactor.addSecretVars([...source.groups.values(), ...source.hosts.values()]);
  // --shard: the slice is taken over every play's hosts (after --limit), so the shards
  // are balanced for this run; it then acts as the limit (run_start lists only it).
  if (o.shard) ctx.options = { ...ctx.options, limit: shardLimit(runHosts(ctx), o.shard) };
  await runPlaybooks(ctx);
  await reporter.finish(recap);
  // Under --json the recap stays the last line of standard output.
  if (timings) (o.json ? io.err : io.out).write('\n' + timings.format());
  if (io.signal.aborted) {
    io.err.write('kvmplay: interrupted: remote commands were ended and connections closed\n');
    return EXIT.interrupted;
  }
  return recapExitCode(recap);
}

/**
 * --shard with --list-*: the slice the run would take, from a context that opens no
 * host (the plays' host patterns are rendered as the run renders them).
 */
async function listingShardLimit(o: RunCommandOptions, loaded: LoadedRun, inventory: Inventory, redactor: Redactor, signal: AbortSignal, shard: Shard): Promise<string> {
  const ctx = await createRunContext({
    loaded,
    inventory,
    options: { limit: o.limit, tags: tagFilter(o.tags, o.skipTags), check: o.check, diff: o.diff, forks: o.settings.forks, stepTimeoutMs: undefined },
    bus: new EventBus(),
    redactor,
    signal,
    openHost: () => {
      throw new Error('listing hosts opens no connection');
    },
    findModule,
  });
  return shardLimit(runHosts(ctx), shard);
}

/**
 * -b / become and --become-method / become_method of the command line, environment or
 * ansible.cfg: what a play that does not say uses (its own keyword wins, as in Ansible).
 */
function applyPlayDefaults(loaded: LoadedRun, settings: RunSettings): void {
  for (const pb of loaded.playbooks) {
    for (const play of pb.plays) {
      if (settings.become) play.become ??= true;
      if (settings.becomeMethod !== undefined) play.becomeMethod ??= settings.becomeMethod;
    }
  }
}

/** Secret-named variables of -e, every play's vars and its static vars_files, and tasks' vars. */
function playbookSecrets(redactor: Redactor, loaded: LoadedRun): void {
  redactor.addSecretVars(loaded.extraVars);
  for (const pb of loaded.playbooks) {
    for (const play of pb.plays) {
      redactor.addSecretVars(play.vars);
      for (const f of play.varsFiles) redactor.addSecretVars(f.vars);
      for (const task of [...play.tasks, ...play.handlers]) redactor.addSecretVars(task.vars);
    }
  }
}

function chooseReporter(o: RunCommandOptions, out: NodeJS.WritableStream): Reporter {
  const ro = { out, verbose: o.verbose };
  if (o.json) return new NdjsonReporter(ro);
  if ((out as NodeJS.WriteStream).isTTY && !o.step) return new LivePlaybookReporter(ro);
  return new PlainPlaybookReporter(ro);
}
