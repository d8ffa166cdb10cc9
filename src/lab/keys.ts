// The lab's identity, kept across `lab down` so a rebuilt lab is the same lab:
// the SSH key pair, the lab user's sudo password and every host's sshd key.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.js';
import { hostKeyDir, labFiles } from './paths.js';
import { run } from './run.js';

export interface LabIdentity {
  privateKey: string;
  publicKey: string;
  /** `ssh-ed25519 AAAA… kvmplay-lab` */
  publicKeyLine: string;
  becomePassword: string;
}

/** The identity plus what is derived from it to build hosts. */
export interface LabSecrets extends LabIdentity {
  /** crypt(3) SHA-512 hash of the password, for /etc/shadow. */
  becomePasswordHash: string;
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(() => true, () => false);
}

/** ssh-keygen into a temp name, then rename: an interrupted run never leaves half a key. */
async function keygen(file: string, comment: string): Promise<void> {
  const tmp = `${file}.tmp${process.pid}`;
  await rm(tmp, { force: true });
  await rm(`${tmp}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', tmp]);
  await rename(`${tmp}.pub`, `${file}.pub`);
  await rename(tmp, file);
}

export async function ensureIdentity(labDir: string): Promise<LabIdentity> {
  const f = labFiles(labDir);
  await mkdir(labDir, { recursive: true, mode: 0o700 });
  if (!(await exists(f.privateKey)) || !(await exists(f.publicKey))) await keygen(f.privateKey, 'kvmplay-lab');
  await chmod(f.privateKey, 0o600);
  if (!(await exists(f.becomePassword))) {
    // Letters and digits only: it is typed into sudo prompts and YAML.
    const pw = randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
    await writeFile(f.becomePassword, pw + '\n', { mode: 0o600 });
  }
  await chmod(f.becomePassword, 0o600);
  const becomePassword = (await readFile(f.becomePassword, 'utf8')).trim();
  if (!becomePassword) throw new LabError(`${f.becomePassword} is empty: delete it and run lab up again`);
  const publicKeyLine = (await readFile(f.publicKey, 'utf8')).trim();
  return { privateKey: f.privateKey, publicKey: f.publicKey, publicKeyLine, becomePassword };
}

/** SHA-512 crypt, as passwd(1) writes it; the password goes on stdin, never argv. */
export async function hashPassword(password: string): Promise<string> {
  const hash = (await run('openssl', ['passwd', '-6', '-stdin'], { input: password + '\n' })).stdout.trim();
  if (!hash.startsWith('$6$')) throw new LabError(`openssl passwd -6 gave an unexpected hash: ${hash}`);
  return hash;
}

export interface HostKeyFiles {
  privateKey: string;
  publicKey: string;
  /** `ssh-ed25519 AAAA…` without the comment. */
  publicKeyLine: string;
}

export async function ensureHostKey(labDir: string, name: string): Promise<HostKeyFiles> {
  const dir = hostKeyDir(labDir, name);
  const privateKey = path.join(dir, 'ssh_host_ed25519_key');
  const publicKey = `${privateKey}.pub`;
  if (!(await exists(privateKey)) || !(await exists(publicKey))) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await keygen(privateKey, `root@${name}`);
  }
  const [type, blob] = (await readFile(publicKey, 'utf8')).trim().split(/\s+/);
  if (!type || !blob) throw new LabError(`${publicKey} is not an OpenSSH public key`);
  return { privateKey, publicKey, publicKeyLine: `${type} ${blob}` };
}

/** known_hosts lines: each host by name and address, so either may be used to connect. */
export function knownHostsText(hosts: readonly { name: string; address: string; key: string }[]): string {
  return hosts.map((h) => `${h.name},${h.address} ${h.key}\n`).join('');
}

/** /etc/shadow with one user's password hash replaced; other lines untouched. */
export function setShadowPassword(shadow: string, user: string, hash: string): string {
  let found = false;
  const out = shadow.split('\n').map((line) => {
    const fields = line.split(':');
    if (fields[0] !== user || fields.length < 2) return line;
    found = true;
    fields[1] = hash;
    return fields.join(':');
  });
  if (!found) throw new LabError(`user ${user} is not in the lab root filesystem's /etc/shadow`);
  return out.join('\n');
}
