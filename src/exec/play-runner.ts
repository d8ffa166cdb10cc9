// One play: its hosts (the `hosts` pattern ∩ --limit, minus hosts that failed or
// were unreachable earlier in the run, as Ansible drops them), in `serial`
// batches; within a batch every host runs the play on its own, `--forks` at a time.
// After a batch: any_errors_fatal or max_fail_percentage may stop the rollout.
import { ExprError } from '../jinja/index.js';
import { CONTROL_NAMES, splitHostPattern } from '../inventory/index.js';
import type { Play, Playbook } from '../playbook/index.js';
import { renderString } from '../jinja/strings.js';
import { batchStopsRollout, serialBatches } from './batches.js';
import { where } from './conditions.js';
import { fanout } from './fanout.js';
import { runHostPlay } from './host-play.js';
import type { PlayRun, RunContext } from './run-context.js';
import { layeredVars } from './scope.js';

export type PlayVerdict = 'go-on' | 'stop';

/**
 * The play's hosts before the run touches any: the `hosts` pattern (rendered with
 * play vars and -e, as Ansible does) matched in the inventory, then --limit.
 */
export function playHosts(ctx: RunContext, play: Play, quiet = false): string[] {
  let pattern = play.hosts;
  if (pattern.includes('{{')) {
    const scope = layeredVars([
      { source: 'play vars', vars: play.vars, templated: true },
      { source: '-e', vars: ctx.loaded.extraVars, templated: true },
      { source: 'magic variables', vars: { groups: ctx.groups }, templated: false },
    ], ctx.templateCache);
    try {
      pattern = String(renderString(pattern, scope, { name: `${where(play.pos)} (hosts)`, cache: ctx.templateCache }));
    } catch (err) {
      if (err instanceof ExprError) {
        if (!quiet) ctx.bus.emit({ event: 'notice', level: 'warning', msg: `play "${play.name}": cannot render hosts: ${err.message}` });
        return [];
      }
      throw err;
    }
  }
  // Ansible's implicit localhost: named in the pattern, not in the inventory.
  for (const term of splitHostPattern(pattern)) if (CONTROL_NAMES.has(term)) ctx.inventory.addImplicitLocalhost(term);
  const matched = ctx.inventory.matchHosts(pattern);
  if (ctx.options.limit === undefined) return matched;
  const limit = new Set(ctx.inventory.matchHosts(ctx.options.limit));
  return matched.filter((h) => limit.has(h));
}

export async function runPlay(ctx: RunContext, playbook: Playbook, play: Play): Promise<PlayVerdict> {
  const hosts = playHosts(ctx, play).filter((h) => ctx.hosts.stateOf(h) === 'active');
  ctx.bus.emit({ event: 'play_start', play: play.name, hosts });
  if (hosts.length === 0) {
    ctx.bus.emit({ event: 'notice', level: 'info', msg: 'skipping: no hosts matched' });
    return 'go-on';
  }
  const playRun: PlayRun = { playbook, play, hosts, batch: [], fatal: undefined, ended: false, once: new Map() };
  const batches = serialBatches(hosts, play.serial);
  for (const [i, batch] of batches.entries()) {
    if (ctx.signal.aborted) return 'stop';
    playRun.batch = batch;
    playRun.once = new Map(); // run_once: once per batch, as Ansible
    playRun.batchEnded = false;
    await fanout(batch, ctx.options.forks, (name) => runHostPlay(ctx, playRun, ctx.hosts.get(name)));
    if (ctx.signal.aborted) return 'stop';
    if (playRun.ended) return 'go-on'; // meta: end_play ends this play, not the run
    if (playRun.fatal) {
      ctx.bus.emit({
        event: 'notice', level: 'warning',
        msg: `any_errors_fatal: ${playRun.fatal.host} failed on "${playRun.fatal.task}"; the play stops on every host (NO MORE HOSTS LEFT)`,
      });
      return 'stop';
    }
    const failed = batch.filter((h) => ctx.hosts.stateOf(h) !== 'active').length;
    if (batchStopsRollout(failed, batch.length, play.maxFailPercentage)) {
      const rest = batches.slice(i + 1).flat();
      // Without max_fail_percentage, a whole failed batch is worth a word only when hosts are left out.
      if (play.maxFailPercentage !== undefined || rest.length > 0) {
        const why = play.maxFailPercentage === undefined
          ? 'every host of the batch failed'
          : `${failed} of ${batch.length} hosts of the batch failed, more than max_fail_percentage ${play.maxFailPercentage}%`;
        const skipped = rest.length ? `; not run on: ${rest.join(', ')}` : '';
        ctx.bus.emit({ event: 'notice', level: 'warning', msg: `${why}: the rollout stops here (NO MORE HOSTS LEFT)${skipped}` });
      }
      return 'stop';
    }
  }
  return 'go-on';
}
