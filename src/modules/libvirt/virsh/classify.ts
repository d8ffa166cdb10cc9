// virsh exits 0 or 1 only: the one place that turns its stderr into typed
// failures (STYLE 3). virsh prints its own line first ("error: Failed to define
// domain from x.xml") and libvirt's error second ("error: XML error: …"); libxml
// details continue on lines without "error: " (the source line and a caret).
// Message texts come from libvirt's src/util/virerror.c (virErrorMsg: "Domain not
// found", "Requested operation is not valid", "XML error", "unsupported
// configuration", "operation failed", "Timed out during operation", …) and from
// tools/virsh*.c ("failed to get domain '%s'", "Failed to start domain '%s'").

import { TaskError, type TaskErrorDetail } from '../../../errors.js';

interface Base {
  /** One line: virsh's and libvirt's messages joined with ": ", no "error: ". */
  message: string;
  /** libvirt's own message alone (the last "error: " entry), as libvirt-python raises it. */
  libvirtMessage: string;
  /** stderr as received. */
  stderr: string;
  command?: string[];
}

export type VirshFailure =
  | (Base & { kind: 'no-such-domain'; domain: string | null })
  | (Base & { kind: 'no-such-network'; network: string | null })
  | (Base & { kind: 'already-running'; domain: string | null })
  | (Base & { kind: 'not-running'; domain: string | null })
  /** `detail`: libvirt's own message, multi-line libxml context kept. */
  | (Base & { kind: 'invalid-xml'; detail: string })
  | (Base & { kind: 'unsupported-virt-type'; virtType: string; emulator: string | null })
  /** `hint` says what to check ("is libvirtd running?"). */
  | (Base & { kind: 'connection-failed'; socket: string | null; hint: string | null })
  | (Base & { kind: 'permission-denied' })
  | (Base & { kind: 'already-exists'; object: string; name: string; uuid: string | null })
  | (Base & { kind: 'operation-timeout' })
  | (Base & { kind: 'other' });

export type VirshFailureKind = VirshFailure['kind'];

/** stderr → entries: one per "error: " line, with its continuation lines. */
function entries(stderr: string): string[] {
  const out: string[] = [];
  for (const raw of stderr.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const m = /^error: ?(.*)$/.exec(line);
    if (m || out.length === 0) out.push(m ? (m[1] ?? '') : line);
    else out[out.length - 1] += `\n${line}`;
  }
  return out;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}

/** Names are quoted 'like this' by both virsh and libvirt. */
function quoted(re: RegExp, text: string): string | null {
  return re.exec(text)?.[1] ?? null;
}

/** The domain a message is about: "domain 'x'" in stderr, else the command's
 * last word that is not an option (`virsh start web1`). */
function domainOf(text: string, ctx?: { command: string[] }): string | null {
  const words = (ctx?.command ?? []).filter((w) => !w.startsWith('-'));
  return quoted(/\bdomain '([^']*)'/i, text) ?? (words.length > 1 ? words[words.length - 1] ?? null : null);
}

export function classifyVirshError(stderr: string, context?: { command: string[] }): VirshFailure {
  const parts = entries(stderr);
  const joined = parts.map(firstLine).filter((p, i, a) => p !== '' && a.indexOf(p) === i).join(': ');
  const all = parts.join('\n');
  const libvirtMsg = parts[parts.length - 1] ?? '';
  const base: Base = { message: joined || 'virsh failed with no message', libvirtMessage: firstLine(libvirtMsg) || joined || 'virsh failed with no message', stderr };
  if (context) base.command = context.command;

  // Order matters: the virt-type error is an "unsupported configuration" too, and a
  // socket "Permission denied" comes with "failed to connect to the hypervisor".
  const virt = /Emulator '([^']*)' does not support virt type '([^']*)'/.exec(all)
    ?? /could not find capabilities for .*domaintype=(\S+)/.exec(all);
  if (virt) {
    const virtType = virt.length === 3 ? virt[2] ?? '' : virt[1] ?? '';
    return { ...base, kind: 'unsupported-virt-type', virtType, emulator: virt.length === 3 ? virt[1] ?? null : null };
  }
  if (/Permission denied|access denied|operation forbidden|authentication (unavailable|failed)/i.test(all)) {
    return { ...base, kind: 'permission-denied' };
  }
  if (/failed to connect to the hypervisor|Failed to connect socket|no valid connection|Cannot recv data|End of file while reading data|Disconnected from .* due to/i.test(all)) {
    const socket = quoted(/Failed to connect socket to '([^']*)'/, all);
    let hint: string | null = null;
    if (/No such file or directory|Connection refused/.test(all)) {
      const daemon = /\/(virt\w+d)-sock/.exec(socket ?? '')?.[1] ?? 'libvirtd';
      hint = `is ${daemon} running?`;
    }
    return { ...base, message: hint ? `${base.message} (${hint})` : base.message, kind: 'connection-failed', socket, hint };
  }
  if (/Timed out during operation/i.test(all)) return { ...base, kind: 'operation-timeout' };
  const exists = /(\w+) '([^']*)' (?:already exists|is already defined)(?: with uuid ([0-9a-f-]+))?/i.exec(all);
  if (exists) {
    return { ...base, kind: 'already-exists', object: (exists[1] ?? '').toLowerCase(), name: exists[2] ?? '', uuid: exists[3] ?? null };
  }
  if (/Domain not found|failed to get domain/i.test(all)) {
    return { ...base, kind: 'no-such-domain', domain: quoted(/(?:failed to get domain|matching name) '([^']*)'/i, all) };
  }
  if (/Network not found|failed to get network/i.test(all)) {
    return { ...base, kind: 'no-such-network', network: quoted(/(?:failed to get network|matching name) '([^']*)'/i, all) };
  }
  if (/domain is already running|Domain is already active|domain is already active/i.test(all)) {
    return { ...base, kind: 'already-running', domain: domainOf(all, context) };
  }
  if (/domain is not running|domain is not active/i.test(all)) {
    return { ...base, kind: 'not-running', domain: domainOf(all, context) };
  }
  if (/XML error|XML document failed to validate|\(\w+_definition\):\d+:|unsupported configuration|XML description .*(invalid|not well formed)|Failed to define domain from|Failed to define network from/i.test(all)) {
    // libvirt's own message: the last entry, unless virsh's line is all there is.
    return { ...base, kind: 'invalid-xml', detail: libvirtMsg };
  }
  return { ...base, kind: 'other' };
}

/**
 * What a failed virsh command means for the task: the classified message with a hint
 * where libvirt's own words do not say what to change.
 */
export function virshFailureText(f: VirshFailure): string {
  // Older or machine-less XML gets this wording instead of "does not support virt type".
  const preferred = /could not get preferred machine for (\S+) type=(\w+)/.exec(f.stderr);
  if (preferred) return `${f.message} (the emulator ${preferred[1] ?? ''} cannot run virt type '${preferred[2] ?? ''}' here; use virt_type: qemu on hosts without /dev/kvm)`;
  if (f.kind === 'invalid-xml') return `invalid XML: ${f.detail || f.message}`;
  if (f.kind === 'unsupported-virt-type') return `${f.message} (use virt_type: qemu on hosts without /dev/kvm)`;
  return f.message;
}

/** A virsh command failed on a host; `failure` says how, the message says what it means. */
export class VirshError extends TaskError {
  readonly failure: VirshFailure;
  constructor(host: string, failure: VirshFailure, detail: Omit<TaskErrorDetail, 'stderr'> = {}, options?: { cause?: unknown }) {
    super(host, virshFailureText(failure), { ...detail, stderr: failure.stderr }, options);
    this.failure = failure;
  }
}
