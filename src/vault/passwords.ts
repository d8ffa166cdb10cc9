// Vault passwords from the command line and the environment, read as Ansible's
// CLI.setup_vault_secrets does: `--vault-id [label@]SOURCE` (SOURCE a file, or `prompt`),
// `--vault-password-file FILE` and `--ask-vault-pass` (both for the `default` id), plus
// ANSIBLE_VAULT_IDENTITY_LIST and ANSIBLE_VAULT_PASSWORD_FILE. An executable file is run
// and its standard output is the password (a `…-client` script gets `--vault-id LABEL`).
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { OptionsError } from '../errors.js';
import { DEFAULT_VAULT_ID } from './envelope.js';
import type { VaultSecret } from './keyring.js';

export interface VaultOptions {
  vaultId?: string[];
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
}

/** Where passwords come from, in Ansible's order (build_vault_ids). */
export function vaultSources(o: VaultOptions, env: NodeJS.ProcessEnv = process.env): { id: string; source: string }[] {
  const ids = [
    ...(env['ANSIBLE_VAULT_IDENTITY_LIST'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    ...(o.vaultId ?? []),
  ];
  const files = [...(o.vaultPasswordFile ?? [])];
  if (env['ANSIBLE_VAULT_PASSWORD_FILE']) files.push(env['ANSIBLE_VAULT_PASSWORD_FILE']);
  const out = ids.map(splitVaultId);
  for (const f of files) out.push({ id: DEFAULT_VAULT_ID, source: f });
  if (o.askVaultPass) out.push({ id: DEFAULT_VAULT_ID, source: 'prompt' });
  return out;
}

/** `label@source` → both; a bare source is for the default id. */
function splitVaultId(slug: string): { id: string; source: string } {
  const at = slug.indexOf('@');
  if (at < 0) return { id: DEFAULT_VAULT_ID, source: slug };
  return { id: slug.slice(0, at) || DEFAULT_VAULT_ID, source: slug.slice(at + 1) };
}

export async function readVaultSecrets(o: VaultOptions, env: NodeJS.ProcessEnv = process.env): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  for (const { id, source } of vaultSources(o, env)) {
    const password = source === 'prompt' || source === 'prompt_ask_vault_pass'
      ? await promptPassword(id === DEFAULT_VAULT_ID ? 'Vault password: ' : `Vault password (${id}): `)
      : await passwordFromFile(source, id);
    out.push({ id, password, source });
  }
  return out;
}

async function passwordFromFile(file: string, id: string): Promise<Buffer> {
  const st = await stat(file).catch(() => null);
  if (!st) throw new OptionsError(`The vault password file ${file} was not found`);
  if (st.isFile() && (await isExecutable(file))) {
    const args = isClientScript(file) ? ['--vault-id', id] : [];
    const pw = trimEol(await runScript(file, args));
    if (pw.length === 0) throw new OptionsError(`Invalid vault password was provided from script (${file})`);
    return pw;
  }
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    throw new OptionsError(`Could not read vault password file ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  // Python's bytes.strip(): ASCII whitespace at both ends.
  const pw = Buffer.from(raw.toString('latin1').replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, ''), 'latin1');
  if (pw.length === 0) throw new OptionsError(`Invalid vault password was provided from file (${file})`);
  return pw;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}

/** `something-client` or `something-client.ext` (Ansible's script_is_client). */
function isClientScript(file: string): boolean {
  const name = basename(file);
  return name.slice(0, name.length - extname(name).length).endsWith('-client');
}

function runScript(file: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'buffer', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = typeof err.code === 'number' ? err.code : err.message;
      const why = stderr.toString('utf8').trim();
      reject(new OptionsError(`Vault password script ${file} returned non-zero (${code})${why ? `: ${why}` : ''}`, { cause: err }));
    });
  });
}

/** Python's bytes.strip(b'\r\n'). */
function trimEol(b: Buffer): Buffer {
  let start = 0;
  let end = b.length;
  while (start < end && (b[start] === 0x0a || b[start] === 0x0d)) start++;
  while (end > start && (b[end - 1] === 0x0a || b[end - 1] === 0x0d)) end--;
  return b.subarray(start, end);
}

/** Ask on the terminal without echo; without a terminal there is no one to ask. */
async function promptPassword(prompt: string): Promise<Buffer> {
  if (!process.stdin.isTTY) {
    throw new OptionsError('--ask-vault-pass and --vault-id …@prompt need a terminal to ask on: give --vault-password-file or --vault-id label@FILE instead');
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.question(prompt, resolve);
      rl.once('SIGINT', () => reject(new OptionsError('vault password prompt interrupted')));
      muted = true;
    });
    process.stderr.write('\n');
    const pw = answer.trim();
    if (!pw) throw new OptionsError('Invalid vault password was provided from prompt: it is empty');
    return Buffer.from(pw, 'utf8');
  } finally {
    rl.close();
  }
}
