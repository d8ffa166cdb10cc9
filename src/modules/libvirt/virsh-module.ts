// `virsh` (SPEC 6): any virsh subcommand, for reads and for actions the other libvirt
// modules do not cover. Tabular and key/value outputs come back parsed (`data.parsed`);
// failures are classified (virsh exits 0 or 1 only).
import { z } from 'zod';
import { shlexSplit } from '../../util/shlex.js';
import { DEFAULT_URI, failureMessage, runVirsh } from './libvirt-run.js';
import type { LegacyModule, ModuleResult } from '../module.js';
import { splitLines } from '../../util/text.js';
import {
  VirshError, classifyVirshError, parseDomInfo, parseDomState, parseDomainList, parseNetworkList, parseVncDisplay,
} from './virsh/index.js';

const VirshArgs = z
  .object({
    // A string is split like a shell would (quotes kept together), never run by one.
    command: z.union([z.string().min(1), z.array(z.union([z.string(), z.number()]).transform(String)).min(1)]),
    uri: z.string().min(1).default(DEFAULT_URI),
  })
  .strict();
export type VirshArgs = z.infer<typeof VirshArgs>;

// Subcommands that only read: everything else is assumed to change something, the
// safe side for handlers and check mode.
const READS = new Set([
  'list', 'dominfo', 'domstate', 'dumpxml', 'domuuid', 'domid', 'domname', 'domifaddr', 'domiflist', 'domblklist',
  'domblkinfo', 'domstats', 'domjobinfo', 'dommemstat', 'domdisplay', 'vncdisplay', 'ttyconsole', 'vcpuinfo',
  'vcpucount', 'nodeinfo', 'nodememstats', 'nodecpustats', 'capabilities', 'domcapabilities', 'version', 'uri',
  'hostname', 'sysinfo', 'net-list', 'net-info', 'net-dumpxml', 'net-uuid', 'net-name', 'net-dhcp-leases',
  'pool-list', 'pool-info', 'pool-dumpxml', 'vol-list', 'vol-info', 'vol-dumpxml', 'vol-path', 'iface-list',
  'nodedev-list', 'nodedev-dumpxml', 'snapshot-list', 'snapshot-info', 'snapshot-dumpxml', 'snapshot-current',
  'secret-list', 'nwfilter-list', 'help', 'echo', 'freecell', 'maxvcpus', 'schedinfo', 'memtune', 'blkiotune',
  'domblkstat', 'domifstat', 'domtime', 'domhostname', 'domfsinfo', 'iothreadinfo', 'emulatorpin',
  'vcpupin', 'numatune', 'domblkerror', 'domcontrol',
]);

/** Some read subcommands change things with arguments (`vcpupin DOM 0 1`, `schedinfo --set`). */
export function isMutating(argv: readonly string[]): boolean {
  const sub = argv[0] ?? '';
  if (!READS.has(sub)) return true;
  const words = argv.slice(1).filter((w) => !w.startsWith('-'));
  if (['vcpupin', 'emulatorpin', 'numatune', 'memtune', 'blkiotune', 'schedinfo', 'domtime'].includes(sub)) {
    return argv.some((w) => w === '--set' || /^--(hard|soft|swap|weight|nodeset|mode|now|sync|time)/.test(w)) || words.length > (sub === 'vcpupin' ? 2 : 1);
  }
  return false;
}

/** Structured data for the outputs virsh prints as tables or key/value lines. */
export function parseOutput(sub: string, stdout: string): unknown {
  switch (sub) {
    case 'list': return parseDomainList(stdout);
    case 'dominfo': return parseDomInfo(stdout);
    case 'domstate': return parseDomState(stdout);
    case 'net-list': return parseNetworkList(stdout);
    case 'vncdisplay': return parseVncDisplay(stdout);
    default: return undefined;
  }
}

export const virshModule: LegacyModule<VirshArgs> = {
  name: 'virsh',
  args: VirshArgs,
  freeForm: 'command',
  async run(host, a, ctx): Promise<ModuleResult> {
    const argv = typeof a.command === 'string' ? shlexSplit(a.command, { comments: false }) : a.command;
    const sub = argv[0] ?? '';
    const mutating = isMutating(argv);
    if (ctx.check && mutating) {
      return { changed: true, msg: `would run virsh ${argv.join(' ')}`, data: { cmd: ['virsh', ...argv] } };
    }
    const r = await runVirsh(host, ctx, a.uri, argv);
    const base = {
      rc: r.rc,
      stdout: r.stdout,
      stderr: r.stderr,
      data: { cmd: ['virsh', '-c', a.uri, ...argv], stdout_lines: splitLines(r.stdout), stderr_lines: splitLines(r.stderr) } as Record<string, unknown>,
    };
    if (r.rc !== 0 || r.timedOut) {
      const failure = classifyVirshError(r.stderr, { command: ['virsh', ...argv] });
      const msg = failureMessage(new VirshError(ctx.hostName, failure, { rc: r.rc }));
      return { ...base, changed: false, failed: true, msg, data: { ...base.data, failure: { kind: failure.kind, message: failure.message } } };
    }
    try {
      const parsed = parseOutput(sub, r.stdout);
      if (parsed !== undefined) base.data['parsed'] = parsed;
    } catch (err) {
      // The command worked; an output this parser does not know is not a task failure.
      base.data['parse_error'] = err instanceof Error ? err.message : String(err);
    }
    return { ...base, changed: mutating, msg: '' };
  },
};
