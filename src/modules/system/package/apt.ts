// `apt` (ansible.builtin.apt): Debian packages as ansible-core 2.14's apt manages them,
// with apt-get, dpkg and apt-mark instead of python-apt. Gather: one probe script
// (apt-probe.ts); plan: apt-plan.ts (pure); apply: one command per change. A cache
// refresh that brings new lists makes the install resolve its names again, as
// Ansible reads the cache after refreshing it.
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskError } from '../../../errors.js';
import type { Host, RunResult } from '../../../transport/host.js';
import type { ModuleContext } from '../../module.js';
import { runOptions, script } from '../../remote.js';
import { defineModule, type StepResult } from '../../runner.js';
import { AptArgs } from './apt-args.js';
import { APT_PROBE, parseAptProbe, parseSimulation } from './apt-probe.js';
import {
  APT_ENV, APT_GET_ZERO, APTITUDE_ZERO, CLEANUP_CHANGED, cleanupArgv, countsApt, debPaths, describeApt, dpkgInstallArgv, installArgv,
  planApt, preparedDiff, probedNames, removeArgv, simulationArgv, upgradeArgv, upgradeMode, type AptChange, type AptState,
} from './apt-plan.js';
import { PACKAGE_TIMEOUT_MS } from './package.js';

/** The run's own facts between steps: whether the refresh brought new lists. */
export interface AptRunState extends AptState {
  session: { refreshed: boolean };
}

// Ansible's PolicyRcD: /usr/sbin/policy-rc.d answers `exit $1` while the command runs,
// and whatever was there before is put back.
const POLICY_RC_D = `code=$1; shift
b=
if [ -e /usr/sbin/policy-rc.d ]; then b=$(mktemp -d) && mv /usr/sbin/policy-rc.d "$b/" || exit 1; fi
printf '#!/bin/sh\\nexit %d\\n' "$code" > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d || exit 1
"$@"; rc=$?
if [ -n "$b" ]; then mv "$b/policy-rc.d" /usr/sbin/policy-rc.d && rmdir "$b"; else rm -f /usr/sbin/policy-rc.d; fi
exit $rc`;

// apt-get update, then the lists' age as the probe reads it.
const UPDATE_SCRIPT = `apt-get -q -o "DPkg::Lock::Timeout=$1" update; rc=$?
printf '\\n@@stamp '
if [ -e /var/lib/apt/periodic/update-success-stamp ]; then stat -c %Y /var/lib/apt/periodic/update-success-stamp
elif [ -e /var/lib/apt/lists ]; then stat -c %Y /var/lib/apt/lists
else echo 0; fi
exit $rc`;

const timeoutOf = (ctx: ModuleContext): number => ctx.timeoutMs ?? PACKAGE_TIMEOUT_MS;

function aptRun(host: Host, ctx: ModuleContext, argv: readonly string[], a: AptArgs, changesHost = true): Promise<RunResult> {
  const wrapped = changesHost && a.policy_rc_d !== undefined && a.policy_rc_d !== null ? script(POLICY_RC_D, String(a.policy_rc_d), ...argv) : argv;
  return host.run(wrapped, runOptions(ctx, { timeoutMs: timeoutOf(ctx), env: APT_ENV }));
}

/** Ansible's messages quote the shell command: `'apt-get -y install foo' failed: …`. */
function shown(argv: readonly string[]): string {
  return argv.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function timedOut(r: RunResult, argv: readonly string[], ctx: ModuleContext): StepResult | null {
  return r.timedOut ? { failed: true, msg: `'${shown(argv)}' timed out after ${Math.round(timeoutOf(ctx) / 1000)} s`, stdout: r.stdout, stderr: r.stderr } : null;
}

export async function probeApt(host: Host, a: AptArgs, ctx: ModuleContext): Promise<AptRunState> {
  const argv = script(APT_PROBE, a.default_release ?? '', probedNames(a).join(' '), debPaths(a).join('\n'), ...(simulationArgv(a) ?? []));
  const r = await host.run(argv, runOptions(ctx, { timeoutMs: timeoutOf(ctx), env: APT_ENV }));
  if (r.timedOut || r.rc !== 0) throw new TaskError(ctx.hostName, `reading the package state failed: ${r.stderr.trim() || `exit status ${r.rc ?? 'none'}`}`, { rc: r.rc, stderr: r.stderr });
  const state: AptRunState = { ...parseAptProbe(r.stdout), session: { refreshed: false } };
  const mode = upgradeMode(a);
  if (mode && mode !== 'dist' && state.aptitude && !a.force_apt_get) {
    // aptitude does safe and full upgrades where it is installed: its own simulation.
    const sim = await host.run(upgradeArgv(a, mode, true, true), runOptions(ctx, { timeoutMs: timeoutOf(ctx), env: APT_ENV }));
    state.aptitudeSim = parseSimulation(`${sim.stdout}${sim.stderr}\n@@rc ${sim.rc ?? 1}\n`);
  }
  return state;
}

async function updateCache(host: Host, a: AptArgs, c: Extract<AptChange, { kind: 'update_cache' }>, ctx: ModuleContext, s: AptRunState): Promise<StepResult> {
  let err = '';
  // Ansible's retries: exponential backoff with a little randomness, capped.
  const jitter = Math.random();
  for (let attempt = 0; attempt < a.update_cache_retries; attempt++) {
    const r = await host.run(script(UPDATE_SCRIPT, String(a.lock_timeout)), runOptions(ctx, { timeoutMs: timeoutOf(ctx), env: APT_ENV }));
    if (r.rc === 0 && !r.timedOut) {
      const stamp = parseInt(/@@stamp (\d+)/.exec(r.stdout)?.[1] ?? '0', 10);
      const updated = stamp !== s.stamp;
      s.session.refreshed = updated;
      return { noop: !(c.alone && updated), ...(c.keys ? { data: { cache_updated: updated, cache_update_time: stamp } } : {}) };
    }
    err = (r.stderr.trim() || r.stdout.replace(/\n?@@stamp \d+\n?$/, '').trim()) || `exit status ${r.rc ?? 'none'}`;
    const delay = Math.min(2 ** attempt, a.update_cache_retry_max_delay) + jitter;
    if (attempt + 1 < a.update_cache_retries) await sleep(delay * 1000, undefined, { signal: ctx.signal });
  }
  return { failed: true, msg: `Failed to update apt cache: ${err || 'unknown reason'}` };
}

/** After a refresh that brought new lists: the install as Ansible decides it with the new cache. */
async function currentInstall(host: Host, a: AptArgs, c: Extract<AptChange, { kind: 'install' }>, ctx: ModuleContext, s: AptRunState): Promise<Extract<AptChange, { kind: 'install' }> | null | { fail: string }> {
  if (!s.session.refreshed) return c.deferred ? { fail: c.deferred } : c;
  const again = await probeApt(host, { ...a, update_cache: false, cache_valid_time: 0, clean: false }, ctx);
  const p = planApt({ ...a, update_cache: false, cache_valid_time: 0, clean: false }, again);
  if ('fail' in p) return { fail: p.fail };
  return p.changes.find((x): x is Extract<AptChange, { kind: 'install' }> => x.kind === 'install') ?? null;
}

async function commandStep(host: Host, a: AptArgs, argv: string[], ctx: ModuleContext, failMsg: (r: RunResult) => string): Promise<{ r: RunResult; fail: StepResult | null }> {
  const r = await aptRun(host, ctx, argv, a);
  const t = timedOut(r, argv, ctx);
  if (t) return { r, fail: t };
  if (r.rc !== 0) return { r, fail: { failed: true, rc: r.rc, msg: failMsg(r), stdout: r.stdout, stderr: r.stderr } };
  return { r, fail: null };
}

async function applyApt(host: Host, a: AptArgs, c: AptChange, ctx: ModuleContext, s: AptRunState): Promise<StepResult | void> {
  const diff = (out: string): { diff?: string } => (ctx.diff ? { diff: preparedDiff(out) } : {});
  switch (c.kind) {
    case 'clean': {
      const { r, fail } = await commandStep(host, a, ['apt-get', 'clean'], ctx, () => 'apt-get clean failed');
      if (fail) return fail;
      if (r.stderr !== '') return { failed: true, rc: r.rc, msg: `apt-get clean failed: ${r.stderr}`, stdout: r.stdout };
      return { noop: true };
    }
    case 'update_cache':
      return updateCache(host, a, c, ctx, s);
    case 'upgrade': {
      const argv = upgradeArgv(a, c.mode, c.aptitude);
      const { r, fail } = await commandStep(host, a, argv, ctx, (x) => `'${shown(argv)}' failed: ${x.stderr}`);
      if (fail) return fail;
      const noop = r.stdout.includes(c.aptitude ? APTITUDE_ZERO : APT_GET_ZERO);
      return { noop, stdout: r.stdout, stderr: r.stderr, ...(noop ? {} : diff(r.stdout)) };
    }
    case 'deb': {
      let stdout = '';
      let stderr = '';
      if (c.deps.length) {
        // Ansible installs the missing dependencies with its install(): no release, no force.
        const depArgs: AptArgs = { ...a, default_release: undefined, force: false, only_upgrade: false, autoremove: false, state: 'present' };
        const argv = installArgv(depArgs, c.deps, { buildDep: false });
        const dep = await commandStep(host, a, argv, ctx, (x) => `'${shown(argv)}' failed: ${x.stderr}`);
        if (dep.fail) return dep.fail;
        stdout += dep.r.stdout;
        stderr += dep.r.stderr;
        const mark = await commandStep(host, a, ['apt-mark', 'manual', ...c.deps], ctx, (x) => `'apt-mark manual ${c.deps.join(' ')}' failed: ${x.stderr}`);
        if (mark.fail) return mark.fail;
      }
      const argv = dpkgInstallArgv(a, c.debs);
      const { r, fail } = await commandStep(host, a, argv, ctx, () => `${shown(argv)} failed`);
      if (fail) return { ...fail, stdout: stdout + r.stdout, stderr: stderr + r.stderr, rc: undefined };
      return { stdout: stdout + r.stdout, stderr: stderr + r.stderr, ...diff(stdout + r.stdout) };
    }
    case 'install': {
      const now = await currentInstall(host, a, c, ctx, s);
      if (now === null) return { noop: true };
      if ('fail' in now) return { failed: true, msg: now.fail };
      if (now.specs.length === 0) return { noop: true };
      const argv = installArgv(a, now.specs, { buildDep: now.buildDep });
      const { r, fail } = await commandStep(host, a, argv, ctx, (x) => `'${shown(argv)}' failed: ${x.stderr}`);
      if (fail) return fail;
      const noop = now.buildDep && r.stdout.includes(APT_GET_ZERO);
      return { noop, msg: describeApt(now), stdout: r.stdout, stderr: r.stderr, ...diff(r.stdout) };
    }
    case 'remove': {
      const argv = removeArgv(a, c.specs);
      const { r, fail } = await commandStep(host, a, argv, ctx, (x) => `'apt-get remove ${c.specs.map((p) => `'${p}'`).join(' ')}' failed: ${x.stderr}`);
      if (fail) return fail;
      return { stdout: r.stdout, stderr: r.stderr, ...diff(r.stdout) };
    }
    case 'cleanup': {
      const argv = cleanupArgv(a, c.op);
      const { r, fail } = await commandStep(host, a, argv, ctx, (x) => `'apt-get ${c.op}' failed: ${x.stderr}`);
      if (fail) return fail;
      const noop = !r.stdout.includes(CLEANUP_CHANGED[c.op]);
      return { noop, stdout: r.stdout, stderr: r.stderr, ...(noop ? {} : diff(r.stdout)) };
    }
    case 'mark_manual': {
      const { fail } = await commandStep(host, a, ['apt-mark', 'manual', ...c.names], ctx, (x) => `'apt-mark manual ${c.names.join(' ')}' failed: ${x.stderr}`);
      return fail ?? { noop: true };
    }
  }
}

export const aptModule = defineModule({
  names: ['apt'],
  args: AptArgs,
  gather: probeApt,
  plan: planApt,
  describe: describeApt,
  counts: countsApt,
  apply: applyApt,
});
