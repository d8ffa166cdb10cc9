// `libvirt_domain` (SPEC 6): define a domain from XML or a template and drive it to a
// state. Idempotent the way known to work: compare the *inactive* XML before and after
// `virsh define` (live XML carries PCI addresses and controllers libvirt added), with
// the existing uuid and MACs carried into the wanted XML. Unlike community.libvirt's
// virt.py, check mode never defines, and shutdown waits for the guest to stop.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Host } from '../../../transport/host.js';
import { boolish } from '../../args.js';
import { planDomainState, WANTED_DOMAIN_STATES, type DomainAction } from './domain-plan.js';
import { carryIdentity, domainIdentity, missingElements } from '../domain-xml.js';
import { assertWellFormed, DEFAULT_URI, failureMessage, virshOk, withValidXml, xmlName } from '../libvirt-run.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../../module.js';
import { parseDomInfo, parseDomState, VirshError, type DomainState } from '../virsh/index.js';
import { unifiedDiff } from '../../../util/text.js';

const LibvirtDomainArgs = z
  .object({
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
  })
  .strict()
  .refine((a) => !(a.xml !== undefined && a.template !== undefined), { message: 'give xml or template, not both' });
export type LibvirtDomainArgs = z.infer<typeof LibvirtDomainArgs>;

const POLL_MS = 500;

/** What one run did, collected as it goes (one message per action). */
interface Outcome {
  changed: boolean;
  did: string[];
  diff: string[];
}

class Virsh {
  constructor(readonly host: Host, readonly ctx: ModuleContext, readonly uri: string, readonly name: string) {}
  run(...args: string[]): Promise<string> {
    return virshOk(this.host, this.ctx, this.uri, args);
  }
  /** `--domain NAME`: a name that starts with `-` is never read as an option. */
  dom(cmd: string, ...flags: string[]): Promise<string> {
    return this.run(cmd, ...flags, '--domain', this.name);
  }
  async inactiveXml(): Promise<string | null> {
    try {
      return await this.dom('dumpxml', '--inactive');
    } catch (err) {
      if (err instanceof VirshError && err.failure.kind === 'no-such-domain') return null;
      throw err;
    }
  }
  async state(): Promise<DomainState> {
    return parseDomState(await this.dom('domstate')).state;
  }
}

async function wantedXml(a: LibvirtDomainArgs, ctx: ModuleContext): Promise<string | null> {
  if (a.xml !== undefined) return a.xml;
  if (a.template !== undefined) return (await ctx.renderTemplateFile(a.template)).content;
  return null;
}

/** Define (or, in check mode, estimate); returns the inactive XML afterwards. */
async function define(v: Virsh, xml: string, before: string | null, out: Outcome): Promise<string | null> {
  assertWellFormed(xml);
  const named = xmlName(xml);
  if (named !== null && named !== v.name) throw new Error(`the XML's <name> is "${named}", not "${v.name}"`);
  const carried = before === null ? xml : carryIdentity(xml, domainIdentity(before));
  if (v.ctx.check) {
    const missing = before === null ? [] : missingElements(carried, before);
    if (before === null || missing.length > 0) {
      out.changed = true;
      out.did.push(before === null ? 'would define (new domain)' : `would define (differs: ${missing.slice(0, 5).join('; ')})`);
      if (v.ctx.diff) out.diff.push(unifiedDiff(`domain ${v.name} (inactive XML, estimate)`, before ?? '', carried));
    }
    return before;
  }
  await withValidXml(v.host, v.ctx, carried, 'domain', (path) => v.run('define', '--file', path));
  const after = await v.inactiveXml();
  if (after === null) throw new Error(`domain "${v.name}" is not defined after virsh define`);
  if (after !== before) {
    out.changed = true;
    out.did.push(before === null ? 'defined' : 'redefined');
    if (v.ctx.diff) out.diff.push(unifiedDiff(`domain ${v.name} (inactive XML)`, before ?? '', after));
  }
  return after;
}

/** Poll domstate until shut off; false when the timeout passes first. */
async function waitShutOff(v: Virsh, timeoutS: number): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    if ((await v.state()) === 'shut off') return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS, undefined, { signal: v.ctx.signal });
  }
}

async function act(v: Virsh, a: LibvirtDomainArgs, action: DomainAction, inactiveXml: string | null, out: Outcome): Promise<void> {
  const note = (msg: string): void => {
    out.changed = true;
    out.did.push(v.ctx.check ? `would ${msg}` : msg);
  };
  if (v.ctx.check) {
    note(action.kind === 'start' && action.paused ? 'start paused' : action.kind);
    return;
  }
  switch (action.kind) {
    case 'start':
      try {
        await v.dom('start', ...(action.paused ? ['--paused'] : []));
        note(action.paused ? 'started paused' : 'started');
      } catch (err) {
        // Started by someone else between domstate and start: already where we want it.
        if (!(err instanceof VirshError && err.failure.kind === 'already-running')) throw err;
      }
      return;
    case 'resume': await v.dom('resume'); note('resumed'); return;
    case 'suspend': await v.dom('suspend'); note('paused'); return;
    case 'destroy':
      try {
        await v.dom('destroy');
        note('destroyed');
      } catch (err) {
        if (!(err instanceof VirshError && err.failure.kind === 'not-running')) throw err;
      }
      return;
    case 'shutdown':
      await v.dom('shutdown');
      if (await waitShutOff(v, a.shutdown_timeout)) { note('shut down'); return; }
      if (!a.force) throw new Error(`domain "${v.name}" did not shut down within ${a.shutdown_timeout}s (set force: true to destroy it)`);
      await act(v, a, { kind: 'destroy' }, inactiveXml, out);
      out.did.push(`(after a shutdown timeout of ${a.shutdown_timeout}s)`);
      return;
    case 'undefine': {
      const nvram = a.undefine_nvram ?? /<nvram\b/.test(inactiveXml ?? '');
      await v.dom('undefine', nvram ? '--nvram' : '--keep-nvram', ...(a.remove_storage ? ['--remove-all-storage'] : []));
      note(a.remove_storage ? 'undefined (storage removed)' : 'undefined');
    }
  }
}

async function applyAutostart(v: Virsh, want: boolean, exists: boolean, out: Outcome): Promise<void> {
  const cur = exists ? parseDomInfo(await v.dom('dominfo')).autostart : false;
  if (cur === want) return;
  out.changed = true;
  if (v.ctx.check) { out.did.push(`would ${want ? 'enable' : 'disable'} autostart`); return; }
  await v.dom('autostart', ...(want ? [] : ['--disable']));
  out.did.push(`autostart ${want ? 'enabled' : 'disabled'}`);
}

export async function runLibvirtDomain(host: Host, a: LibvirtDomainArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const v = new Virsh(host, ctx, a.uri, a.name);
  const out: Outcome = { changed: false, did: [], diff: [] };
  const result = (extra: Partial<ModuleResult> = {}): ModuleResult => ({
    changed: out.changed,
    msg: out.did.join(', ') || 'up to date',
    ...(out.diff.some((d) => d !== '') ? { diff: out.diff.filter((d) => d !== '').join('\n') } : {}),
    data: { name: a.name, actions: out.did },
    ...extra,
  });
  try {
    const before = await v.inactiveXml();
    const state = a.state ?? 'defined';
    let inactive = before;
    const xml = state === 'undefined' ? null : await wantedXml(a, ctx);
    if (xml !== null) inactive = await define(v, xml, before, out);
    // In check mode a domain that would be defined is not there yet: it would be shut off.
    const exists = inactive !== null || (ctx.check && xml !== null);
    const cur: DomainState | null = inactive !== null ? await v.state() : exists ? 'shut off' : null;
    const plan = planDomainState(state, cur);
    if ('fail' in plan) return result({ failed: true, msg: `domain "${a.name}": ${plan.fail}` });
    for (const action of plan) await act(v, a, action, inactive, out);
    if (a.autostart !== undefined && state !== 'undefined') await applyAutostart(v, a.autostart, inactive !== null, out);
    return result();
  } catch (err) {
    return result({ failed: true, msg: failureMessage(err), ...(err instanceof VirshError ? { rc: err.rc, stderr: err.stderr } : {}) });
  }
}

export const libvirtDomainModule: LegacyModule<LibvirtDomainArgs> = {
  name: 'libvirt_domain',
  args: LibvirtDomainArgs,
  run: runLibvirtDomain,
};
