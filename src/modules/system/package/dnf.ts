// `dnf` and `yum` (ansible.builtin.dnf / yum): RPM packages as ansible-core 2.14's
// yumdnf modules manage them, with rpm queries and the dnf/yum command line instead
// of dnf's Python API. Gather: one probe script (dnf-plan.ts's RPM_PROBE); plan:
// planRpm (pure); apply: one dnf/yum command per verb, their transaction output
// read into Ansible's `results`.
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import type { ModuleContext } from '../../module.js';
import { runOptions, script } from '../../remote.js';
import { defineModule, type StepResult } from '../../runner.js';
import {
  countsRpm, describeRpm, DnfArgs, effectiveState, makecacheCommand, nothingToDo, parseRpmProbe, planRpm, probeQuery, rpmCommand,
  RPM_PROBE, splitFiles, toolOf, transactionResults, YumArgs, type RpmArgs, type RpmChange, type RpmPlanInput,
} from './dnf-plan.js';
import { PACKAGE_TIMEOUT_MS } from './package.js';
import { parseNevr } from './rpm-version.js';

// Ansible's wait_for_lock: poll the package manager's lock file up to lock_timeout
// seconds while its process lives, then give up with Ansible's message.
const LOCKED = `t=$1 tool=$2; shift 2
held() {
  for f in /var/run/yum.pid /var/cache/dnf/*_lock.pid /var/run/dnf.pid; do
    [ -f "$f" ] && p=$(cat "$f" 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && return 0
  done
  return 1
}
i=0
while held; do
  [ "$i" -ge "$t" ] && { echo "$tool lockfile is held by another process" >&2; exit 75; }
  sleep 1; i=$((i + 1))
done
exec "$@"`;

const LANG_ENV = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', LC_MESSAGES: 'C.UTF-8' };

const timeoutOf = (ctx: ModuleContext): number => ctx.timeoutMs ?? PACKAGE_TIMEOUT_MS;

async function gatherRpm(host: Host, a: RpmArgs, ctx: ModuleContext): Promise<RpmPlanInput> {
  const { specs, files } = splitFiles(a.name ?? []);
  const query = (a.name ?? []).length || a.autoremove ? probeQuery(a, specs) : null;
  const root = a.installroot !== '/' ? a.installroot : '';
  // `*` with latest is dnf upgrade's business (check-update), not rpm's.
  // A name-version-release is checked against the installed versions of its name too.
  const nevrNames = specs.map((x) => parseNevr(x)?.name).filter((n): n is string => n !== undefined && !specs.includes(n));
  const probed = [...(effectiveState(a) === 'latest' ? specs.filter((x) => x !== '*') : specs), ...new Set(nevrNames)];
  const r = await host.run(script(RPM_PROBE, root, probed.join('\n'), files.join('\n'), ...(query ?? [])),
    runOptions(ctx, { timeoutMs: timeoutOf(ctx), env: LANG_ENV }));
  if (r.timedOut || r.rc !== 0) throw new TaskError(ctx.hostName, `reading the package state failed: ${r.stderr.trim() || `exit status ${r.rc ?? 'none'}`}`, { rc: r.rc, stderr: r.stderr });
  return { ...parseRpmProbe(r.stdout), tool: toolOf(a) };
}

async function applyRpm(host: Host, a: RpmArgs, c: RpmChange, ctx: ModuleContext): Promise<StepResult> {
  const tool = toolOf(a);
  const argv = c.kind === 'makecache' ? makecacheCommand(a) : rpmCommand(a, c.verb, c.specs);
  const r = await host.run(script(LOCKED, String(a.lock_timeout), tool, ...argv), runOptions(ctx, { timeoutMs: timeoutOf(ctx), env: LANG_ENV }));
  if (r.timedOut) return { failed: true, msg: `${argv.slice(0, 2).join(' ')} timed out after ${Math.round(timeoutOf(ctx) / 1000)} s`, stdout: r.stdout, stderr: r.stderr };
  if (r.rc !== 0) {
    const failures = r.stderr.split('\n').map((l) => l.replace(/^Error: /, '').trim()).filter(Boolean);
    if (c.kind === 'makecache') return { failed: true, rc: 1, msg: `Failed to synchronize repodata: ${failures.join(' ')}`, data: { results: [] } };
    return { failed: true, rc: 1, msg: r.rc === 75 ? failures.join(' ') : 'Failed to install some of the specified packages', stdout: r.stdout, stderr: r.stderr, data: { failures, results: [] } };
  }
  if (c.kind === 'makecache') return { noop: true };
  const results = transactionResults(r.stdout, a.download_only);
  // dnf resolved nothing to do after all (the package was there by another name).
  const noop = nothingToDo(r.stdout) && results.length === 0;
  return { noop, rc: 0, stdout: r.stdout, stderr: r.stderr, data: { results } };
}

function rpmModule(names: readonly [string, ...string[]], args: typeof DnfArgs | typeof YumArgs) {
  return defineModule({
    names,
    args,
    gather: gatherRpm,
    plan: (a: RpmArgs, s: RpmPlanInput) => planRpm(a, s),
    describe: describeRpm,
    counts: countsRpm,
    async apply(host, a: RpmArgs, c: RpmChange, ctx, s: RpmPlanInput & { done?: string[] }) {
      const step = await applyRpm(host, a, c, ctx);
      // Results accumulate over the task's commands (install, then remove, then autoremove).
      if (step.data && Array.isArray(step.data['results'])) {
        s.done = [...(s.done ?? []), ...(step.data['results'] as string[])];
        step.data = { ...step.data, results: s.done };
      }
      return step;
    },
  });
}

export const dnfModule = rpmModule(['dnf'], DnfArgs);
export const yumModule = rpmModule(['yum'], YumArgs);
