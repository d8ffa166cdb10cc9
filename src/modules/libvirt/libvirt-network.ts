// `libvirt_network` (SPEC 6): define/start/autostart/undefine a libvirt network from
// XML or a template, the same way as libvirt_domain: compare `net-dumpxml --inactive`
// before and after `net-define`, with the existing uuid and bridge MAC carried over.
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { boolish } from '../args.js';
import { carryNetworkIdentity, missingElements, networkIdentity } from './domain-xml.js';
import { assertWellFormed, DEFAULT_URI, failureMessage, virshOk, withValidXml, xmlName } from './libvirt-run.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../module.js';
import { parseNetInfo, VirshError, type NetInfo } from './virsh/index.js';
import { unifiedDiff } from '../../util/text.js';

const LibvirtNetworkArgs = z
  .object({
    name: z.string().min(1),
    xml: z.string().min(1).optional(),
    template: z.string().min(1).optional(),
    state: z.enum(['present', 'active', 'absent']).default('present'),
    autostart: boolish.optional(),
    uri: z.string().min(1).default(DEFAULT_URI),
  })
  .strict()
  .refine((a) => !(a.xml !== undefined && a.template !== undefined), { message: 'give xml or template, not both' });
export type LibvirtNetworkArgs = z.infer<typeof LibvirtNetworkArgs>;

export type NetworkAction = 'define' | 'start' | 'destroy' | 'undefine';

/** State plan, pure: wanted state + current info (null: unknown to libvirt). */
export function planNetwork(state: LibvirtNetworkArgs['state'], cur: Pick<NetInfo, 'active' | 'persistent'> | null, hasXml: boolean): NetworkAction[] | { fail: string } {
  if (state === 'absent') {
    if (cur === null) return [];
    return [...(cur.active ? ['destroy' as const] : []), ...(cur.persistent !== false ? ['undefine' as const] : [])];
  }
  if (cur === null && !hasXml) return { fail: 'the network does not exist; give xml or template to define it' };
  const out: NetworkAction[] = hasXml ? ['define'] : [];
  if (state === 'active' && !(cur?.active ?? false)) out.push('start');
  return out;
}

export const libvirtNetworkModule: LegacyModule<LibvirtNetworkArgs> = {
  name: 'libvirt_network',
  args: LibvirtNetworkArgs,
  async run(host: Host, a, ctx: ModuleContext): Promise<ModuleResult> {
    const net = (cmd: string, ...flags: string[]): Promise<string> => virshOk(host, ctx, a.uri, [cmd, ...flags, '--network', a.name]);
    const did: string[] = [];
    const diffs: string[] = [];
    let changed = false;
    const note = (msg: string): void => { changed = true; did.push(ctx.check ? `would ${msg}` : msg); };
    const result = (extra: Partial<ModuleResult> = {}): ModuleResult => ({
      changed, msg: did.join(', ') || 'up to date', ...(diffs.length ? { diff: diffs.join('\n') } : {}), data: { name: a.name, actions: did }, ...extra,
    });
    const readInfo = async (): Promise<NetInfo | null> => {
      try {
        return parseNetInfo(await net('net-info'));
      } catch (err) {
        if (err instanceof VirshError && err.failure.kind === 'no-such-network') return null;
        throw err;
      }
    };
    try {
      const info = await readInfo();
      // A transient network has no inactive XML: compare against nothing.
      const before = info && info.persistent !== false ? await net('net-dumpxml', '--inactive') : null;
      const xml = a.state === 'absent' ? null : a.xml ?? (a.template !== undefined ? (await ctx.renderTemplateFile(a.template)).content : null);
      const plan = planNetwork(a.state, info, xml !== null);
      if ('fail' in plan) return result({ failed: true, msg: `network "${a.name}": ${plan.fail}` });
      for (const action of plan) {
        if (action === 'define' && xml !== null) {
          assertWellFormed(xml);
          const named = xmlName(xml);
          if (named !== null && named !== a.name) throw new Error(`the XML's <name> is "${named}", not "${a.name}"`);
          const carried = before === null ? xml : carryNetworkIdentity(xml, networkIdentity(before));
          if (ctx.check) {
            const missing = before === null ? [] : missingElements(carried, before);
            if (before === null || missing.length) note(before === null ? 'define (new network)' : `define (differs: ${missing.slice(0, 5).join('; ')})`);
            continue;
          }
          await withValidXml(host, ctx, carried, 'network', (path) => virshOk(host, ctx, a.uri, ['net-define', '--file', path]));
          const after = await net('net-dumpxml', '--inactive');
          if (after !== before) {
            note(before === null ? 'defined' : 'redefined');
            if (ctx.diff) diffs.push(unifiedDiff(`network ${a.name} (inactive XML)`, before ?? '', after));
          }
        } else if (action !== 'define') {
          if (!ctx.check) await net(`net-${action}`);
          note(action === 'start' ? 'started' : action === 'destroy' ? 'destroyed' : 'undefined');
        }
      }
      if (a.autostart !== undefined && a.state !== 'absent') {
        // net-define leaves autostart alone: what net-info said before still holds.
        const cur = info?.autostart ?? false;
        if (cur !== a.autostart) {
          if (!ctx.check) await net('net-autostart', ...(a.autostart ? [] : ['--disable']));
          note(`${a.autostart ? 'enable' : 'disable'} autostart`);
        }
      }
      return result();
    } catch (err) {
      return result({ failed: true, msg: failureMessage(err), ...(err instanceof VirshError ? { rc: err.rc, stderr: err.stderr } : {}) });
    }
  },
};
