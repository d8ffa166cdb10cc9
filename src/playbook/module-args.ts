// Module arguments against the module's own zod schema, at validation time and again
// at run time (the runner passes the rendered arguments to validateModuleArgs).
//
// At validation time a string holding `{{` is a template whose value — and type —
// only a host's variables decide (`memory: "{{ vm.memory }}"` may become a number).
// Such values are passed to the schema as they are (the template text), and every
// issue at or above a templated value is dropped: it may be an artefact of the
// template standing in for a value of another type. What is always checked:
// unknown arguments (keys are never templates), missing required arguments, and
// literal values of the wrong type or form (`mode: [1]`). The run-time call checks
// everything, on the rendered values.
import { z } from 'zod';
import { formatPath, type PathKey } from './position.js';
import { describeValue, didYouMean, listWords } from './suggest.js';

export interface ArgIssue {
  /** From the argument map: ['mode'], ['disks', 0, 'size']; [] for the whole map. */
  path: PathKey[];
  /** Point at the key (unknown argument) rather than at the value. */
  atKey: boolean;
  message: string;
}

/** What argument checking needs of a module (a registry module, or a test's). */
export interface ModuleSchema<A = unknown> {
  name: string;
  args: z.ZodType<A>;
}

export type ArgsResult<A> = { ok: true; args: A } | { ok: false; issues: ArgIssue[]; message: string };

/** A value decided at run time: a string with a template in it. */
export function isTemplated(v: unknown): v is string {
  return typeof v === 'string' && v.includes('{{');
}

/** Run time: parse the rendered arguments; on failure, every issue in plain words. */
export function validateModuleArgs<A>(module: ModuleSchema<A>, args: Record<string, unknown>): ArgsResult<A> {
  let r: ReturnType<typeof module.args.safeParse>;
  try {
    r = module.args.safeParse(args);
  } catch (e) {
    const issues = [{ path: [], atKey: false, message: `${module.name}: ${e instanceof Error ? e.message : String(e)}` }];
    return { ok: false, issues, message: issues[0]!.message };
  }
  if (r.success) return { ok: true, args: r.data };
  const issues = describeIssues(module, args, r.error.issues, []);
  return { ok: false, issues, message: issues.map((i) => i.message).join('; ') };
}

/** Validation time: the issues that hold whatever the templates render to. */
export function checkModuleArgs<A>(module: ModuleSchema<A>, args: Record<string, unknown>): ArgIssue[] {
  const templated = templatedPaths(args, []);
  const names = argumentNames(module.args);
  const issues: ArgIssue[] = [];
  if (names) {
    for (const key of Object.keys(args)) if (!names.includes(key)) issues.push(unknownArgument(module, key, names));
  }
  let zodIssues: z.core.$ZodIssue[];
  try {
    const r = module.args.safeParse(args);
    zodIssues = r.success ? [] : r.error.issues;
  } catch {
    // A transform choked on a template standing in for its value: nothing certain to say.
    return issues;
  }
  // Keys are never templates: unknown keys always count. Other issues count only
  // when no template lies at or under their path.
  const relevant = zodIssues.filter((i) => i.code === 'unrecognized_keys' || !templated.some((t) => startsWith(t, keys(i.path))));
  const seen = new Set<string>();
  return [...issues, ...describeIssues(module, args, relevant, templated)].filter((i) => {
    const id = `${formatPath(i.path)}\0${i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Argument names of a plain object schema (or a union of them); undefined when not knowable. */
export function argumentNames(schema: z.ZodType): string[] | undefined {
  if (schema instanceof z.ZodPipe) {
    // `.transform()` after an object keeps the object's keys; `z.preprocess` may rename them (aliases).
    return schema.in instanceof z.ZodTransform ? undefined : argumentNames(schema.in as z.ZodType);
  }
  if (schema instanceof z.ZodObject) {
    const catchall: unknown = schema.def.catchall;
    if (catchall !== undefined && !(catchall instanceof z.ZodNever)) return undefined;
    return Object.keys(schema.shape);
  }
  if (schema instanceof z.ZodUnion) {
    const all = new Set<string>();
    for (const option of schema.options as readonly z.ZodType[]) {
      const names = argumentNames(option);
      if (!names) return undefined;
      names.forEach((n) => all.add(n));
    }
    return [...all];
  }
  return undefined;
}

function unknownArgument(module: ModuleSchema<unknown>, key: string, names: readonly string[]): ArgIssue {
  const hint = didYouMean(key, names).replace(/^ \((.*)\)$/, ': $1');
  const valid = names.length ? ` (valid: ${[...names].sort().join(', ')})` : '';
  return { path: [key], atKey: true, message: `unknown argument "${key}" for ${module.name}${hint}${valid}` };
}

function describeIssues<A>(module: ModuleSchema<A>, args: unknown, issues: readonly z.core.$ZodIssue[], templated: PathKey[][], base: PathKey[] = []): ArgIssue[] {
  return issues.flatMap((issue) => describeIssue(module, args, issue, templated, base));
}

function describeIssue<A>(module: ModuleSchema<A>, args: unknown, issue: z.core.$ZodIssue, templated: PathKey[][], base: PathKey[]): ArgIssue[] {
  const path = [...base, ...keys(issue.path)];
  const label = formatPath(path);
  const value = valueAt(args, path);
  const own = !/^Invalid (input|option|discriminator)/.test(issue.message); // a message the module wrote itself
  const arg = `argument "${label}" of ${module.name}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      if (path.length === 0) {
        const names = argumentNames(module.args);
        // A key some other form of the arguments takes (a union's other branch) is not unknown.
        return issue.keys.map((k) => names?.includes(k)
          ? { path: [k], atKey: true, message: `argument "${k}" of ${module.name} does not go with the other arguments given` }
          : unknownArgument(module, k, names ?? []));
      }
      return issue.keys.map((k) => ({ path: [...path, k], atKey: true, message: `unknown key "${k}" in ${arg}` }));
    case 'invalid_type':
      if (value === undefined) {
        const message = path.length === 1 ? `missing required argument "${label}" for ${module.name}` : `${arg} is required`;
        return [{ path, atKey: false, message }];
      }
      if (own) break;
      return [{ path, atKey: false, message: `${arg} must be ${expectedWords(issue.expected)}, not ${describeValue(value)}` }];
    case 'invalid_value':
      if (own) break;
      return [{ path, atKey: false, message: `${arg} must be ${oneOf(issue.values)} (got ${JSON.stringify(value) ?? 'nothing'})` }];
    case 'invalid_union': {
      if (value === undefined) return [{ path, atKey: false, message: path.length === 1 ? `missing required argument "${label}" for ${module.name}` : `${arg} is required` }];
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : undefined;
      if (issue.errors.length === 0 && options && !own) {
        // A discriminated union names the discriminator in the issue's path already.
        return [{ path, atKey: false, message: `${arg} must be ${oneOf(options)}` }];
      }
      // The form closest to what was written: the branch with the fewest issues.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
      if (!own && best && best.length > 0) {
        const inner = best.filter((i) => !templated.some((t) => startsWith(t, [...path, ...keys(i.path)])));
        if (inner.length > 0) return describeIssues(module, args, inner, templated, path);
        return [];
      }
      break;
    }
    default:
      break;
  }
  return [{ path, atKey: false, message: label ? `${arg}: ${issue.message}` : `${module.name}: ${issue.message}` }];
}

function expectedWords(expected: string): string {
  const words: Record<string, string> = {
    string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false',
    array: 'a list', object: 'a map', record: 'a map', null: 'null', bigint: 'a whole number',
  };
  return words[expected] ?? expected;
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return shown.length === 1 ? shown[0]! : `one of: ${listWords(shown).replace(/ and ([^,]*)$/, ', $1')}`;
}

function keys(path: readonly PropertyKey[]): PathKey[] {
  return path.filter((k): k is PathKey => typeof k !== 'symbol');
}

function startsWith(path: readonly PathKey[], prefix: readonly PathKey[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => String(path[i]) === String(k));
}

function templatedPaths(v: unknown, at: PathKey[]): PathKey[][] {
  if (isTemplated(v)) return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => templatedPaths(x, [...at, i]));
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => templatedPaths(x, [...at, k]));
  return [];
}

function valueAt(v: unknown, path: readonly PathKey[]): unknown {
  let cur: unknown = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(k)] : Object.hasOwn(cur, String(k)) ? (cur as Record<string, unknown>)[String(k)] : undefined;
  }
  return cur;
}
