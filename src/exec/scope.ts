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
  /** Set by combinedLayer: this layer stands for these, applied as one. */
  combines?: readonly VarLayer[];
}

/** What several layers give, key by key: the last layer holding a key decides it. */
interface Combined {
  /** Plain values, ready to copy into a scope. */
  plain: Record<string, unknown>;
  /** Templates, rendered when read (in the scope they are copied into). */
  templates: Array<{ key: string; raw: unknown; source: string }>;
  lazies: Array<{ key: string; lazy: Lazy }>;
}

/** Whether a value holds a template anywhere (an `!unsafe` string never does). */
export function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return isTemplate(v);
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (isRecord(v)) return Object.values(v).some(hasTemplate);
  return false;
}

// Loaded values are never changed in place, and the same ones reach every host of a
// group: each is made plain once.
const plainValues = new WeakMap<object, unknown>();

/** `!unsafe` strings become plain strings: they are data, never rendered. */
export function plainValue(v: unknown): unknown {
  if (v instanceof UnsafeText) return v.value;
  if (!Array.isArray(v) && !isRecord(v)) return v;
  const known = plainValues.get(v);
  if (known !== undefined) return known;
  let out: unknown;
  if (Array.isArray(v)) out = v.map(plainValue);
  else {
    const copy: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) define(copy, k, plainValue(x));
    out = copy;
  }
  plainValues.set(v, out);
  return out;
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

/**
 * Several layers as one (a host's inventory, facts, play vars and vars_files): what
 * they give is worked out once while their vars objects stay the same, and each task's
 * scope starts as a copy of it instead of going through every variable of every layer.
 */
export function combinedLayer(layers: readonly VarLayer[]): VarLayer {
  return {
    source: layers.map((l) => l.source).join(', '),
    templated: true,
    combines: layers,
    get vars() {
      return Object.assign({}, ...layers.map((l) => l.vars)) as Record<string, unknown>;
    },
  };
}

const combinedMemo = new WeakMap<VarLayer, { versions: unknown[]; combined: Combined }>();

function combinedOf(layer: VarLayer, parts: readonly VarLayer[]): Combined {
  const versions = parts.map((l) => l.vars);
  const memo = combinedMemo.get(layer);
  if (memo && memo.versions.every((v, i) => v === versions[i])) return memo.combined;
  const entries = new Map<string, { kind: 'plain' | 'template' | 'lazy'; value: unknown; source: string }>();
  const set = (key: string, kind: 'plain' | 'template' | 'lazy', value: unknown, source: string): void => {
    entries.delete(key); // insertion order: where the deciding layer put it
    entries.set(key, { kind, value, source });
  };
  parts.forEach((l, i) => {
    const vars = versions[i] as Readonly<Record<string, unknown>>;
    if (l.templated) {
      for (const { key, value, template } of prepared(vars)) set(key, template ? 'template' : 'plain', value, l.source);
    } else {
      for (const [key, raw] of Object.entries(vars)) set(key, raw instanceof Lazy ? 'lazy' : 'plain', raw, l.source);
    }
  });
  // Built in one pass, never deleted from: V8 keeps it a fast object, cheap to copy.
  const combined: Combined = { plain: {}, templates: [], lazies: [] };
  for (const [key, e] of entries) {
    if (e.kind === 'plain') define(combined.plain, key, e.value);
    else if (e.kind === 'template') combined.templates.push({ key, raw: e.value, source: e.source });
    else combined.lazies.push({ key, lazy: e.value as Lazy });
  }
  combinedMemo.set(layer, { versions, combined });
  return combined;
}

/** Merge layers into one scope; later layers replace earlier ones key by key (hash_behaviour=replace). */
export function layeredVars(layers: readonly VarLayer[], cache?: JinjaCache): Scope {
  // A combined layer under everything else (the common case; empty layers such as a play
  // without role defaults below it change nothing): the scope starts as a copy of it.
  let firstAt = 0;
  while (firstAt < layers.length && !layers[firstAt]!.combines && isEmptyLayer(layers[firstAt]!)) firstAt++;
  const firstLayer = layers[firstAt];
  const first = firstLayer?.combines ? combinedOf(firstLayer, firstLayer.combines) : undefined;
  const scope: Scope = first ? { ...first.plain } : {};
  const busy = new Set<string>();
  // Keys holding a getter (a template, a Lazy): a later plain value must replace the
  // property, not assign through it. Plain keys are assigned: far cheaper than defineProperty.
  const accessors = new Set<string>();
  const put = (key: string, value: unknown): void => {
    if (key === '__proto__' || accessors.delete(key)) define(scope, key, value);
    else scope[key] = value;
  };
  const lazy = (key: string, value: Lazy): void => {
    defineLazy(scope, key, value);
    accessors.add(key);
  };
  const template = (key: string, raw: unknown, source: string): void => {
    let memo: { value: unknown } | undefined;
    accessors.add(key);
    Object.defineProperty(scope, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (memo) return memo.value;
        if (busy.has(key)) {
          throw new ExprError(`variable "${key}" (${source}): recursive loop: the value of "${key}" refers to itself`);
        }
        busy.add(key);
        try {
          memo = { value: renderDeep(raw, scope, `variable "${key}" (${source})`, cache) };
        } finally {
          busy.delete(key);
        }
        return memo.value;
      },
    });
  };
  for (const [index, layer] of layers.entries()) {
    if (layer.combines) {
      const combined = index === firstAt && first ? first : combinedOf(layer, layer.combines);
      if (combined !== first) for (const [key, value] of Object.entries(combined.plain)) put(key, value);
      for (const t of combined.templates) template(t.key, t.raw, t.source);
      for (const l of combined.lazies) lazy(l.key, l.lazy);
      continue;
    }
    // Only templated layers (inventory, vars, -e) can hold `!unsafe` text; the others
    // (facts, registered results, magic variables) are the engine's plain data, taken as they are.
    if (!layer.templated) {
      for (const [key, raw] of Object.entries(layer.vars)) {
        if (raw instanceof Lazy) lazy(key, raw);
        else put(key, raw);
      }
      continue;
    }
    for (const { key, value: raw, template: isTemplated } of prepared(layer.vars)) {
      if (isTemplated) template(key, raw, layer.source);
      else put(key, raw);
    }
  }
  return scope;
}

function isEmptyLayer(layer: VarLayer): boolean {
  if (layer.templated) return prepared(layer.vars).length === 0;
  for (const _ in layer.vars) return false;
  return true;
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
