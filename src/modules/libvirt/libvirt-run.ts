// Running virsh and qemu-img for the libvirt modules: argv only, C locale (the
// parsers and the error classifier read English text), failures classified once.
import { randomBytes } from 'node:crypto';
import type { Host, RunResult } from '../../transport/host.js';
import type { ModuleContext } from '../module.js';
import { putFile } from '../files/put-file.js';
import { runOptions } from '../remote.js';
import { schemaError, xmlSyntaxError } from './xml-check.js';
import { VirshError, classifyVirshError, type VirshFailureKind } from './virsh/index.js';

export const DEFAULT_URI = 'qemu:///system';

/** `env LC_ALL=C virsh -c URI ARGS…`: env, so the locale needs no shell. */
export function virshArgv(uri: string, args: readonly string[]): string[] {
  return ['env', 'LC_ALL=C', 'virsh', '-c', uri, ...args];
}

export async function runVirsh(host: Host, ctx: ModuleContext, uri: string, args: readonly string[]): Promise<RunResult> {
  return host.run(virshArgv(uri, args), runOptions(ctx));
}

/** Run virsh; a failure becomes a VirshError whose `failure` says what kind. */
export async function virshOk(host: Host, ctx: ModuleContext, uri: string, args: readonly string[]): Promise<string> {
  const r = await runVirsh(host, ctx, uri, args);
  if (r.rc !== 0 || r.timedOut) {
    const failure = classifyVirshError(r.timedOut ? 'error: Timed out during operation' : r.stderr, { command: ['virsh', ...args] });
    throw new VirshError(ctx.hostName, failure, { rc: r.rc });
  }
  return r.stdout;
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

/**
 * Put XML in a private temp file on the host (mode 0600, via SFTP or sudo), hand
 * its path to `use` (e.g. `virsh define --file`), and always remove it afterwards.
 */
export async function withTempXml<T>(host: Host, ctx: ModuleContext, xml: string, use: (path: string) => Promise<T>): Promise<T> {
  const path = `/tmp/kvmplay-${randomBytes(8).toString('hex')}.xml`;
  await putFile(host, ctx, { path, content: Buffer.from(xml, 'utf8'), mode: 0o600, chown: null, keepOwner: null, backupTo: null });
  try {
    return await use(path);
  } finally {
    await host.run(['rm', '-f', '--', path], runOptions(ctx, { signal: undefined, timeoutMs: 10_000 })).catch(() => undefined);
  }
}

/** Throws `invalid XML: line L, column C: …` unless the XML is well-formed (check mode too). */
export function assertWellFormed(xml: string): void {
  const problem = xmlSyntaxError(xml);
  if (problem !== null) throw new Error(`invalid XML (not well-formed), nothing defined: ${problem}`);
}

/**
 * withTempXml, with the XML checked against libvirt's schema on the host first
 * (where virt-xml-validate can run): an invalid definition is never handed to virsh.
 */
export async function withValidXml<T>(
  host: Host, ctx: ModuleContext, xml: string, schema: 'domain' | 'network', use: (path: string) => Promise<T>,
): Promise<T> {
  return withTempXml(host, ctx, xml, async (path) => {
    const problem = await schemaError(host, ctx, path, schema);
    if (problem !== null) throw new Error(`invalid XML, nothing defined: ${problem}`);
    return use(path);
  });
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
