// The physical floor of the 5-task playbook (bench/five-tasks): a bare ssh2 runner doing
// the same round trips kvmplay needs and nothing else. Per host: one connection; `true`;
// for each of the two files, `sha256sum` and, only when it differs, an SFTP write of a
// temporary file then a rename; a marker test (`test -e`) and the write it guards;
// `uname -r`; `cat` of the copied file. All hosts at once. Its wall time, CPU and peak
// RSS are what kvmplay's are compared with (issue 16).
// Usage: node dist/bench/floor.js INVENTORY [--limit a,b] [--tag first]
// (the inventory's hosts with ansible_host; the key and known_hosts from its `all` vars).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, type SFTPWrapper } from 'ssh2';
import { connectionFor, loadInventory } from '../src/inventory/index.js';
import type { ConnectionSpec } from '../src/inventory/index.js';

function exec(c: Client, cmd: string): Promise<{ rc: number; stdout: string }> {
  return new Promise((ok, fail) => {
    c.exec(cmd, (err, stream) => {
      if (err) return fail(err);
      let stdout = '';
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.resume();
      stream.on('close', (rc: number | null) => ok({ rc: rc ?? -1, stdout }));
    });
  });
}

function sftp(c: Client): Promise<SFTPWrapper> {
  return new Promise((ok, fail) => c.sftp((err, s) => (err ? fail(err) : ok(s))));
}

function writeFile(s: SFTPWrapper, path: string, data: Buffer): Promise<void> {
  return new Promise((ok, fail) => s.writeFile(path, data, { mode: 0o644 }, (err) => (err ? fail(err) : ok())));
}

function connect(spec: ConnectionSpec, key: Buffer): Promise<Client> {
  return new Promise((ok, fail) => {
    const c = new Client();
    c.on('ready', () => ok(c)).on('error', fail);
    c.connect({ host: spec.host, port: spec.port, username: spec.user, privateKey: key, readyTimeout: 30_000 });
  });
}

/** `sha256sum` then, when the content differs, temp write + rename: a content task's floor. */
async function putIfDifferent(c: Client, files: () => Promise<SFTPWrapper>, path: string, content: string): Promise<void> {
  const want = createHash('sha256').update(content).digest('hex');
  const have = (await exec(c, `sha256sum ${path} 2>/dev/null`)).stdout.slice(0, 64);
  if (have === want) return;
  const tmp = `${path}.floor-tmp`;
  await writeFile(await files(), tmp, Buffer.from(content));
  await exec(c, `mv -f ${tmp} ${path}`);
}

async function hostRun(spec: ConnectionSpec, key: Buffer, total: number): Promise<void> {
  const c = await connect(spec, key);
  let session: Promise<SFTPWrapper> | undefined;
  const files = (): Promise<SFTPWrapper> => (session ??= sftp(c));
  try {
    await exec(c, 'true');
    await exec(c, 'uname -r');
    await putIfDifferent(c, files, `/srv/floor-motd-${spec.name}`, `Welcome to ${spec.name} (${spec.host}), one of ${total} hosts.\n`);
    await putIfDifferent(c, files, `/srv/floor-copy-${spec.name}`, `kvmplay benchmark ${spec.name}\n`);
    if ((await exec(c, `test -e /srv/floor-shell-${spec.name}`)).rc !== 0) await exec(c, `echo done > /srv/floor-shell-${spec.name}`);
    await exec(c, `cat /srv/floor-copy-${spec.name}`);
  } finally {
    c.end();
  }
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { limit: { type: 'string' } } });
const inventory = await loadInventory([positionals[0]!]);
const names = values.limit ? values.limit.split(',') : inventory.hostNames();
const specs = names.map((n) => connectionFor(inventory, n));
const key = readFileSync(specs[0]!.identityFiles[0]!);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const outcomes = await Promise.allSettled(specs.map((s) => hostRun(s, key, names.length)));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const failed = outcomes.filter((o) => o.status === 'rejected');
process.stdout.write(`floor: ${names.length} hosts, wall ${(ms / 1000).toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, ` +
  `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB${failed.length ? `, ${failed.length} FAILED: ${String((failed[0] as PromiseRejectedResult).reason)}` : ''}\n`);
