// XML checked before libvirt sees it (SPEC 5/issue 5): well-formedness here, in
// kvmplay, with a position; the libvirt schema on the host where its validator can
// run. Either failure means nothing was defined.
import { XMLValidator } from 'fast-xml-parser';
import type { Host } from '../../transport/host.js';
import type { ModuleContext } from '../module.js';
import { runOptions } from '../remote.js';

/** null when well-formed, else `line L, column C: what` (the first problem). */
export function xmlSyntaxError(xml: string): string | null {
  const r = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (r === true) return null;
  return `line ${r.err.line}, column ${r.err.col}: ${r.err.msg}`;
}

/**
 * virt-xml-validate is a shell script around xmllint (libxml2-utils, only
 * recommended by Debian's libvirt-clients): run it only where both exist.
 * Exit 0 without them, so the well-formedness check above is all there is.
 * It needs a file: the XML comes on stdin and is staged in a private directory
 * (`mktemp -d`, mode 0700, owned by whoever runs the check, root with become),
 * removed on exit. No other user can reach it, and virsh does not read it anyway.
 */
export const SCHEMA_CHECK = [
  'if ! command -v virt-xml-validate >/dev/null 2>&1 || ! command -v xmllint >/dev/null 2>&1; then cat >/dev/null; exit 0; fi',
  'd=$(mktemp -d) || exit 1',
  'trap \'rm -rf -- "$d"\' EXIT',
  'cat > "$d/$1.xml" || exit 1',
  'virt-xml-validate "$d/$1.xml" "$1" 2>&1 || exit 3',
].join('\n');

/** null when valid (or the schema cannot be checked on this host), else virt-xml-validate's words. */
export async function schemaError(host: Host, ctx: ModuleContext, xml: string, schema: 'domain' | 'network'): Promise<string | null> {
  const r = await host.run(['sh', '-c', SCHEMA_CHECK, 'sh', schema], runOptions(ctx, { timeoutMs: 60_000, stdin: xml }));
  if (r.rc === 0) return null;
  const words = `${r.stdout}${r.stderr}`.trim().split('\n').filter((l) => !/ validates$/.test(l)).slice(0, 5).join('; ');
  return `virt-xml-validate (libvirt's ${schema} schema): ${words || `exit ${r.rc ?? 'none'}`}`;
}
