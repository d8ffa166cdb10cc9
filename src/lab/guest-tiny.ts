// The tiny lab guest (LAB-NOTES, issue 17): Debian's cloud kernel and a few-MB
// initramfs (busybox, dropbear, the drivers it needs), booted directly by libvirt
// (<kernel>/<initrd>/<cmdline>). Built once into the lab cache from packages of the
// same mirror as the hosts: `apt-get download`, `dpkg-deb -x`, a cpio archive made
// by the downloaded busybox itself (no cpio needed on the control machine).
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { LabError } from '../errors.js';
import { GROUP, PASSWD, POWER_BUTTON_SCRIPT, TINY_GUEST_MODULES, TINY_GUEST_PACKAGES, TINY_INIT, UDHCPC_SCRIPT } from './guest-tiny-init.js';
import { aptOptions } from './repo.js';
import { run, runBytes, runLogged, toolEnv } from './run.js';


export { TINY_GUEST_DIR } from './guest-tiny-init.js';
export const TINY_KERNEL = 'vmlinuz';
export const TINY_INITRD = 'initrd.img';

/** Programs copied into the guest with the libraries they load (found by ldd). */
const PROGRAMS = ['usr/sbin/dropbear', 'usr/bin/dropbearkey', 'usr/lib/openssh/sftp-server'];

/**
 * `modules.dep` lines (`kernel/…/a.ko: kernel/…/b.ko …`) → the files to load for
 * `wanted`, each after the modules it needs, each once. Pure.
 */
export function moduleLoadOrder(modulesDep: string, wanted: readonly string[]): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of modulesDep.split('\n')) {
    const [file, rest] = line.split(':');
    if (!file || rest === undefined) continue;
    deps.set(file, rest.trim().split(/\s+/).filter(Boolean));
    byName.set(path.basename(file).replace(/\.ko(\.[a-z]+)?$/, '').replace(/-/g, '_'), file);
  }
  const order: string[] = [];
  const visit = (file: string): void => {
    if (order.includes(file)) return;
    // modules.dep lists every dependency, transitively, the deepest last.
    for (const d of [...(deps.get(file) ?? [])].reverse()) visit(d);
    order.push(file);
  };
  for (const name of wanted) {
    const file = byName.get(name.replace(/-/g, '_'));
    if (!file) throw new LabError(`the guest kernel has no module ${name} (is it built in? then leave it out)`);
    visit(file);
  }
  return order;
}

/** The kernel image package the metapackage points at (`Depends: linux-image-6.1.0-50-cloud-amd64 (= …)`). */
export function kernelPackageOf(dependsField: string): string {
  const name = dependsField.split(',').map((d) => d.trim().split(/\s/)[0] ?? '').find((d) => d.startsWith('linux-image-'));
  if (!name) throw new LabError(`cannot tell the kernel package from "${dependsField}"`);
  return name;
}

async function download(apt: readonly string[], dir: string, pkgs: readonly string[], logFile: string): Promise<void> {
  await runLogged('apt-get', [...apt, 'download', ...pkgs], logFile, { cwd: dir, env: toolEnv({ DEBIAN_FRONTEND: 'noninteractive' }) });
}

async function debsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.deb')).map((n) => path.join(dir, n));
}

/** Shared libraries `binary` loads, as paths inside `tree` (from ldd, resolved against the tree first). */
async function librariesOf(tree: string, binary: string): Promise<string[]> {
  const libDirs = ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu'].map((d) => path.join(tree, d));
  const out = await run('ldd', [path.join(tree, binary)], { env: toolEnv({ LD_LIBRARY_PATH: libDirs.join(':') }) });
  const libs: string[] = [];
  for (const line of out.stdout.split('\n')) {
    const m = /^\s*(\S+)(?:\s+=>\s+(\S+))?\s+\(0x/.exec(line);
    if (!m || m[1] === 'linux-vdso.so.1') continue;
    const found = m[2] ?? m[1];
    if (!found || found === 'not') throw new LabError(`ldd cannot find a library of ${binary}: ${line.trim()}`);
    libs.push(found);
  }
  return libs;
}

async function put(root: string, rel: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  await chmod(file, mode);
}

/**
 * Build the guest into `dest` (TINY_KERNEL, TINY_INITRD). `aptWork`: apt's sources
 * and lists of the lab's mirror (repo.ts prepareApt), `rootfs` its status.
 */
export async function buildTinyGuest(aptWork: string, rootfs: string, dest: string, logFile: string): Promise<void> {
  const work = path.join(path.dirname(dest), '.tiny-build');
  await rm(work, { recursive: true, force: true });
  const debs = path.join(work, 'debs');
  const tree = path.join(work, 'tree');
  const initramfs = path.join(work, 'initramfs');
  for (const d of [debs, tree, initramfs]) await mkdir(d, { recursive: true });
  const apt = aptOptions(aptWork, rootfs, debs);

  await download(apt, debs, TINY_GUEST_PACKAGES, logFile);
  const meta = (await debsIn(debs)).find((f) => path.basename(f).startsWith('linux-image-cloud-amd64_'));
  if (!meta) throw new LabError(`apt-get download gave no linux-image-cloud-amd64 (log: ${logFile})`);
  const kernelPkg = kernelPackageOf((await run('dpkg-deb', ['-f', meta, 'Depends'])).stdout);
  await download(apt, debs, [kernelPkg], logFile);
  for (const deb of await debsIn(debs)) await run('dpkg-deb', ['-x', deb, tree]);

  const release = kernelPkg.replace(/^linux-image-/, '');
  const modulesDir = path.join(tree, 'lib/modules', release);
  // The package leaves modules.dep to its postinst: the downloaded busybox makes it.
  await run(path.join(tree, 'bin/busybox'), ['depmod', '-b', tree, release]);
  const order = moduleLoadOrder(await readFile(path.join(modulesDir, 'modules.dep'), 'utf8'), TINY_GUEST_MODULES);
  for (const file of order) await copyFile(path.join(modulesDir, file), path.join(await ensureDir(initramfs, 'lib/modules'), path.basename(file)));
  await put(initramfs, 'etc/kvmplay-modules', order.map((f) => path.basename(f)).join('\n') + '\n');

  await copyFile(path.join(tree, 'bin/busybox'), path.join(await ensureDir(initramfs, 'bin'), 'busybox'));
  await chmod(path.join(initramfs, 'bin/busybox'), 0o755);
  const libs = new Set<string>();
  for (const program of PROGRAMS) {
    await copyFile(path.join(tree, program), path.join(await ensureDir(initramfs, path.dirname(program)), path.basename(program)));
    await chmod(path.join(initramfs, program), 0o755);
    for (const lib of await librariesOf(tree, program)) libs.add(lib);
  }
  for (const lib of libs) {
    // A library from the tree keeps its place; the loader is where binaries name it.
    const rel = lib.startsWith(tree + path.sep) ? path.relative(tree, lib) : lib.replace(/^\//, '');
    await copyFile(lib, path.join(await ensureDir(initramfs, path.dirname(rel)), path.basename(rel)));
  }
  // Debian's dropbear runs SFTP as /usr/lib/sftp-server (kvmplay's file transfers need it).
  await copyFile(path.join(tree, 'usr/lib/openssh/sftp-server'), path.join(initramfs, 'usr/lib/sftp-server'));
  await chmod(path.join(initramfs, 'usr/lib/sftp-server'), 0o755);

  await put(initramfs, 'init', TINY_INIT, 0o755);
  await put(initramfs, 'etc/udhcpc.sh', UDHCPC_SCRIPT, 0o755);
  await put(initramfs, 'etc/acpi/PWRF/00000080', POWER_BUTTON_SCRIPT, 0o755);
  await put(initramfs, 'etc/passwd', PASSWD);
  await put(initramfs, 'etc/group', GROUP);
  await put(initramfs, 'etc/shells', '/bin/sh\n');

  // newc cpio made by the guest's own busybox, then gzip (the kernel reads it).
  const list = (await run('find', ['.', '-mindepth', '1'], { cwd: initramfs })).stdout;
  const cpio = await runBytes(path.join(tree, 'bin/busybox'), ['cpio', '-o', '-H', 'newc'], { cwd: initramfs, input: list });
  await mkdir(dest, { recursive: true });
  await writeFile(path.join(dest, TINY_INITRD), gzipSync(cpio, { level: 9 }));
  await copyFile(path.join(tree, 'boot', `vmlinuz-${release}`), path.join(dest, TINY_KERNEL));
  for (const f of [TINY_INITRD, TINY_KERNEL]) await chmod(path.join(dest, f), 0o644);
  await rm(work, { recursive: true, force: true });
}

async function ensureDir(root: string, rel: string): Promise<string> {
  const dir = path.join(root, rel);
  await mkdir(dir, { recursive: true });
  return dir;
}
