// A host's variables at one task, from layers lowest → highest precedence (SPEC 3).
// Values of templated layers (inventory, play vars, vars_files, task vars, -e) may be
// templates themselves (`dir: "{{ base }}/x"`); as in Ansible they are rendered
// lazily, when read, against the whole scope — so a task var may use `item`, and a
// variable nobody reads never fails. Rendered values are memoized per scope object.
// Pure: no I/O.
import { UnsafeText } from '../inventory/index.js';
import { ExprError } from '../jinja/index.js';
import { isTemplate, renderString, type JinjaCache } from '../jinja/strings.js';

export type Scope = Record<string, unknown>;

/**
 * A value of an engine layer computed only when a template reads it, once per scope:
 * magic variables such as `hostvars` or `ansible_play_hosts` cost a pass over the
 * fleet, and most tasks never read them.
 */
export class Lazy {
  constructor(readonly compute: () => unknown) {}
}

export interface VarLayer {
  /** Names the layer in errors: `play vars`, `task vars`, `inventory`. */
  source: string;
  vars: Readonly<Record<string, unknown>>;
  /** Strings in these values are templates (registered results and facts are data). */
  templated: boolean;
}

/** Whether a value holds a template anywhere (an `!unsafe` string never does). */
export function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return isTemplate(v);
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (isRecord(v)) return Object.values(v).some(hasTemplate);
  return false;
}

/** `!unsafe` strings become plain strings: they are data, never rendered. */
export function plainValue(v: unknown): unknown {
  if (v instanceof UnsafeText) return v.value;
  if (Array.isArray(v)) return v.map(plainValue);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) define(out, k, plainValue(x));
    return out;
  }
  return v;
}

/** Render every template string inside `v` against `scope`. */
export function renderDeep(v: unknown, scope: Scope, name: string, cache?: JinjaCache): unknown {
  if (v instanceof UnsafeText) return v.value;
  if (typeof v === 'string') return renderString(v, scope, { name, ...(cache ? { cache } : {}) });
  if (Array.isArray(v)) return v.map((x, i) => renderDeep(x, scope, `${name}[${i}]`, cache));
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) define(out, k, renderDeep(x, scope, `${name}.${k}`, cache));
    return out;
  }
  return v;
}

/** A templated layer's entries, prepared once per vars object: which hold templates, the rest made plain. */
type Prepared = Array<{ key: string; value: unknown; template: boolean }>;
const preparedLayers = new WeakMap<object, Prepared>();

/**
 * The entries of a templated layer. The loader's and the inventory's vars objects are
 * the same from task to task (a changed inventory makes a new one), so what each value
 * is (a template, or `!unsafe` text to unwrap) is worked out once, not per host-task.
 */
function prepared(vars: Readonly<Record<string, unknown>>): Prepared {
  let entries = preparedLayers.get(vars);
  if (!entries) {
    entries = Object.entries(vars).map(([key, raw]) => (hasTemplate(raw) ? { key, value: raw, template: true } : { key, value: plainValue(raw), template: false }));
    preparedLayers.set(vars, entries);
  }
  return entries;
}

/** Merge layers into one scope; later layers replace earlier ones key by key (hash_behaviour=replace). */
export function layeredVars(layers: readonly VarLayer[], cache?: JinjaCache): Scope {
  const scope: Scope = {};
  const busy = new Set<string>();
  // Keys holding a getter (a template, a Lazy): a later plain value must replace the
  // property, not assign through it. Plain keys are assigned: far cheaper than defineProperty.
  const accessors = new Set<string>();
  const put = (key: string, value: unknown): void => {
    if (key === '__proto__' || accessors.delete(key)) define(scope, key, value);
    else scope[key] = value;
  };
  for (const layer of layers) {
    // Only templated layers (inventory, vars, -e) can hold `!unsafe` text; the others
    // (facts, registered results, magic variables) are the engine's plain data, taken as they are.
    if (!layer.templated) {
      for (const [key, raw] of Object.entries(layer.vars)) {
        if (raw instanceof Lazy) {
          defineLazy(scope, key, raw);
          accessors.add(key);
        } else put(key, raw);
      }
      continue;
    }
    for (const { key, value: raw, template } of prepared(layer.vars)) {
      if (!template) {
        put(key, raw);
        continue;
      }
      let memo: { value: unknown } | undefined;
      accessors.add(key);
      Object.defineProperty(scope, key, {
        enumerable: true,
        configurable: true,
        get: () => {
          if (memo) return memo.value;
          if (busy.has(key)) {
            throw new ExprError(`variable "${key}" (${layer.source}): recursive loop: the value of "${key}" refers to itself`);
          }
          busy.add(key);
          try {
            memo = { value: renderDeep(raw, scope, `variable "${key}" (${layer.source})`, cache) };
          } finally {
            busy.delete(key);
          }
          return memo.value;
        },
      });
    }
  }
  return scope;
}

function defineLazy(scope: Scope, key: string, lazy: Lazy): void {
  let memo: { value: unknown } | undefined;
  Object.defineProperty(scope, key, {
    enumerable: true,
    configurable: true,
    get: () => (memo ??= { value: lazy.compute() }).value,
  });
}

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps a "__proto__" key as data instead of changing the prototype.
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
