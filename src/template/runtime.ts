// The internal helpers the rewritten template calls (see transform.ts). They get
// the template's name, format and refs from Handlebars' `data` (per render, no
// module state), so every error names template, line, column and variable.
import { RefusedValue, writeValue, type TemplateFormat } from './escape.js';
import { HELPERS } from './helpers/registry.js';
import { placeValues, SlotRefused } from './quoting-context.js';
import { unwrapSafe } from './safe-text.js';
import { TemplateError } from './template-error.js';
import { INTERNAL, type Ref } from './transform.js';

export interface RenderState {
  template: string;
  format: TemplateFormat;
  refs: readonly Ref[];
  /** Set by a lone `{{ expr }}` rendered in capture mode. */
  captured?: { value: unknown };
  /**
   * Formats escaped by quoting context: `{{ expr }}` writes a placeholder
   * `\0<nonce>:<n>\0` and its value goes here, to be escaped once the whole text
   * is known (`fillSlots`). The nonce is random per render: no value can forge one.
   */
  slots?: { nonce: string; values: unknown[]; refs: number[] };
}

/** Key of the render state in Handlebars' `data` frames (copied into every child frame). */
export const STATE_KEY = '__kvmplay';

interface HelperOptions {
  data?: Record<string, unknown>;
  hash?: Record<string, unknown>;
}

/** Handlebars calls a helper with its arguments, then an options object last. */
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  const last: unknown = args[args.length - 1];
  const options = last && typeof last === 'object' ? (last as HelperOptions) : {};
  return { params: args.slice(0, -1), options };
}

function stateOf(options: HelperOptions): RenderState {
  const state = options.data?.[STATE_KEY];
  if (!state || typeof state !== 'object') throw new Error('kvmplay template rendered without its state');
  return state as RenderState;
}

function refOf(state: RenderState, index: unknown): Ref {
  const ref = typeof index === 'number' ? state.refs[index] : undefined;
  if (!ref) throw new Error(`kvmplay template has no ref ${String(index)}`);
  return ref;
}

function errorAt(state: RenderState, ref: Ref, detail: string, cause?: unknown): TemplateError {
  return new TemplateError({ template: state.template, line: ref.line, col: ref.col, variable: ref.variable }, detail, cause === undefined ? undefined : { cause });
}

function described(ref: Ref): string {
  return ref.variable !== undefined ? `variable "${ref.variable}"` : `"${ref.text}"`;
}

// Inside {{#each}} and {{#with}} the context is the item, so a top-level variable
// is not found by its plain name there (Handlebars scoping, unlike Jinja's). When
// that is what happened, say how to reach it.
function scopeHint(ref: Ref, context: unknown, options: HelperOptions): string {
  const root = options.data?.['root'];
  const first = ref.variable?.split(/[.[/]/)[0];
  if (!ref.contextual || !first || context === root) return '';
  if (!root || typeof root !== 'object' || !Object.prototype.hasOwnProperty.call(root, first)) return '';
  return ` here (inside #each/#with the context is the item); write @root.${ref.variable} for the top-level variable`;
}

/** `(__kv_value path n)`: the value, or an error naming the undefined variable. */
function checkedValue(this: unknown, ...args: unknown[]): unknown {
  const { params: [value, index], options } = split(args);
  if (value !== undefined) return value;
  const state = stateOf(options);
  const ref = refOf(state, index);
  throw errorAt(state, ref, `variable "${ref.variable ?? ref.text}" is not defined${scopeHint(ref, this, options)}`);
}

/** `(__kv_call n args…)`: a registry helper; its plain errors gain a position. */
function callHelper(...args: unknown[]): unknown {
  const { params: [index, ...params], options } = split(args);
  const state = stateOf(options);
  const ref = refOf(state, index);
  const spec = ref.helper === undefined ? undefined : HELPERS.get(ref.helper);
  if (!spec) throw errorAt(state, ref, `unknown helper "${ref.helper ?? ref.text}"`);
  const hash: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.hash ?? {})) hash[key] = unwrapSafe(value);
  try {
    return spec.call(params.map(unwrapSafe), hash);
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw errorAt(state, ref, `${ref.helper}: ${message}`, e);
  }
}

/** `{{__kv_write value n}}`: the value escaped for the template's format. */
function write(...args: unknown[]): string {
  const { params: [value, index], options } = split(args);
  const state = stateOf(options);
  const ref = refOf(state, index);
  if (state.slots && ref.raw !== true) {
    state.slots.values.push(value);
    state.slots.refs.push(index as number);
    return `\0${state.slots.nonce}:${state.slots.values.length - 1}\0`;
  }
  try {
    return writeValue(value, state.format, ref.raw === true);
  } catch (e) {
    if (!(e instanceof RefusedValue)) throw e;
    throw errorAt(state, ref, `${described(ref)} ${e.message}`, e);
  }
}

/** Replace the placeholders of `rendered` by their values, escaped for their context. */
export function fillSlots(rendered: string, state: RenderState): string {
  const slots = state.slots;
  if (!slots || slots.values.length === 0) return rendered;
  try {
    return placeValues(rendered, state.format, slots.values, new RegExp(`\0${slots.nonce}:(\\d+)\0`));
  } catch (e) {
    if (!(e instanceof SlotRefused)) throw e;
    const ref = refOf(state, slots.refs[e.slot]);
    throw errorAt(state, ref, `${described(ref)} ${e.message}`, e);
  }
}

/** `{{__kv_capture value n}}`: keep the typed value of a lone expression. */
function capture(...args: unknown[]): string {
  const { params: [value, index], options } = split(args);
  const state = stateOf(options);
  if (value === undefined) throw errorAt(state, refOf(state, index), `${described(refOf(state, index))} is not defined`);
  state.captured = { value: unwrapSafe(value) };
  return '';
}

/** `(__kv_iterable value n)`: what #each loops over must be a list or a map (null: nothing). */
function iterable(...args: unknown[]): unknown {
  const { params: [value, index], options } = split(args);
  if (value === null || typeof value === 'object') return value;
  const state = stateOf(options);
  const ref = refOf(state, index);
  const what = value === undefined ? 'is not defined' : `is a ${typeof value}, not a list or a map to loop over`;
  throw errorAt(state, ref, `#each: "${ref.text}" ${what}`);
}

/** Helpers handed to every render (never registered globally). */
export const RUNTIME_HELPERS: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({
  [INTERNAL.value]: checkedValue,
  [INTERNAL.call]: callHelper,
  [INTERNAL.write]: write,
  [INTERNAL.capture]: capture,
  [INTERNAL.iterable]: iterable,
});
