// `libvirt_network` (SPEC 6): define/start/autostart/undefine a libvirt network from
// XML or a template, the same way as libvirt_domain: compare `net-dumpxml --inactive`
// before and after `net-define`, with the existing uuid and bridge MAC carried over.
import { z } from 'zod';
import { argumentSpec, boolish } from '../args.js';
import { defineModule } from '../runner.js';
import { carryNetworkIdentity, networkIdentity } from './domain-xml.js';
import { applyDefine, reportedInCheck, describeDefine, estimateDiff, planDefine, type DefineChange } from './define-step.js';
import { assertWellFormed, DEFAULT_URI, virshOk, virshOrNull } from './libvirt-run.js';
import { parseNetInfo, type NetInfo } from './virsh/index.js';

const LibvirtNetworkArgs = argumentSpec(
  {
    name: z.string().min(1),
    xml: z.string().min(1).optional(),
    template: z.string().min(1).optional(),
    state: z.enum(['present', 'active', 'absent']).default('present'),
    autostart: boolish.optional(),
    uri: z.string().min(1).default(DEFAULT_URI),
  },
  { mutuallyExclusive: [['xml', 'template']] },
);
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

/** What gather read: the network as libvirt has it, and the wanted XML. */
export interface NetworkFacts {
  /** `net-info`; null: no such network. */
  info: NetInfo | null;
  /** `net-dumpxml --inactive`; null: no such network, or a transient one (no inactive XML). */
  before: string | null;
  /** The xml argument or the rendered template, well-formed; null: none (or state absent). */
  wanted: string | null;
}

export type NetworkChange = DefineChange | { kind: 'start' | 'destroy' | 'undefine' } | { kind: 'autostart'; enable: boolean };

const DONE = { start: 'started', destroy: 'destroyed', undefine: 'undefined' } as const;

function describeNetworkChange(c: NetworkChange): string {
  if (c.kind === 'define') return describeDefine(c);
  if (c.kind === 'autostart') return `${c.enable ? 'enable' : 'disable'} autostart`;
  return c.kind;
}

export const libvirtNetworkModule = defineModule({
  names: ['libvirt_network'],
  args: LibvirtNetworkArgs,
  async gather(host, a, ctx): Promise<NetworkFacts> {
    const infoText = await virshOrNull(host, ctx, a.uri, ['net-info', '--network', a.name], 'no-such-network');
    const info = infoText === null ? null : parseNetInfo(infoText);
    // A transient network has no inactive XML: compare against nothing.
    const before = info && info.persistent !== false ? await virshOk(host, ctx, a.uri, ['net-dumpxml', '--inactive', '--network', a.name]) : null;
    const wanted = a.state === 'absent' ? null : a.xml ?? (a.template !== undefined ? (await ctx.renderTemplateFile(a.template)).content : null);
    if (wanted !== null) assertWellFormed(wanted);
    return { info, before, wanted };
  },
  plan(a, s) {
    const data = { name: a.name };
    const actions = planNetwork(a.state, s.info, s.wanted !== null);
    if ('fail' in actions) return { fail: `network "${a.name}": ${actions.fail}`, data };
    const changes: NetworkChange[] = [];
    let define: DefineChange | undefined;
    for (const action of actions) {
      if (action !== 'define') { changes.push({ kind: action }); continue; }
      if (s.wanted === null) continue;
      const planned = planDefine('network', a.name, s.wanted, s.before, (xml, before) => carryNetworkIdentity(xml, networkIdentity(before)));
      if ('fail' in planned) return { fail: planned.fail, data };
      define = planned;
      changes.push(define);
    }
    // net-define leaves autostart alone: what net-info said before still holds.
    if (a.autostart !== undefined && a.state !== 'absent' && a.autostart !== (s.info?.autostart ?? false)) changes.push({ kind: 'autostart', enable: a.autostart });
    return { changes, data, ...estimateDiff(a.name, define) };
  },
  describe: describeNetworkChange,
  counts: (c) => reportedInCheck(c),
  async apply(host, a, c, ctx, s) {
    const net = (cmd: string, ...flags: string[]): Promise<string> => virshOk(host, ctx, a.uri, [cmd, ...flags, '--network', a.name]);
    switch (c.kind) {
      case 'define': return applyDefine(host, ctx, a.uri, a.name, c, () => net('net-dumpxml', '--inactive'));
      case 'autostart': await net('net-autostart', ...(c.enable ? [] : ['--disable'])); return undefined;
      default: await net(`net-${c.kind}`); return { msg: DONE[c.kind] };
    }
  },
});
