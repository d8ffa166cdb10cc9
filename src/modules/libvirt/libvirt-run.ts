// Running virsh and qemu-img for the libvirt modules: argv only, C locale (the
// parsers and the error classifier read English text), failures classified once.
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskError } from '../../errors.js';
import type { Host, RunOptions, RunResult } from '../../transport/host.js';
import type { ModuleContext } from '../module.js';
import { runOptions } from '../remote.js';
import { schemaError, xmlSyntaxError } from './xml-check.js';
import { VirshError, classifyVirshError, parseDomState, type VirshFailureKind } from './virsh/index.js';

export const DEFAULT_URI = 'qemu:///system';

/** `env LC_ALL=C virsh -c URI ARGS…`: env, so the locale needs no shell. */
export function virshArgv(uri: string, args: readonly string[]): string[] {
  return ['env', 'LC_ALL=C', 'virsh', '-c', uri, ...args];
}

/** `virsh CMD FLAGS… --domain NAME`: a name that starts with `-` is never read as an option. */
export function domainArgs(name: string, cmd: string, ...flags: string[]): string[] {
  return [cmd, ...flags, '--domain', name];
}

export async function runVirsh(host: Host, ctx: ModuleContext, uri: string, args: readonly string[], extra: RunOptions = {}): Promise<RunResult> {
  return host.run(virshArgv(uri, args), runOptions(ctx, extra));
}

/** Run virsh; a failure becomes a VirshError whose `failure` says what kind. */
export async function virshOk(host: Host, ctx: ModuleContext, uri: string, args: readonly string[], extra: RunOptions = {}): Promise<string> {
  const r = await runVirsh(host, ctx, uri, args, extra);
  if (r.rc !== 0 || r.timedOut) {
    const failure = classifyVirshError(r.timedOut ? 'error: Timed out during operation' : r.stderr, { command: ['virsh', ...args] });
    throw new VirshError(ctx.hostName, failure, { rc: r.rc });
  }
  return r.stdout;
}

/**
 * `fn` with its virsh failures worded as libvirt-python words them (libvirt's message
 * alone, without virsh's "failed to …" context): community.libvirt's modules register
 * that as `msg`, and playbooks match on it.
 */
export function withLibvirtMessages<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      if (!(err instanceof VirshError)) throw err;
      throw new TaskError(err.host, err.failure.libvirtMessage, { rc: err.rc, stderr: err.stderr }, { cause: err });
    }
  };
}

/** virshOk, but null when virsh fails with `absent` (the object does not exist). */
export async function virshOrNull(host: Host, ctx: ModuleContext, uri: string, args: readonly string[], absent: VirshFailureKind): Promise<string | null> {
  try {
    return await virshOk(host, ctx, uri, args);
  } catch (err) {
    if (err instanceof VirshError && err.failure.kind === absent) return null;
    throw err;
  }
}

/** Throws `invalid XML: line L, column C: …` unless the XML is well-formed (check mode too). */
export function assertWellFormed(xml: string): void {
  const problem = xmlSyntaxError(xml);
  if (problem !== null) throw new Error(`invalid XML (not well-formed), nothing defined: ${problem}`);
}

/**
 * `virsh define`/`net-define` of this XML, fed on stdin (`--file /dev/stdin`), checked
 * against libvirt's schema first where virt-xml-validate can run. No file of it is
 * ever left where another user could swap it between the check and the define.
 */
export async function defineXml(host: Host, ctx: ModuleContext, uri: string, xml: string, what: 'domain' | 'network'): Promise<void> {
  const problem = await schemaError(host, ctx, xml, what);
  if (problem !== null) throw new Error(`invalid XML, nothing defined: ${problem}`);
  await virshOk(host, ctx, uri, [what === 'domain' ? 'define' : 'net-define', '--file', '/dev/stdin'], { stdin: xml });
}

/** The five predefined XML entities and numeric references, for names in XML. */
export function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
    if (e[0] !== '#') return named[e.toLowerCase()] ?? '';
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/** The `<name>` of a domain or network XML, unescaped. */
export function xmlName(xml: string): string | null {
  const m = /<name>([\s\S]*?)<\/name>/.exec(xml);
  return m ? unescapeXml((m[1] ?? '').trim()) : null;
}

const SHUTDOWN_POLL_MS = 500;

/** Poll domstate until shut off (shutdown is asynchronous in libvirt); false when the timeout passes first. */
export async function waitShutOff(domstate: () => Promise<string>, timeoutS: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    if (parseDomState(await domstate()).state === 'shut off') return true;
    if (Date.now() >= deadline) return false;
    await sleep(SHUTDOWN_POLL_MS, undefined, { signal });
  }
}

