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
