// The files of a cloud-init NoCloud seed (user-data, meta-data, network-config) from
// cloud_init_seed's arguments, their content hash, and how they are shown in --diff.
// Pure: the module and its tests share it.
import { stringify as yamlStringify, parse as yamlParse } from 'yaml';
import { UnsafeText } from '../../data/py-values.js';
import { sha256 } from '../../util/text.js';

/** The names NoCloud looks for at the root of a `cidata` volume, in the order they are written. */
export const SEED_FILE_NAMES = ['user-data', 'meta-data', 'network-config'] as const;
export type SeedFileName = (typeof SEED_FILE_NAMES)[number];

export interface SeedFile {
  name: SeedFileName;
  content: string;
}

export interface SeedInput {
  /** A map (written as `#cloud-config` YAML) or a text taken as is (a script, a cloud-config). */
  user_data?: string | Record<string, unknown> | undefined;
  meta_data?: Record<string, unknown> | undefined;
  network_config?: Record<string, unknown> | undefined;
  hostname?: string | undefined;
  /** The ISO's path: its name is the instance-id when no hostname is given. */
  path: string;
}

const CLOUD_CONFIG = '#cloud-config';

/**
 * Plain data → YAML that cloud-init (PyYAML, YAML 1.1) reads back as the same data:
 * with version 1.1, strings PyYAML would take for something else (`yes`, `off`,
 * `0644`, `1:20`) are quoted. No line folding: keys and commands stay on one line.
 */
export function seedYaml(data: unknown): string {
  return yamlStringify(plainData(data), { version: '1.1', lineWidth: 0 });
}

/** A `!unsafe` string is still a string; anything that is not data has no YAML form. */
function plainData(v: unknown): unknown {
  if (v instanceof UnsafeText) return v.value;
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v;
  if (Array.isArray(v)) return v.map(plainData);
  if (typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plainData(x)]));
  }
  throw new Error(`a cloud-init seed holds only strings, numbers, booleans, lists and maps, not ${typeof v}`);
}

/** user-data: a map as `#cloud-config` YAML; a text as given (cloud-init reads its first line). */
export function userDataText(userData: SeedInput['user_data']): string {
  if (userData === undefined) return `${CLOUD_CONFIG}\n{}\n`;
  if (typeof userData === 'string') return userData;
  return `${CLOUD_CONFIG}\n${seedYaml(userData)}`;
}

/** The ISO's file name without `.iso`: `web01-cidata` for /var/lib/libvirt/images/web01-cidata.iso. */
function isoBaseName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.iso$/i, '');
}

/**
 * meta-data: the given map over the defaults `instance-id` (the hostname, else the
 * ISO's name) and `local-hostname` (the hostname, when given). The instance-id stays
 * the same when the seed changes: a new one would make cloud-init take the guest for
 * a new machine (new SSH host keys, users made again).
 */
export function metaData(input: Pick<SeedInput, 'meta_data' | 'hostname' | 'path'>): Record<string, unknown> {
  const defaults: Record<string, unknown> = { 'instance-id': input.hostname ?? isoBaseName(input.path) };
  if (input.hostname !== undefined) defaults['local-hostname'] = input.hostname;
  return { ...defaults, ...input.meta_data };
}

/** The seed's files: user-data and meta-data always, network-config when given. */
export function seedFiles(input: SeedInput): SeedFile[] {
  const files: SeedFile[] = [
    { name: 'user-data', content: userDataText(input.user_data) },
    { name: 'meta-data', content: seedYaml(metaData(input)) },
  ];
  if (input.network_config !== undefined) files.push({ name: 'network-config', content: seedYaml(input.network_config) });
  return files;
}

/** One hash of the whole seed: each file's name, length and bytes, so no two seeds share one. */
export function seedHash(files: readonly SeedFile[]): string {
  return sha256(files.map((f) => `${f.name}\0${Buffer.byteLength(f.content)}\0${f.content}`).join('\0'));
}

const MASK = '********';
const SECRET_WORDS = new Set(['passwd', 'password', 'pass', 'passphrase', 'secret', 'token', 'private', 'credentials']);

/**
 * Keys whose values cloud-init configs use for secrets: passwords (`passwd`,
 * `hashed_passwd`, `plain_text_passwd`, chpasswd's `password` and `list`), private
 * host keys (`ssh_keys.ed25519_private`), tokens and registration keys.
 */
export function isSecretSeedKey(key: string, parent: string | undefined): boolean {
  const words = key.toLowerCase().split(/[-_.]+/);
  if (parent === 'chpasswd' && key === 'list') return true;
  return words.some((w) => SECRET_WORDS.has(w)) || words[words.length - 1] === 'key';
}

function masked(v: unknown, parent: string | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => masked(x, parent));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, isSecretSeedKey(k, parent) ? hidden(x) : masked(x, k)]));
}

/** A secret's value hidden, whatever its shape; booleans (`lock_passwd: true`) say nothing. */
function hidden(v: unknown): unknown {
  if (typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v)) return v.map(hidden);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, hidden(x)]));
  return MASK;
}

function hasSecret(v: unknown, parent: string | undefined): boolean {
  if (Array.isArray(v)) return v.some((x) => hasSecret(x, parent));
  if (v === null || typeof v !== 'object') return false;
  return Object.entries(v as Record<string, unknown>).some(([k, x]) => (isSecretSeedKey(k, parent) && typeof x !== 'boolean' && x !== null) || hasSecret(x, k));
}

/**
 * A seed file as --diff shows it: a YAML map holding secret keys is written again with
 * their values masked (the run's redactor masks vaulted and secret-named variables
 * by value; a password typed into user_data itself is only known by its key). Any
 * other text (a script, a file without secrets) is shown as it is.
 */
export function seedFileForDiff(content: string): string {
  let parsed: unknown;
  try {
    parsed = yamlParse(content, { version: '1.1' });
  } catch {
    return content;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !hasSecret(parsed, undefined)) return content;
  const header = content.startsWith(CLOUD_CONFIG) ? `${CLOUD_CONFIG}\n` : '';
  return `${header}${seedYaml(masked(parsed, undefined))}`;
}
