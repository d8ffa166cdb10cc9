// `virsh` (SPEC 6): any virsh subcommand, for reads and for actions the other libvirt
// modules do not cover. Tabular and key/value outputs come back parsed (`data.parsed`);
// failures are classified (virsh exits 0 or 1 only).
import { z } from 'zod';
import { shlexSplit } from '../../util/shlex.js';
import type { RunResult } from '../../transport/host.js';
import { DEFAULT_URI, runVirsh } from './libvirt-run.js';
import { defineModule, type ResultData } from '../runner.js';
import { splitLines } from '../../util/text.js';
import {
  VirshError, classifyVirshError, parseDomInfo, parseDomState, parseDomainList, parseNetworkList, parseVncDisplay,
  virshFailureText, type VirshFailure,
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

/** What one virsh run registers: its output as lines, and parsed where virsh prints a table. */
function outputData(uri: string, argv: readonly string[], r: RunResult): ResultData {
  const data: ResultData = { cmd: ['virsh', '-c', uri, ...argv], stdout_lines: splitLines(r.stdout), stderr_lines: splitLines(r.stderr) };
  try {
    const parsed = parseOutput(argv[0] ?? '', r.stdout);
    if (parsed !== undefined) data['parsed'] = parsed;
  } catch (err) {
    // The command worked; an output this parser does not know is not a task failure.
    data['parse_error'] = err instanceof Error ? err.message : String(err);
  }
  return data;
}

/** A failed virsh run, classified once: the message with libvirt's hints, the output kept. */
function virshFailure(uri: string, argv: readonly string[], r: RunResult): { failure: VirshFailure; msg: string; data: ResultData } {
  const failure = classifyVirshError(r.stderr, { command: ['virsh', ...argv] });
  const data = { cmd: ['virsh', '-c', uri, ...argv], stdout_lines: splitLines(r.stdout), stderr_lines: splitLines(r.stderr), failure: { kind: failure.kind, message: failure.message } };
  return { failure, msg: virshFailureText(failure), data };
}

function splitCommand(command: VirshArgs['command']): string[] {
  return typeof command === 'string' ? shlexSplit(command, { comments: false }) : command;
}

/** A read's output (gather runs it, check mode too); null for a subcommand that changes things. */
interface VirshRead {
  argv: string[];
  read: RunResult | null;
}

export const virshModule = defineModule({
  names: ['virsh'],
  args: VirshArgs,
  freeForm: 'command',
  async gather(host, a, ctx): Promise<VirshRead> {
    const argv = splitCommand(a.command);
    return { argv, read: isMutating(argv) ? null : await runVirsh(host, ctx, a.uri, argv) };
  },
  plan(a, { argv, read }) {
    if (read === null) return { changes: [argv], data: { cmd: ['virsh', ...argv] } };
    const out = { rc: read.rc, stdout: read.stdout, stderr: read.stderr };
    if (read.rc !== 0 || read.timedOut) {
      const { msg, data } = virshFailure(a.uri, argv, read);
      return { fail: msg, ...out, data };
    }
    return { changes: [], okMsg: '', ...out, data: outputData(a.uri, argv, read) };
  },
  describe: (argv: string[]) => `run virsh ${argv.join(' ')}`,
  async apply(host, a, argv, ctx) {
    const r = await runVirsh(host, ctx, a.uri, argv);
    if (r.rc !== 0 || r.timedOut) {
      const { failure, data } = virshFailure(a.uri, argv, r);
      throw new VirshError(ctx.hostName, failure, { rc: r.rc, stdout: r.stdout, data });
    }
    return { msg: '', rc: r.rc, stdout: r.stdout, stderr: r.stderr, data: outputData(a.uri, argv, r) };
  },
});
