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
 */
export const SCHEMA_CHECK = [
  'command -v virt-xml-validate >/dev/null 2>&1 && command -v xmllint >/dev/null 2>&1 || exit 0',
  'virt-xml-validate "$1" "$2" 2>&1 || exit 3',
].join('\n');

/** null when valid (or the schema cannot be checked on this host), else virt-xml-validate's words. */
export async function schemaError(host: Host, ctx: ModuleContext, path: string, schema: 'domain' | 'network'): Promise<string | null> {
  const r = await host.run(['sh', '-c', SCHEMA_CHECK, 'sh', path, schema], runOptions(ctx, { timeoutMs: 60_000 }));
  if (r.rc === 0) return null;
  const words = `${r.stdout}${r.stderr}`.trim().split('\n').filter((l) => !/ validates$/.test(l)).slice(0, 5).join('; ');
  return `virt-xml-validate (libvirt's ${schema} schema): ${words || `exit ${r.rc ?? 'none'}`}`;
}
