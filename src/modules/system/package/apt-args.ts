// The apt module's arguments: ansible-core 2.14's argument_spec for apt, with the
// same aliases, defaults and mutually exclusive groups. What kvmplay cannot do is
// refused here, by name, before anything runs.
import { z } from 'zod';
import { absPath, argumentSpec, boolish } from '../../args.js';
import { NAME_WILDCARDS, splitSpec } from './apt-spec.js';

/** Ansible's `int`: YAML may give a number or a numeric string. */
export const intish = z.union([z.number().int(), z.string().regex(/^-?\d+$/, { message: 'must be an integer' }).transform(Number)]);

/** Ansible's `list` of `str`: a list, or a string split at commas; items trimmed. */
export const stringList = z
  .union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()));

// A Debian name (with an optional :arch); never an option of apt-get (no leading `-`).
const DEB_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*(:[A-Za-z0-9-]+)?$/;
// A version, possibly an fnmatch pattern (`1.0*`), as Ansible allows after `=`.
const DEB_VERSION = /^[A-Za-z0-9.+:~_*?[\]!-]+$/;

/** Why a package specifier cannot be used, or null when it can. */
export function aptSpecProblem(spec: string): string | null {
  if (spec === '*') return null;
  if ((spec.match(/=/g) ?? []).length > 1) return `invalid package spec: ${spec}`;
  const { name, version } = splitSpec(spec);
  if (NAME_WILDCARDS.test(name)) return `package name wildcards ("${spec}") are not supported by kvmplay: list the packages (only "*" with state=latest, to upgrade all)`;
  if (!DEB_NAME.test(name)) return `"${spec}" is not a package name`;
  if (version !== null && (!DEB_VERSION.test(version) || version.startsWith('-'))) return `"${spec}" has an invalid version`;
  return null;
}

const aptSpecs = stringList.superRefine((specs, ctx) => {
  for (const s of specs) {
    const problem = aptSpecProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }
});

// One word for apt-get's -t and APT::Default-Release.
const release = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/+=~-]*$/, { message: 'must be a release name (bookworm-backports, a=stable…)' });
// dpkg --force-… names, comma-separated, as Ansible's expand_dpkg_options reads them.
const dpkgOptions = z.string().regex(/^[A-Za-z0-9=_-]*(,[A-Za-z0-9=_-]*)*$/, { message: 'must be comma-separated dpkg options (force-confdef,force-confold)' });

// Ansible's str choices accept YAML's booleans where the choices hold yes/no.
const upgradeArg = z
  .union([z.boolean(), z.enum(['dist', 'full', 'no', 'safe', 'yes'])])
  .transform((v) => (v === true ? 'yes' : v === false ? 'no' : v));

const debArg = z.string().min(1).superRefine((p, ctx) => {
  if (p.includes('://')) ctx.addIssue({ code: 'custom', message: '"deb" from a URL is not supported by kvmplay: download it first (get_url) and give its path on the host' });
  else if (!absPath.safeParse(p).success) ctx.addIssue({ code: 'custom', message: 'must be an absolute path' });
});

export const AptArgs = argumentSpec(
  {
    name: aptSpecs.optional(),
    state: z.enum(['absent', 'build-dep', 'latest', 'present', 'fixed']).default('present'),
    update_cache: boolish.optional(),
    update_cache_retries: intish.pipe(z.number().min(0)).default(5),
    update_cache_retry_max_delay: intish.pipe(z.number().min(0)).default(12),
    cache_valid_time: intish.pipe(z.number().min(0)).default(0),
    purge: boolish.default(false),
    deb: debArg.optional(),
    default_release: release.optional(),
    install_recommends: boolish.optional(),
    force: boolish.default(false),
    clean: boolish.default(false),
    // Aliased: an alias would receive the default too; the defaults are set afterwards.
    allow_unauthenticated: boolish.optional(),
    allow_downgrade: boolish.optional(),
    allow_change_held_packages: boolish.default(false),
    upgrade: upgradeArg.optional(),
    dpkg_options: dpkgOptions.default('force-confdef,force-confold'),
    autoremove: boolish.default(false),
    autoclean: boolish.default(false),
    fail_on_autoremove: boolish.default(false),
    policy_rc_d: intish.pipe(z.number().min(0).max(255)).nullable().optional(),
    only_upgrade: boolish.default(false),
    force_apt_get: boolish.default(false),
    lock_timeout: intish.pipe(z.number().min(0)).default(60),
  },
  {
    aliases: {
      name: ['package', 'pkg'],
      update_cache: ['update-cache'],
      default_release: ['default-release'],
      install_recommends: ['install-recommends'],
      allow_unauthenticated: ['allow-unauthenticated'],
      allow_downgrade: ['allow-downgrade', 'allow_downgrades', 'allow-downgrades'],
    },
    mutuallyExclusive: [['deb', 'name', 'upgrade']],
  },
).transform((a) => ({ ...a, allow_unauthenticated: a.allow_unauthenticated ?? false, allow_downgrade: a.allow_downgrade ?? false }));
export type AptArgs = z.output<typeof AptArgs>;
