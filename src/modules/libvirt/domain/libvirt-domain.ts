// `libvirt_domain` (SPEC 6): define a domain from XML or a template and drive it to a
// state. Idempotent the way known to work: compare the *inactive* XML before and after
// `virsh define` (live XML carries PCI addresses and controllers libvirt added), with
// the existing uuid and MACs carried into the wanted XML (define-step.ts). Unlike
// community.libvirt's virt.py, check mode never defines, and shutdown waits for the
// guest to stop.
import { z } from 'zod';
import { argumentSpec, boolish } from '../../args.js';
import type { ModuleContext } from '../../module.js';
import { defineModule, type StepResult } from '../../runner.js';
import { planDomainState, WANTED_DOMAIN_STATES, type DomainAction } from './domain-plan.js';
import { carryIdentity, domainIdentity, interfaceNetworks } from '../domain-xml.js';
import { applyDefine, reportedInCheck, describeDefine, estimateDiff, planDefine, type DefineChange } from '../define-step.js';
import { assertWellFormed, DEFAULT_URI, virshOk, virshOrNull, waitShutOff, domainArgs } from '../libvirt-run.js';
import { parseDomInfo, parseDomState, parseNetInfo, VirshError, type DomainState, type VirshFailureKind } from '../virsh/index.js';

const LibvirtDomainArgs = argumentSpec(
  {
    name: z.string().min(1),
    xml: z.string().min(1).optional(),
    template: z.string().min(1).optional(),
    state: z.enum(WANTED_DOMAIN_STATES).optional(),
    autostart: boolish.optional(),
    shutdown_timeout: z.coerce.number().nonnegative().default(60),
    force: boolish.default(false),
    undefine_nvram: boolish.optional(),
    remove_storage: boolish.default(false),
    uri: z.string().min(1).default(DEFAULT_URI),
  },
  { mutuallyExclusive: [['xml', 'template']] },
);
export type LibvirtDomainArgs = z.infer<typeof LibvirtDomainArgs>;

/** What gather read: the domain as libvirt has it, and the wanted XML. */
export interface DomainFacts {
  /** `dumpxml --inactive`; null: no such domain. */
  before: string | null;
  /** `domstate`; null: no such domain. */
  state: DomainState | null;
  /** dominfo's Autostart (false for a domain libvirt does not know; null: unreadable). */
  autostart: boolean | null;
  /** The xml argument or the rendered template, well-formed; null: none (or state undefined). */
  wanted: string | null;
  /** The libvirt networks the wanted XML's interfaces use, as the host has them (absent: none read). */
  networks?: NetworkUse[];
}

/** A network a wanted interface names: missing (not defined on the host), inactive or active. */
export interface NetworkUse { name: string; state: 'missing' | 'inactive' | 'active' }

/**
 * A VM whose network is missing, or inactive when the VM is to be started, would be
 * defined and then fail to start: refuse it before anything is defined. Pure.
 */
export function networkProblem(networks: readonly NetworkUse[], starts: boolean): string | null {
  const missing = networks.find((n) => n.state === 'missing');
  if (missing) return `network '${missing.name}' is not defined on this host; nothing defined (define it first, e.g. with libvirt_network)`;
  const inactive = starts ? networks.find((n) => n.state === 'inactive') : undefined;
  if (inactive) {
    return `network '${inactive.name}' is not active; nothing defined (start it and make it autostart: libvirt_network state: active, autostart: true; bootstrap-hypervisor.yaml does so for libvirt_networks)`;
  }
  return null;
}

export type DomainChange = DefineChange | DomainAction | { kind: 'autostart'; enable: boolean };

/** Wanted vs current → define, the state actions, autostart, in that order. Pure. */
export function planDomain(a: LibvirtDomainArgs, s: DomainFacts) {
  const want = a.state ?? 'defined';
  const data = { name: a.name };
  const changes: DomainChange[] = [];
  let define: DefineChange | undefined;
  if (s.wanted !== null) {
    const planned = planDefine('domain', a.name, s.wanted, s.before, (xml, before) => carryIdentity(xml, domainIdentity(before)));
    if ('fail' in planned) return { fail: planned.fail, data };
    define = planned;
    changes.push(define);
  }
  // A domain the define creates is shut off.
  const actions = planDomainState(want, s.state ?? (define ? 'shut off' : null));
  if ('fail' in actions) return { fail: `domain "${a.name}": ${actions.fail}`, data };
  const problem = networkProblem(s.networks ?? [], actions.some((x) => x.kind === 'start'));
  if (problem !== null) return { fail: `domain "${a.name}": ${problem}`, data };
  changes.push(...actions);
  if (a.autostart !== undefined && want !== 'undefined' && a.autostart !== s.autostart) changes.push({ kind: 'autostart', enable: a.autostart });
  return { changes, data, ...estimateDiff(a.name, define) };
}

export function describeDomainChange(c: DomainChange): string {
  switch (c.kind) {
    case 'define': return describeDefine(c);
    case 'start': return c.paused ? 'start paused' : 'start';
    case 'autostart': return `${c.enable ? 'enable' : 'disable'} autostart`;
    default: return c.kind;
  }
}

async function wantedXml(a: LibvirtDomainArgs, ctx: ModuleContext): Promise<string | null> {
  if (a.xml !== undefined) return a.xml;
  if (a.template !== undefined) return (await ctx.renderTemplateFile(a.template)).content;
  return null;
}

/** Run a virsh command; the given kind of failure means "already there": a no-op. */
async function unless(run: () => Promise<unknown>, already: VirshFailureKind, msg: string): Promise<StepResult> {
  try {
    await run();
    return { msg };
  } catch (err) {
    if (err instanceof VirshError && err.failure.kind === already) return { noop: true };
    throw err;
  }
}

export const libvirtDomainModule = defineModule({
  names: ['libvirt_domain'],
  args: LibvirtDomainArgs,
  async gather(host, a, ctx): Promise<DomainFacts> {
    const dom = (cmd: string, ...flags: string[]): Promise<string> => virshOk(host, ctx, a.uri, domainArgs(a.name, cmd, ...flags));
    const before = await virshOrNull(host, ctx, a.uri, domainArgs(a.name, 'dumpxml', '--inactive'), 'no-such-domain');
    const want = a.state ?? 'defined';
    const wanted = want === 'undefined' ? null : await wantedXml(a, ctx);
    if (wanted !== null) assertWellFormed(wanted);
    const networks: NetworkUse[] = [];
    for (const name of wanted === null ? [] : interfaceNetworks(wanted)) {
      const info = await virshOrNull(host, ctx, a.uri, ['net-info', '--network', name], 'no-such-network');
      networks.push({ name, state: info === null ? 'missing' : parseNetInfo(info).active === false ? 'inactive' : 'active' });
    }
    if (before === null) return { before, state: null, autostart: false, wanted, networks };
    const state = parseDomState(await dom('domstate')).state;
    const autostart = a.autostart !== undefined && want !== 'undefined' ? parseDomInfo(await dom('dominfo')).autostart : false;
    return { before, state, autostart, wanted, networks };
  },
  plan: planDomain,
  describe: describeDomainChange,
  counts: (c) => reportedInCheck(c),
  async apply(host, a, c, ctx, s) {
    const dom = (cmd: string, ...flags: string[]): Promise<string> => virshOk(host, ctx, a.uri, domainArgs(a.name, cmd, ...flags));
    switch (c.kind) {
      case 'define':
        return applyDefine(host, ctx, a.uri, a.name, c, () => virshOrNull(host, ctx, a.uri, domainArgs(a.name, 'dumpxml', '--inactive'), 'no-such-domain'));
      // Started (or stopped) by someone else since domstate: already where we want it.
      case 'start': return unless(() => dom('start', ...(c.paused ? ['--paused'] : [])), 'already-running', c.paused ? 'started paused' : 'started');
      case 'destroy': return unless(() => dom('destroy'), 'not-running', 'destroyed');
      case 'resume': await dom('resume'); return { msg: 'resumed' };
      case 'suspend': await dom('suspend'); return { msg: 'paused' };
      case 'shutdown': {
        await dom('shutdown');
        if (await waitShutOff(() => dom('domstate'), a.shutdown_timeout, ctx.signal)) return { msg: 'shut down' };
        if (!a.force) throw new Error(`domain "${a.name}" did not shut down within ${a.shutdown_timeout}s (set force: true to destroy it)`);
        const destroyed = await unless(() => dom('destroy'), 'not-running', `destroyed, (after a shutdown timeout of ${a.shutdown_timeout}s)`);
        return destroyed.noop ? { msg: 'shut down' } : destroyed;
      }
      case 'undefine': {
        const nvram = a.undefine_nvram ?? /<nvram\b/.test(s.before ?? '');
        await dom('undefine', nvram ? '--nvram' : '--keep-nvram', ...(a.remove_storage ? ['--remove-all-storage'] : []));
        return { msg: a.remove_storage ? 'undefined (storage removed)' : 'undefined' };
      }
      case 'autostart':
        await dom('autostart', ...(c.enable ? [] : ['--disable']));
        return { msg: `autostart ${c.enable ? 'enabled' : 'disabled'}` };
    }
  },
});
