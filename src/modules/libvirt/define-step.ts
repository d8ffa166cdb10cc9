// The define step of libvirt_domain and libvirt_network (SPEC 6). libvirt normalises
// what it is given (addresses, controllers, defaults), so only a define can tell
// whether it changes anything: a real run always defines and compares the inactive
// XML before and after (a template that drops an element is applied too). Check mode
// cannot define: the plan carries an estimate (missingElements) for its wording.
import type { Host } from '../../transport/host.js';
import type { ModuleContext } from '../module.js';
import type { Plan, StepResult } from '../runner.js';
import { unifiedDiff } from '../../util/text.js';
import { missingElements } from './domain-xml.js';
import { defineXml, xmlName } from './libvirt-run.js';

export interface DefineChange {
  kind: 'define';
  what: 'domain' | 'network';
  /** The wanted XML with the existing uuid and MACs carried into it. */
  xml: string;
  /** The inactive XML before (null: libvirt does not know it). */
  before: string | null;
  /** The estimate: wanted elements the current XML lacks. */
  missing: string[];
}

/** Wanted XML (well-formed) vs the inactive XML → the define step, or why not. Pure. */
export function planDefine(
  what: DefineChange['what'], name: string, wanted: string, before: string | null, carry: (xml: string, before: string) => string,
): DefineChange | { fail: string } {
  const named = xmlName(wanted);
  if (named !== null && named !== name) return { fail: `the XML's <name> is "${named}", not "${name}"` };
  const xml = before === null ? wanted : carry(wanted, before);
  return { kind: 'define', what, xml, before, missing: before === null ? [] : missingElements(xml, before) };
}

/** The estimate says the define changes something (a new object, or a wanted element missing). */
export function estimatesChange(c: DefineChange): boolean {
  return c.before === null || c.missing.length > 0;
}

export function describeDefine(c: DefineChange): string {
  if (c.before === null) return `define (new ${c.what})`;
  return c.missing.length > 0 ? `define (differs: ${c.missing.slice(0, 5).join('; ')})` : 'define (no difference estimated)';
}

/** The plan's diff: the estimate, shown only where it sees a change. */
export function estimateDiff(name: string, c: DefineChange | undefined): Pick<Plan<unknown>, 'diff'> {
  if (!c || !estimatesChange(c)) return {};
  return { diff: () => unifiedDiff(`${c.what} ${name} (inactive XML, estimate)`, c.before ?? '', c.xml) };
}

/**
 * Whether check mode reports a step: a define is always planned (real runs define and
 * compare), but one the estimate sees no change in is left out of check mode — when
 * it is the only step, check mode reports the task unchanged.
 */
export function reportedInCheck(c: { kind: string }): boolean {
  return !(isDefine(c) && !estimatesChange(c));
}

function isDefine(c: { kind: string }): c is DefineChange {
  return c.kind === 'define';
}

/**
 * `virsh define`/`net-define` of the XML on stdin, checked against libvirt's schema
 * first, then the inactive XML read again: unchanged is a no-op, else the real diff.
 */
export async function applyDefine(
  host: Host, ctx: ModuleContext, uri: string, name: string, c: DefineChange, reread: () => Promise<string | null>,
): Promise<StepResult> {
  const cmd = c.what === 'domain' ? 'define' : 'net-define';
  await defineXml(host, ctx, uri, c.xml, c.what);
  const after = await reread();
  if (after === null) throw new Error(`${c.what} "${name}" is not defined after virsh ${cmd}`);
  if (after === c.before) return { noop: true, diff: '' };
  return { msg: c.before === null ? 'defined' : 'redefined', diff: unifiedDiff(`${c.what} ${name} (inactive XML)`, c.before ?? '', after) };
}
