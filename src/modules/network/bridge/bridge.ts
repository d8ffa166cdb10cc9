// `bridge` (SPEC 6): a Linux bridge over ports, written in the host's own format
// (ifcfg, ifupdown, NetworkManager keyfiles) and applied live with a safe apply:
// a rollback armed on the host itself, detached from SSH, before anything changes;
// the live change is made with the old persistent files in place; then a NEW SSH
// connection must succeed through the new path before kvmplay disarms it, and the
// disarm writes the persistent files (a reboot inside the window boots the old
// network). If no connection gets through, the host restores itself at the deadline;
// kvmplay reconnects over the restored path and reports the task failed, "rolled back".
//
// gather (bridge-gather.ts, one round trip) → plan (bridge-render.ts files,
// bridge-plan.ts live, pure) → apply (bridge-rollback.ts scripts); the runner never
// applies in check mode.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Host } from '../../../transport/host.js';
import { chooseFormat, GATHER_SCRIPT, parseGather, type Gathered } from './bridge-gather.js';
import { describeLive, involvedDevices, planLive, planRestore, simulate } from './bridge-plan.js';
import { candidatePaths, disableStanzas, ifupdownPath, NM_DIR, nmBridgeUuid, renderBridgeFiles, type WantedFile } from './bridge-render.js';
import {
  APPLY_DELAY_S, armArgv, disarmArgv, parseStatus, rollbackMethod, STATE_ROOT, stateTag, statusArgv,
  type ApplyStatus, type RollbackMethod, type SafeApply,
} from './bridge-rollback.js';
import { BridgeArgs, type BridgeFormat } from './bridge-spec.js';
import type { ModuleContext } from '../../module.js';
import { defineModule, type ResultData, type StepResult, wouldPhrase } from '../../runner.js';
import { putFile } from '../../files/put-file.js';
import { mustRun, runOptions, script } from '../../remote.js';
import { quoteShellCommand } from '../../../util/shell-quote.js';
import { unifiedDiff } from '../../../util/text.js';

export { BridgeArgs } from './bridge-spec.js';

// The disarm must reach the host this long before the deadline.
const MARGIN_MS = 2_000;
// After the deadline: how long the rollback may take before kvmplay looks.
const ROLLBACK_RUN_MS = 1_500;
// Reconnecting over the restored path: the window after the deadline (SPEC: deadline + 10 s).
const RESTORED_WINDOW_MS = 9_000;
const STEP_MS = 300;

export interface FileChange extends WantedFile {
  before: string | null;
  /** A volatile copy the live change is made from before it is proven (NetworkManager). */
  livePath?: string;
}

// NetworkManager's runtime keyfiles: read like /etc's (a profile there shadows the
// /etc one with its uuid), on a tmpfs a reboot empties.
export const NM_RUN_DIR = '/run/NetworkManager/system-connections';

export interface BridgePlan {
  format: BridgeFormat;
  why: string;
  files: FileChange[];
  /** Full argvs of the live change. */
  live: string[][];
  /** Full argvs putting the live state back (the rollback). */
  restore: string[][];
  liveBefore: string;
  liveAfter: string;
}

/** Gathered state + args → what to write and run. Pure. */
export function planBridge(a: BridgeArgs, g: Gathered): { kind: 'fail'; msg: string } | ({ kind: 'ok' } & BridgePlan) {
  const devs = involvedDevices(a);
  const choice = chooseFormat(a.format, g, devs);
  if (choice.kind === 'fail') return choice;
  const wanted = renderBridgeFiles(a, choice.format);
  if (choice.format === 'ifupdown' && !g.ifupdownBridge) {
    // The live change would work, and the next boot would lose the network.
    return { kind: 'fail', msg: 'ifupdown cannot bring bridges up on this host (no bridge-utils: /etc/network/if-pre-up.d/bridge is missing, and no ifupdown2): install bridge-utils first; nothing changed' };
  }
  if (choice.format === 'ifupdown') {
    // Stanzas for the bridge or its ports elsewhere would configure them twice.
    const own = ifupdownPath(a.name);
    for (const [path, text] of g.ifupdown) {
      if (path === own) continue;
      const edited = disableStanzas(text, new Set(devs), a.name);
      if (edited !== text) wanted.push({ path, content: edited, mode: 0o644 });
    }
  }
  const current = (path: string): string | null => (g.files.has(path) ? g.files.get(path) ?? null : g.ifupdown.get(path) ?? null);
  const nm = choice.format === 'nm-keyfile';
  // NetworkManager makes the change from keyfiles: until it is proven, from copies in /run.
  const files = wanted.map((f) => ({ ...f, before: current(f.path), ...(nm ? { livePath: f.path.replace(NM_DIR, NM_RUN_DIR) } : {}) }))
    .filter((f) => f.before !== f.content);
  const live = planLive(a, g.live, { delayOnlyWithStp: nm });
  if (live.kind === 'fail') return live;
  const ipCmds = live.commands.map((c) => ['ip', ...c]);
  const restoreIp = planRestore(a, g.live).map((c) => ['ip', ...c]);
  // NetworkManager owns the devices: it makes the change from the (new) keyfiles
  // (by uuid: another profile may carry the same name), and on rollback takes the
  // profiles that were active before back up (the bridge's own first), after the
  // old files are back; iproute2 then mops up. Profiles NetworkManager only
  // observed ("connected (externally)") are left to iproute2.
  const previous = [...(g.nm ?? [])]
    .filter((d) => devs.includes(d.device) && d.connection !== '' && d.connection !== '--' && !d.state.includes('external'))
    .sort((x, y) => devs.indexOf(x.device) - devs.indexOf(y.device))
    .map((d) => (d.uuid !== '' ? ['uuid', d.uuid] : ['id', d.connection]))
    .filter((c, i, all) => all.findIndex((o) => o[1] === c[1]) === i);
  const liveCmds = ipCmds.length === 0 ? [] : nm ? [['nmcli', 'connection', 'reload'], ['nmcli', 'connection', 'up', 'uuid', nmBridgeUuid(a.name)]] : ipCmds;
  const restore = nm
    ? [['nmcli', 'connection', 'reload'], ...previous.map((c) => ['nmcli', 'connection', 'up', ...c]), ...restoreIp]
    : restoreIp;
  return {
    kind: 'ok',
    format: choice.format,
    why: choice.why,
    files,
    live: liveCmds,
    restore,
    liveBefore: describeLive(g.live, devs),
    liveAfter: describeLive(simulate(g.live, live.commands), devs),
  };
}

function diffOf(a: BridgeArgs, p: BridgePlan): string {
  const parts = p.files.map((f) => unifiedDiff(f.path, f.before ?? '', f.content));
  if (p.live.length > 0) {
    parts.push(unifiedDiff(`live network (${a.name})`, p.liveBefore, p.liveAfter));
    parts.push(`live change:\n${p.live.map((c) => `  ${quoteShellCommand(c)}\n`).join('')}`);
  }
  return parts.filter((x) => x !== '').join('\n');
}

/** The clauses of "write /etc/…; change the live network (7 commands)". */
function clauses(p: BridgePlan): string[] {
  const w: string[] = [];
  if (p.files.length > 0) w.push(`write ${p.files.map((f) => f.path).join(', ')}`);
  if (p.live.length > 0) w.push(`change the live network (${p.live.length} command${p.live.length === 1 ? '' : 's'})`);
  return w;
}

function words(p: BridgePlan): string {
  return clauses(p).join('; ');
}

/** The one change a bridge task makes: its files and/or its live change. */
interface BridgeChange extends BridgePlan {
  method: RollbackMethod;
}

export const bridgeModule = defineModule({
  names: ['bridge'],
  args: BridgeArgs,
  async gather(host, a, ctx) {
    const r = await mustRun(host, script(GATHER_SCRIPT, ...candidatePaths(a)), ctx, 'cannot inspect the network');
    return parseGather(r.stdout);
  },
  plan(a, g: Gathered) {
    const plan = planBridge(a, g);
    if (plan.kind === 'fail') return { fail: `bridge ${a.name}: ${plan.msg}` };
    const method = rollbackMethod(g);
    const data: ResultData = {
      name: a.name,
      format: plan.format,
      format_reason: plan.why,
      files: plan.files.map((f) => f.path),
      commands: plan.live.map((c) => quoteShellCommand(c)),
      rollback_method: method,
    };
    if (plan.files.length === 0 && plan.live.length === 0) return { changes: [], data };
    if (plan.live.length > 0 && method === 'setsid' && !g.setsid) {
      return { fail: 'cannot arm a rollback: neither systemd (PID 1, systemd-run) nor setsid on the host; nothing changed', data };
    }
    const change: BridgeChange = { ...plan, method };
    // Check mode: "would" for each clause ("would write …; would change the live network …").
    const checkMsg = clauses(plan).map(wouldPhrase).join('; ');
    return { changes: [change], data, checkMsg, diff: () => diffOf(a, plan) };
  },
  describe: (c: BridgeChange) => words(c),
  async apply(host, a, c, ctx) {
    if (c.live.length > 0) return await safeApply(host, a, ctx, c);
    // Files only: the live network already is what they describe; nothing to roll back.
    for (const f of c.files) {
      await putFile(host, ctx, { path: f.path, content: Buffer.from(f.content), mode: f.mode, chown: null, keepOwner: null, backupTo: null, makeParent: f.before === null });
    }
    if (c.format === 'nm-keyfile') await mustRun(host, ['nmcli', 'connection', 'reload'], ctx, 'nmcli connection reload');
  },
});

/** A safe apply that did not go through: nothing stays changed (the host rolled back, or never started). */
function notApplied(msg: string, data: ResultData): StepResult {
  return { failed: true, noop: true, msg, data };
}

async function safeApply(host: Host, a: BridgeArgs, ctx: ModuleContext, plan: BridgeChange): Promise<StepResult> {
  const { method } = plan;
  const tag = stateTag(a.name, randomBytes(4).toString('hex'));
  const s: SafeApply = {
    dir: `${STATE_ROOT}/${tag}`,
    bridge: a.name,
    method,
    unit: `kvmplay-bridge-rollback-${tag}`,
    timeoutS: a.rollback_timeout,
    files: plan.files.map(({ path, content, mode, livePath }) => ({ path, content, mode, ...(livePath !== undefined ? { livePath } : {}) })),
    apply: plan.live,
    restore: plan.restore,
    // NetworkManager reads the /etc keyfiles that replace the /run copies (same uuids: the active profiles stay up).
    commit: plan.format === 'nm-keyfile' ? [['nmcli', 'connection', 'reload']] : [],
    restoredLive: plan.liveBefore.trimEnd().split('\n').map((l) => `live ${l}`),
  };
  const data: ResultData = { state_dir: s.dir, rollback_unit: method === 'systemd' ? `${s.unit}.timer` : undefined };
  const deadline = Date.now() + a.rollback_timeout * 1000;
  let armed;
  try {
    armed = await host.run(armArgv(s), runOptions(ctx, { timeoutMs: 30_000 }));
  } catch (err) {
    // The connection dropped while arming: the apply may have started; if so the
    // host rolls itself back at the deadline.
    return await awaitRollback(host, ctx, s, deadline, data, `the connection dropped while arming (${err instanceof Error ? err.message : String(err)})`);
  }
  if (armed.rc !== 0 || !armed.stdout.includes('started')) {
    const why = armed.stderr.trim() || armed.stdout.trim() || `exit status ${armed.rc}`;
    // 3/4: refused before the apply started. Anything else: it may have started, and
    // the rollback (if armed) will run at the deadline: treat it as a failed apply.
    if (armed.rc === 3 || armed.rc === 4) return notApplied(`cannot arm the rollback, nothing changed: ${why}`, data);
    return await awaitRollback(host, ctx, s, deadline, data, `arming answered oddly (${why})`);
  }
  await sleep(APPLY_DELAY_S * 1000 + 700, undefined, { signal: ctx.signal });

  // Prove that a NEW connection works through the new path, then disarm over it (the
  // disarm writes the persistent files).
  let lastError = '';
  while (Date.now() < deadline - MARGIN_MS) {
    const started = Date.now();
    let st: ApplyStatus;
    try {
      await host.reconnect({ timeoutMs: Math.max(1_000, deadline - MARGIN_MS - started) });
      st = await status(host, ctx, s.dir);
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      break;
    }
    if (st.token === 'firing' || st.token === 'rolled-back' || st.applyFailed) {
      return await awaitRollback(host, ctx, s, deadline, data, st.applyFailed ? `the change failed on the host:\n${st.log}` : 'the rollback fired before kvmplay could disarm it');
    }
    // The connection counts only if it was opened after apply.sh finished: host
    // uptime minus the apply's end is longer than this whole reconnect took.
    if (st.appliedAt !== null && st.uptime - st.appliedAt > (Date.now() - started) / 1000) {
      const r = await host.run(disarmArgv(s), runOptions(ctx, { timeoutMs: 15_000 }));
      if (r.rc === 0 && r.stdout.trim() === 'disarmed') {
        return { msg: `${words(plan)}; verified over a new SSH connection, rollback disarmed`, data };
      }
      if (r.stdout.startsWith('commit-failed\n')) {
        // Disarmed, but the files could not be written: the host undoes the live change
        // too (now, not at the deadline), so its network and its files agree again.
        const log = r.stdout.slice('commit-failed\n'.length).trim();
        return await awaitRollback(host, ctx, s, Date.now(), data, `the change worked, but writing the persistent files failed (${log}), so the live change was undone too`);
      }
      return await awaitRollback(host, ctx, s, deadline, data, 'the rollback fired before kvmplay could disarm it');
    }
    await sleep(STEP_MS, undefined, { signal: ctx.signal });
  }
  return await awaitRollback(host, ctx, s, deadline, data, `no new SSH connection through the new network before the deadline${lastError ? ` (${lastError})` : ''}`);
}

async function status(host: Host, ctx: ModuleContext, dir: string): Promise<ApplyStatus> {
  return parseStatus((await mustRun(host, statusArgv(dir), ctx, 'cannot read the bridge apply status', { timeoutMs: 15_000 })).stdout);
}

/** Wait out the deadline, reconnect over the restored path, report what was restored. */
async function awaitRollback(host: Host, ctx: ModuleContext, s: SafeApply, deadline: number, data: ResultData, why: string): Promise<StepResult> {
  const wait = deadline + ROLLBACK_RUN_MS - Date.now();
  if (wait > 0) await sleep(wait, undefined, { signal: ctx.signal });
  const until = deadline + RESTORED_WINDOW_MS;
  let st: ApplyStatus | null = null;
  let lastError = '';
  while (Date.now() < until) {
    try {
      await host.reconnect({ timeoutMs: Math.max(1_000, Math.min(3_000, until - Date.now())) });
      st = await status(host, ctx, s.dir);
      if (st.token === 'rolled-back') break;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(STEP_MS, undefined, { signal: ctx.signal });
  }
  if (st?.token === 'rolled-back') {
    const restored = st.restored.length > 0 ? st.restored.join('; ') : 'nothing needed restoring';
    return notApplied(`bridge ${s.bridge}: rolled back: ${why}. The host restored: ${restored}`, { ...data, rolled_back: true, restored: st.restored, log: st.log });
  }
  const seen = st ? `the rollback state is "${st.token}"` : `cannot reconnect (${lastError || 'no answer'})`;
  return notApplied(`bridge ${s.bridge}: ${why}; after the rollback deadline ${seen}. The host's rollback state is in ${s.dir}`, { ...data, rolled_back: false });
}
