// `cloud_init_seed` (issue 17): a cloud-init NoCloud seed, an ISO 9660 image labelled
// `cidata` holding user-data, meta-data and network-config, built on the hypervisor
// for a guest's CD-ROM (as cloud-localds or terraform's cloudinit_disk make one).
// Content-hashed: the hash of the wanted files is compared with the one the ISO
// records (cloud-init-seed-iso.ts says where and why), so an unchanged seed is
// neither rebuilt nor reported changed; a changed one is rebuilt in a private folder
// and renamed over the old ISO. A new ISO is 0644, as genisoimage and cloud-localds
// leave theirs, so qemu reads it whatever user it runs as; `mode: '0600'` keeps a seed
// holding passwords from other users where libvirt hands disk files to qemu's user
// (dynamic_ownership, its default).
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import { unifiedDiff } from '../../util/text.js';
import { absPath, fileArgs } from '../args.js';
import { attrText, planAttrs, type AttrWant } from '../files/attrs.js';
import { formatMode, parseMode } from '../files/mode.js';
import type { ModuleContext } from '../module.js';
import { mustRun, runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure } from '../runner.js';
import type { Host } from '../../transport/host.js';
import { seedFileForDiff, seedFiles, seedHash, type SeedFile } from './cloud-init-seed-render.js';
import {
  applicationId, BUILD_SCRIPT, builderArgv, chooseBuilder, chooseReader, hashOfApplicationId, NO_BUILDER, parseProbe,
  parseReadBack, PROBE_SCRIPT, READ_BACK_SCRIPT, seedStdin, stampsAppId, VOLUME_LABEL, type IsoFile, type IsoProbe,
} from './cloud-init-seed-iso.js';

const YamlMap = z.record(z.string(), z.unknown());

const CloudInitSeedArgs = z
  .object({
    path: absPath,
    /** A map (written as #cloud-config YAML) or a text taken as is (a script, a #cloud-config). */
    user_data: z.union([z.string(), YamlMap]).optional(),
    /** Default: instance-id and local-hostname from `hostname` (instance-id: the ISO's name without one). */
    meta_data: YamlMap.optional(),
    /** network-config version 1 or 2 (`{version: 2, ethernets: …}`); none: cloud-init's DHCP on the first NIC. */
    network_config: YamlMap.optional(),
    hostname: z.string().min(1).optional(),
    ...fileArgs,
  })
  .strict();
export type CloudInitSeedArgs = z.infer<typeof CloudInitSeedArgs>;

export interface SeedState {
  probe: IsoProbe;
  files: SeedFile[];
  hash: string;
  /** The files inside the current ISO (for --diff); null: they could not be read; absent: not asked. */
  old?: Map<string, string> | null;
}

export type SeedChange =
  | {
      kind: 'build';
      /** An ISO was there before (rebuilt, not built). */
      existed: boolean;
      /** Why it is (re)built. */
      why: string;
      mode: number;
      chown: string | null;
      /** uid:gid of the ISO replaced, carried over (best effort). */
      keepOwner: string | null;
    }
  | { kind: 'attrs'; mode: number | null; chown: string | null; words: string[] };

/** The hash an existing ISO records, or why it cannot be the wanted seed. */
function recordedHash(file: Extract<IsoFile, { kind: 'file' }>): { hash: string } | { why: string } {
  if (file.volume === null) return { why: 'not an ISO 9660 image' };
  if (file.volume.label !== VOLUME_LABEL) return { why: `volume label ${JSON.stringify(file.volume.label)}, not ${VOLUME_LABEL}` };
  const hash = hashOfApplicationId(file.volume.appId);
  return hash === null ? { why: 'made by another tool' } : { hash };
}

/** Why the ISO must be (re)built, or null when it is the wanted seed. Pure. */
export function rebuildReason(file: IsoFile, hash: string): string | null {
  if (file.kind === 'absent') return 'new';
  if (file.kind !== 'file') return null;
  const recorded = recordedHash(file);
  if ('why' in recorded) return recorded.why;
  return recorded.hash === hash ? null : 'seed changed';
}

function attrWant(a: CloudInitSeedArgs): AttrWant {
  return {
    ...(a.mode !== undefined ? { mode: parseMode(a.mode) } : {}),
    ...(a.owner !== undefined ? { owner: a.owner } : {}),
    ...(a.group !== undefined ? { group: a.group } : {}),
  };
}

/** Wanted seed vs the probed ISO → at most one change. Pure. */
export function planSeed(a: CloudInitSeedArgs, s: SeedState): Plan<SeedChange> | PlanFailure {
  const data = { path: a.path, sha256: s.hash, files: s.files.map((f) => f.name) };
  const file = s.probe.file;
  if (file.kind === 'directory') return { fail: `${a.path} is a directory`, data };
  if (file.kind === 'link') return { fail: `${a.path} is a symbolic link: the seed ISO is never written through one`, data };
  if (file.kind === 'other') return { fail: `${a.path} exists and is not a regular file`, data };
  if (file.kind === 'absent' && !file.parent) return { fail: `Destination directory ${a.path.slice(0, a.path.lastIndexOf('/')) || '/'} does not exist`, data };
  const cur = file.kind === 'file' ? file : null;
  const attrs = planAttrs(attrWant(a), cur, false, 0o644);
  const why = rebuildReason(file, s.hash);
  if (why !== null) {
    const change: SeedChange = {
      kind: 'build', existed: cur !== null, why,
      mode: attrs.mode ?? cur?.mode ?? 0o644, chown: attrs.chown,
      keepOwner: cur ? `${cur.uid}:${cur.gid}` : null,
    };
    return { changes: [change], data, diff: () => seedDiff(a.path, s) };
  }
  if (attrs.mode === null && attrs.chown === null) return { changes: [], data, okMsg: 'seed up to date' };
  const before = { mode: cur?.mode ?? null, owner: cur?.owner ?? null, group: cur?.group ?? null };
  const after = { mode: attrs.mode ?? before.mode, owner: a.owner ?? before.owner, group: a.group ?? before.group };
  return {
    changes: [{ kind: 'attrs', mode: attrs.mode, chown: attrs.chown, words: attrs.changes }],
    data,
    diff: () => unifiedDiff(a.path, attrText(before), attrText(after)),
  };
}

/**
 * --diff of a (re)build: each seed file, old (read back from the ISO) against new,
 * secrets masked; an old ISO that could not be read is shown as if there were none.
 */
export function seedDiff(path: string, s: Pick<SeedState, 'files' | 'old' | 'probe'>): string {
  const unreadable = s.probe.file.kind === 'file' && !s.old;
  const names = new Set<string>([...s.files.map((f) => f.name), ...(s.old ? s.old.keys() : [])]);
  const parts: string[] = unreadable ? [`# the files of the current ${path} could not be read: shown as new\n`] : [];
  for (const name of names) {
    const before = s.old?.get(name) ?? '';
    const after = s.files.find((f) => f.name === name)?.content ?? '';
    const d = unifiedDiff(`${path}/${name}`, seedFileForDiff(before), seedFileForDiff(after));
    if (d !== '') parts.push(d);
  }
  return parts.join('\n');
}

async function probe(host: Host, a: CloudInitSeedArgs, ctx: ModuleContext): Promise<IsoProbe> {
  const r = await mustRun(host, script(PROBE_SCRIPT, a.path), ctx, `looking at ${a.path}`, { env: { LC_ALL: 'C' } });
  return parseProbe(r.stdout);
}

/** The files inside the ISO, for --diff; null when no tool can read them or the image is damaged. */
async function readBack(host: Host, path: string, probed: IsoProbe, ctx: ModuleContext): Promise<Map<string, string> | null> {
  const reader = chooseReader(probed.tools);
  if (reader === null) return null;
  const r = await host.run(script(READ_BACK_SCRIPT, path, reader, 'user-data', 'meta-data', 'network-config'), runOptions(ctx));
  if (r.rc !== 0) return null;
  const files = parseReadBack(r.stdout);
  for (const [name, content] of files) if (content === '') files.delete(name);
  return files;
}

export const cloudInitSeedModule = defineModule({
  names: ['cloud_init_seed'],
  args: CloudInitSeedArgs,
  async gather(host, a, ctx): Promise<SeedState> {
    const files = seedFiles(a);
    const hash = seedHash(files);
    const probed = await probe(host, a, ctx);
    const state: SeedState = { probe: probed, files, hash };
    // The old files are read only when a diff may show them: a (re)build of an existing ISO.
    if (ctx.diff && probed.file.kind === 'file' && rebuildReason(probed.file, hash) !== null) {
      state.old = await readBack(host, a.path, probed, ctx);
    }
    return state;
  },
  plan: planSeed,
  describe: (c: SeedChange) => (c.kind === 'build' ? `${c.existed ? 'rebuild' : 'build'} the seed ISO (${c.why})` : `change ${c.words.join(', ')}`),
  async apply(host, a, c, ctx, s) {
    if (c.kind === 'attrs') {
      if (c.mode !== null) await mustRun(host, ['chmod', '--', formatMode(c.mode), a.path], ctx, `chmod ${a.path}`);
      if (c.chown !== null) await mustRun(host, ['chown', '--', c.chown, a.path], ctx, `chown ${a.path}`);
      return { msg: c.words.join(', ') };
    }
    const tool = chooseBuilder(s.probe.tools);
    if (tool === null) throw new TaskError(ctx.hostName, NO_BUILDER);
    const appId = applicationId(s.hash);
    const argv = script(BUILD_SCRIPT, a.path, formatMode(c.mode), c.chown ?? '', c.keepOwner ?? '', stampsAppId(tool) ? appId : '', ...builderArgv(tool, appId, s.files));
    await mustRun(host, argv, ctx, `building ${a.path} with ${tool}`, { stdin: seedStdin(s.files), env: { LC_ALL: 'C' } });
    return { msg: `${c.existed ? 'rebuilt' : 'built'} ${a.path} with ${tool} (${c.why})`, data: { tool } };
  },
});
