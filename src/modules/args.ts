// Argument pieces shared by the file modules' zod schemas, shaped like Ansible's
// argument_spec types (`path`, `bool`, `raw` mode).
import { z } from 'zod';
import { isModeArg } from './files/mode.js';

// Absolute only: a relative path would resolve against whatever the remote user's
// home is, which differs with become; refusing it at validate time is clearer.
export const absPath = z.string().min(1).refine((p) => p.startsWith('/'), { message: 'must be an absolute path' });

const TRUE_WORDS = ['yes', 'on', 'true', 'y', '1', 't'];
const FALSE_WORDS = ['no', 'off', 'false', 'n', '0', 'f'];

/** Ansible's `bool`: YAML 1.2 reads `yes` as a string, so the words are accepted too. */
export const boolish = z
  .union([z.boolean(), z.string().refine((s) => [...TRUE_WORDS, ...FALSE_WORDS].includes(s.toLowerCase()), { message: 'must be a boolean (true/false, yes/no)' })])
  .transform((v) => (typeof v === 'boolean' ? v : TRUE_WORDS.includes(v.toLowerCase())));

export const modeArg = z
  .union([z.string(), z.number()])
  .refine(isModeArg, { message: "must be an octal mode ('0644') or a symbolic one ('u=rw,g=r,o=')" });

/** A user or group: a name or a numeric id (YAML may give `owner: 0` as a number). */
export const ownerArg = z
  .union([z.string().min(1), z.number().int().nonnegative()])
  .transform((v) => String(v));

/** Ansible's common file arguments (add_file_common_args), declared once for every file module. */
export const fileArgs = {
  mode: modeArg.optional(),
  owner: ownerArg.optional(),
  group: ownerArg.optional(),
};

/** Ansible's `validate: "cmd %s"`: a command run on the staged file before it replaces anything. */
export const validateArg = z.string().refine((v) => v.includes('%s'), { message: 'must contain %s (the file to check)' });

/** The relations between arguments that ansible-core's argument_spec declares beside the types. */
export interface ArgumentRules<K extends string> {
  /** Other names of an argument (`path` ← `dest`, `name`): one of them may be given. */
  aliases?: Partial<Record<K, readonly string[]>>;
  /** Arguments that must be given (directly or by an alias). */
  required?: readonly K[];
  /** Groups of arguments of which at most one may be given. */
  mutuallyExclusive?: ReadonlyArray<readonly K[]>;
  /** Groups of arguments of which at least one must be given. */
  requiredOneOf?: ReadonlyArray<readonly K[]>;
  /** [argument, value, arguments required when it has that value]. */
  requiredIf?: ReadonlyArray<readonly [K, unknown, readonly K[]]>;
}

/** The aliases argumentSpec declared, by schema (for documentation: the JSON Schema lists aliases as arguments). */
const ARGUMENT_ALIASES = new WeakMap<object, Record<string, string[]>>();

export function argumentAliases(schema: object): Record<string, string[]> {
  return ARGUMENT_ALIASES.get(schema) ?? {};
}

/**
 * A module's argument schema with Ansible's argument_spec relations: `shape` is strict
 * (unknown arguments are errors at validation), aliases are accepted under their own
 * names and handed to the module under the canonical one.
 */
/** The parsed arguments: the `required` ones are never undefined (given directly or by an alias). */
export type SpecOutput<S extends z.ZodRawShape, R extends PropertyKey> = Omit<z.output<z.ZodObject<S>>, R> & {
  [P in R & keyof z.output<z.ZodObject<S>>]-?: Exclude<z.output<z.ZodObject<S>>[P], undefined>;
};

export function argumentSpec<S extends z.ZodRawShape, const R extends Extract<keyof S, string> = never>(
  shape: S,
  rules: ArgumentRules<Extract<keyof S, string>> & { required?: readonly R[] } = {},
) {
  type K = Extract<keyof S, string>;
  const aliases = Object.entries(rules.aliases ?? {}) as Array<[K, readonly string[]]>;
  const full: Record<string, z.core.$ZodType> = { ...shape };
  for (const [name, others] of aliases) for (const alias of others) full[alias] = z.optional(shape[name] as z.core.$ZodType);
  const namesOf = (k: K): string[] => [k, ...(rules.aliases?.[k] ?? [])];
  const given = (a: Record<string, unknown>, k: K): boolean => namesOf(k).some((n) => a[n] !== undefined);
  const spelled = (k: K): string => (rules.aliases?.[k]?.length ? `${k} (or its aliases ${rules.aliases[k]?.join(', ')})` : k);
  const schema = z
    .object(full)
    .strict()
    .superRefine((a: Record<string, unknown>, ctx) => {
      const issue = (message: string): void => ctx.addIssue({ code: 'custom', message });
      for (const [name] of aliases) {
        const used = namesOf(name).filter((n) => a[n] !== undefined);
        if (used.length > 1) issue(`${used.join(' and ')} are the same argument: give only one of them`);
      }
      for (const k of rules.required ?? []) if (!given(a, k)) issue(`missing required argument ${spelled(k)}`);
      for (const group of rules.mutuallyExclusive ?? []) {
        if (group.filter((k) => given(a, k)).length > 1) issue(`parameters are mutually exclusive: ${group.join('|')}`);
      }
      for (const group of rules.requiredOneOf ?? []) {
        if (!group.some((k) => given(a, k))) issue(`one of the following is required: ${group.join(', ')}`);
      }
      for (const [key, value, needed] of rules.requiredIf ?? []) {
        const missing = needed.filter((k) => !given(a, k));
        if (a[key] === value && missing.length > 0) issue(`${key} is ${String(value)} but all of the following are missing: ${missing.join(', ')}`);
      }
    })
    .transform((a: Record<string, unknown>) => {
      const out: Record<string, unknown> = { ...a };
      for (const [name, others] of aliases) {
        for (const alias of others) {
          if (out[alias] !== undefined) out[name] = out[alias];
          delete out[alias];
        }
      }
      return out as SpecOutput<S, R>;
    });
  ARGUMENT_ALIASES.set(schema, Object.fromEntries(aliases.map(([name, others]) => [name, [...others]])));
  return schema;
}
