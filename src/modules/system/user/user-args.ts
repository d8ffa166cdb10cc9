// `user`'s arguments, as ansible-core's user.py declares them (argument_spec), with
// the platform-only ones (macOS, BSD, Solaris, SELinux, luseradd) refused by name.
import { z } from 'zod';
import { absPath, argumentSpec, boolish } from '../../args.js';
import { pythonInt } from '../../engine/pause.js';

/** Never an option of useradd/usermod (leading `-`), never split (`:` `,` blanks). */
export const accountName = z.string().regex(/^[^-:,\s/][^:,\s/]*$/, { message: 'must be an account name (no leading -, no : , / or blanks)' });

/** Ansible's `list` of `str`: a list, or a string split at commas (elements as given, unstripped). */
export const strList = z
  .union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (Array.isArray(v) ? v.map(String) : String(v).split(',')));

/** Ansible's `float` (expires). */
const pyFloat = z
  .union([z.number(), z.string().regex(/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/, { message: 'must be a number (seconds since the epoch)' })])
  .transform((v) => (typeof v === 'number' ? v : Number(v.trim())));

/** Platform-only arguments, refused by name when given (with what they are for). */
export const REFUSED_USER_ARGS: ReadonlyArray<readonly [string, string]> = [
  ['hidden', 'macOS only'],
  ['login_class', 'BSD login classes'],
  ['seuser', 'SELinux'],
  ['profile', 'Illumos/Solaris only'],
  ['authorization', 'Illumos/Solaris only'],
  ['role', 'Illumos/Solaris only'],
];

/** A superRefine step: the refused arguments given, by name; `local: true` too. */
export function refuseArgs(refusedArgs: ReadonlyArray<readonly [string, string]>) {
  return (a: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    for (const [name, why] of refusedArgs) {
      if (a[name] !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not supported by kvmplay (${why})` });
    }
    if (a['local'] === true) {
      ctx.addIssue({ code: 'custom', path: ['local'], message: '"local: true" is not supported by kvmplay (libuser\'s l* commands are not used; the shadow tools are)' });
    }
  };
}

// The hash is a secret (Ansible: no_log): a custom message, so no error ever prints the
// value. A number becomes its text, as Ansible's `str` makes it.
const secretStr = z.union([z.string(), z.number()], { error: 'must be a string (a crypt(3) hash)' }).transform(String);

export const UserArgs = argumentSpec(
  {
    name: accountName.optional(),
    state: z.enum(['present', 'absent']).default('present'),
    uid: pythonInt.optional(),
    non_unique: boolish.default(false),
    group: z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String).optional(),
    groups: strList.optional(),
    comment: z.string().optional(),
    home: absPath.optional(),
    shell: z.string().optional(),
    password: secretStr.optional(),
    force: boolish.default(false),
    remove: boolish.default(false),
    // Default true (below): a default here would also fill its alias, which then counts as given twice.
    create_home: boolish.optional(),
    skeleton: absPath.optional(),
    system: boolish.default(false),
    move_home: boolish.default(false),
    append: boolish.default(false),
    generate_ssh_key: boolish.optional(),
    ssh_key_bits: pythonInt.default(0),
    ssh_key_type: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9@._-]*$/, { message: 'must be a key type (rsa, ed25519, ecdsa, …)' }).default('rsa'),
    ssh_key_file: z.string().min(1).optional(),
    // Default: "ansible-generated on <the host's name>", known once the host is probed.
    ssh_key_comment: z.string().optional(),
    ssh_key_passphrase: z.string({ error: 'must be a string' }).optional(),
    update_password: z.enum(['always', 'on_create']).default('always'),
    expires: pyFloat.optional(),
    password_lock: boolish.optional(),
    password_expire_max: pythonInt.optional(),
    password_expire_min: pythonInt.optional(),
    umask: z.string().regex(/^[0-7]{3,4}$/, { message: 'must be an octal umask (022, 0077)' }).optional(),
    // luseradd & co. (libuser): kvmplay runs the shadow tools only; `local: false` is their default.
    local: boolish.optional(),
    hidden: z.unknown().optional(),
    login_class: z.unknown().optional(),
    seuser: z.unknown().optional(),
    profile: z.unknown().optional(),
    authorization: z.unknown().optional(),
    role: z.unknown().optional(),
  },
  { aliases: { name: ['user'], create_home: ['createhome'] }, required: ['name'] },
)
  .superRefine(refuseArgs(REFUSED_USER_ARGS))
  .transform((a) => ({ ...a, create_home: a.create_home ?? true }));
export type UserArgs = z.infer<typeof UserArgs>;
