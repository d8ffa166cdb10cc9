import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../test/support/recorded-host.js';
import { seedFiles, seedHash } from './cloud-init-seed-render.js';
import {
  applicationId, BUILD_SCRIPT, builderArgv, chooseBuilder, chooseReader, hashOfApplicationId, NO_BUILDER, parseProbe, parseReadBack,
  parseVolumeDescriptor, PROBE_SCRIPT, READ_BACK_SCRIPT, seedStdin, stampsAppId, type IsoFile, type IsoProbe,
} from './cloud-init-seed-iso.js';
import { cloudInitSeedModule, planSeed, rebuildReason, seedDiff, type CloudInitSeedArgs, type SeedState } from './cloud-init-seed.js';

const ISO = '/var/lib/libvirt/images/web01-cidata.iso';
const ARGS: CloudInitSeedArgs = { path: ISO, hostname: 'web01', user_data: { hostname: 'web01', packages: ['htop'] } };
const FILES = seedFiles(ARGS);
const HASH = seedHash(FILES);
const TOOLS = ['genisoimage', 'xorriso', 'mkisofs', 'isoinfo'];

const isoFile = (appId: string, over: Partial<Extract<IsoFile, { kind: 'file' }>> = {}): IsoFile =>
  ({ kind: 'file', mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', volume: { label: 'cidata', appId }, ...over });
const state = (file: IsoFile, over: Partial<SeedState> = {}): SeedState => ({ probe: { tools: TOOLS, file }, files: FILES, hash: HASH, ...over });

describe('cloud_init_seed: the ISO', () => {
  it('prefers genisoimage, then xorriso, mkisofs and cloud-localds; reads back with isoinfo, else xorriso', () => {
    assert.equal(chooseBuilder(['isoinfo', 'cloud-localds', 'xorriso', 'genisoimage']), 'genisoimage');
    assert.equal(chooseBuilder(['isoinfo', 'xorriso']), 'xorriso');
    assert.equal(chooseBuilder(['cloud-localds', 'mkisofs']), 'mkisofs');
    assert.equal(chooseBuilder(['cloud-localds']), 'cloud-localds');
    assert.equal(chooseBuilder(['isoinfo']), null);
    assert.equal(chooseReader(['genisoimage', 'isoinfo', 'xorriso']), 'isoinfo');
    assert.equal(chooseReader(['xorriso']), 'xorriso');
    assert.equal(chooseReader(['mkisofs']), null);
  });

  it('builds Joliet + Rock Ridge images labelled cidata with the hash as application id', () => {
    const id = applicationId(HASH);
    assert.deepEqual(builderArgv('genisoimage', id, FILES), ['genisoimage', '-quiet', '-o', 'new.iso', '-V', 'cidata', '-A', id, '-J', '-r', 'seed']);
    assert.deepEqual(builderArgv('mkisofs', id, FILES), ['mkisofs', '-quiet', '-o', 'new.iso', '-V', 'cidata', '-A', id, '-J', '-r', 'seed']);
    assert.deepEqual(builderArgv('xorriso', id, FILES), ['xorriso', '-as', 'mkisofs', '-quiet', '-o', 'new.iso', '-V', 'cidata', '-A', id, '-J', '-r', 'seed']);
    assert.deepEqual(builderArgv('cloud-localds', id, FILES), ['cloud-localds', 'new.iso', 'seed/user-data', 'seed/meta-data']);
    const withNet = seedFiles({ ...ARGS, network_config: { version: 2 } });
    assert.deepEqual(builderArgv('cloud-localds', id, withNet), ['cloud-localds', '-N', 'seed/network-config', 'new.iso', 'seed/user-data', 'seed/meta-data']);
    assert.deepEqual(['genisoimage', 'xorriso', 'mkisofs', 'cloud-localds'].filter((t) => stampsAppId(t as 'xorriso')), ['cloud-localds']);
  });

  it('records the hash in an application id of ISO 9660 characters and reads it back', () => {
    const id = applicationId(HASH);
    assert.match(id, /^[A-Z0-9 ]+$/);
    assert.ok(id.length <= 128);
    assert.equal(hashOfApplicationId(id), HASH);
    assert.equal(hashOfApplicationId('GENISOIMAGE ISO 9660/HFS FILESYSTEM CREATOR'), null);
  });

  it('reads the label and application id of a primary volume descriptor', () => {
    const sector = Buffer.alloc(2048, 0x20);
    sector[0] = 1;
    sector.write('CD001', 1, 'latin1');
    sector.write('cidata', 40, 'latin1');
    sector.write('KVMPLAY CIDATA SHA256 AB', 574, 'latin1');
    assert.deepEqual(parseVolumeDescriptor(sector), { label: 'cidata', appId: 'KVMPLAY CIDATA SHA256 AB' });
    assert.equal(parseVolumeDescriptor(Buffer.from('not an iso')), null);
    sector[0] = 2;
    assert.equal(parseVolumeDescriptor(sector), null, 'a supplementary descriptor is not the primary one');
  });

  // Recorded on lab03 (test/fixtures/probes/cloud-init-seed-probe/): ISOs built by the build script.
  for (const c of loadProbeCases<IsoProbe>('cloud-init-seed-probe')) {
    it(`parses the probe of ${c.name}: ${c.title}`, () => assert.deepEqual(parseProbe(c.stdout), c.expected));
  }

  it('sends the seed files as one base64 line each, an empty line for a missing network-config', () => {
    const lines = seedStdin(FILES).split('\n');
    assert.equal(lines.length, 4);
    assert.equal(Buffer.from(lines[0]!, 'base64').toString(), FILES[0]!.content);
    assert.equal(Buffer.from(lines[1]!, 'base64').toString(), FILES[1]!.content);
    assert.equal(lines[2], '');
  });

  it('reads back the files the read-back script prints, an empty one meaning none', () => {
    const files = parseReadBack(`user-data ${Buffer.from('#cloud-config\n').toString('base64')}\nmeta-data ${Buffer.from('instance-id: a\n').toString('base64')}\nnetwork-config \n`);
    assert.deepEqual([...files], [['user-data', '#cloud-config\n'], ['meta-data', 'instance-id: a\n'], ['network-config', '']]);
  });
});

describe('cloud_init_seed: the plan', () => {
  const table: Array<[string, IsoFile, string | null]> = [
    ['builds a missing ISO', { kind: 'absent', parent: true }, 'new'],
    ['keeps an ISO that records the same hash', isoFile(applicationId(HASH)), null],
    ['rebuilds an ISO of another seed', isoFile(applicationId('0'.repeat(64))), 'seed changed'],
    ['rebuilds a cidata ISO another tool made (no hash recorded)', isoFile('GENISOIMAGE ISO 9660/HFS FILESYSTEM CREATOR'), 'made by another tool'],
    ['rebuilds an ISO with another label', isoFile(applicationId(HASH), { volume: { label: 'config-2', appId: applicationId(HASH) } }), 'volume label "config-2", not cidata'],
    ['rebuilds a file that is no ISO', isoFile('', { volume: null }), 'not an ISO 9660 image'],
  ];
  for (const [title, file, why] of table) it(title, () => assert.equal(rebuildReason(file, HASH), why));

  it('reports an unchanged seed as up to date, with its hash', () => {
    const p = planSeed(ARGS, state(isoFile(applicationId(HASH))));
    assert.ok(!('fail' in p));
    assert.deepEqual(p.changes, []);
    assert.deepEqual(p.data, { path: ISO, sha256: HASH, files: ['user-data', 'meta-data'] });
  });

  it('rebuilds with the mode and owner the ISO had unless others are asked for', () => {
    const cur = isoFile(applicationId('0'.repeat(64)), { mode: 0o600, uid: 64055, gid: 994, owner: 'libvirt-qemu', group: 'kvm' });
    const keep = planSeed(ARGS, state(cur));
    assert.ok(!('fail' in keep));
    assert.deepEqual(keep.changes, [{ kind: 'build', existed: true, why: 'seed changed', mode: 0o600, chown: null, keepOwner: '64055:994' }]);
    const asked = planSeed({ ...ARGS, mode: '0640', owner: 'root' }, state(cur));
    assert.ok(!('fail' in asked));
    assert.deepEqual(asked.changes, [{ kind: 'build', existed: true, why: 'seed changed', mode: 0o640, chown: 'root', keepOwner: '64055:994' }]);
    const fresh = planSeed(ARGS, state({ kind: 'absent', parent: true }));
    assert.ok(!('fail' in fresh));
    assert.deepEqual(fresh.changes, [{ kind: 'build', existed: false, why: 'new', mode: 0o644, chown: null, keepOwner: null }]);
  });

  it('changes only the mode of an unchanged seed whose mode differs', () => {
    const p = planSeed({ ...ARGS, mode: '0600' }, state(isoFile(applicationId(HASH))));
    assert.ok(!('fail' in p));
    assert.deepEqual(p.changes, [{ kind: 'attrs', mode: 0o600, chown: null, words: ['mode 0644 → 0600'] }]);
  });

  it('refuses a directory, a link, another kind of file and a missing folder', () => {
    const fails: Array<[IsoFile, RegExp]> = [
      [{ kind: 'directory' }, /is a directory/],
      [{ kind: 'link' }, /is a symbolic link/],
      [{ kind: 'other' }, /not a regular file/],
      [{ kind: 'absent', parent: false }, /Destination directory \/var\/lib\/libvirt\/images does not exist/],
    ];
    for (const [file, msg] of fails) {
      const p = planSeed(ARGS, state(file));
      assert.ok('fail' in p && msg.test(p.fail), JSON.stringify(p));
    }
  });

  it('diffs each seed file against the one read back, and says when the old ones could not be read', () => {
    const old = new Map([['user-data', '#cloud-config\nhostname: web01\n'], ['meta-data', FILES[1]!.content], ['network-config', 'version: 2\n']]);
    const d = seedDiff(ISO, state(isoFile(applicationId('0'.repeat(64))), { old }));
    assert.match(d, /--- before: \/var\/lib\/libvirt\/images\/web01-cidata.iso\/user-data\n\+\+\+ after: .*user-data\n@@[^\n]*\n #cloud-config\n hostname: web01\n\+packages:\n\+  - htop\n/);
    assert.match(d, /-version: 2/, 'a network-config no longer wanted shows as removed');
    assert.ok(!d.includes('meta-data'), 'an unchanged file is not in the diff');
    const unreadable = seedDiff(ISO, state(isoFile(applicationId('0'.repeat(64))), { old: null }));
    assert.match(unreadable, /^# the files of the current .* could not be read: shown as new\n/);
    assert.match(unreadable, /\+instance-id: web01/);
  });
});

describe('cloud_init_seed: the module on a recorded host', () => {
  const [absent] = loadProbeCases<IsoProbe>('cloud-init-seed-probe').filter((c) => c.name === 'absent');
  const withProbe = (stdout: string): RecordedHost => new RecordedHost('hv01').on(runsScript(PROBE_SCRIPT), { stdout }).on(runsScript(BUILD_SCRIPT), {});
  const args = cloudInitSeedModule.args.parse({ ...ARGS, path: absent!.params[0] });

  it('builds a new seed with genisoimage from a private folder, the files on stdin', async () => {
    const host = withProbe(absent!.stdout);
    const r = await cloudInitSeedModule.run(host, args, fakeContext());
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.match(r.msg, /^built .* with genisoimage \(new\)$/);
    const build = host.calls.find((c) => c.argv?.[2] === BUILD_SCRIPT)!;
    assert.deepEqual(build.argv?.slice(3, 9), ['kvmplay', absent!.params[0], '0644', '', '', '']);
    assert.equal(build.argv?.[9], 'genisoimage');
    assert.equal(build.opts?.stdin, seedStdin(FILES));
  });

  it('in check mode says what it would build and runs nothing but the probe', async () => {
    const host = withProbe(absent!.stdout);
    const r = await cloudInitSeedModule.run(host, args, fakeContext({ check: true, diff: true }));
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'would build the seed ISO (new)');
    assert.match(r.diff ?? '', /\+hostname: web01/);
    assert.deepEqual(host.commands().map((c) => c[2]), [PROBE_SCRIPT]);
  });

  it('fails naming the packages to install when the host has no ISO tool', async () => {
    const host = withProbe(absent!.stdout.replace(/^tools .*$/m, 'tools'));
    const r = await cloudInitSeedModule.run(host, args, fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.msg, NO_BUILDER);
    assert.match(r.msg, /install genisoimage .* or xorriso/);
    assert.ok(!host.commands().some((c) => c[2] === BUILD_SCRIPT));
  });

  it('reads the old files back for --diff only when the ISO is rebuilt', async () => {
    const [seed] = loadProbeCases<IsoProbe>('cloud-init-seed-probe').filter((c) => c.name === 'xorriso-seed');
    const host = withProbe(seed!.stdout).on(runsScript(READ_BACK_SCRIPT), { stdout: `user-data ${Buffer.from('#cloud-config\nhostname: old\n').toString('base64')}\nmeta-data \nnetwork-config \n` });
    const r = await cloudInitSeedModule.run(host, cloudInitSeedModule.args.parse({ ...ARGS, path: seed!.params[0] }), fakeContext({ check: true, diff: true }));
    assert.match(r.diff ?? '', /-hostname: old\n\+hostname: web01/);
    const readBack = host.calls.find((c) => c.argv?.[2] === READ_BACK_SCRIPT);
    assert.deepEqual(readBack?.argv?.slice(4, 6), [seed!.params[0], 'isoinfo']);
  });

  it('takes user_data as a map or a text, and only maps for meta_data and network_config', () => {
    const ok = (raw: Record<string, unknown>): boolean => cloudInitSeedModule.args.safeParse(raw).success;
    assert.ok(ok({ path: ISO, user_data: '#!/bin/sh\necho hi\n' }));
    assert.ok(ok({ path: ISO, user_data: { users: [] }, meta_data: { 'instance-id': 'x' }, network_config: { version: 2 }, hostname: 'x', mode: '0600', owner: 'root', group: 0 }));
    assert.ok(!ok({ path: 'web01-cidata.iso' }));
    assert.ok(!ok({ path: ISO, network_config: 'version: 2' }));
    assert.ok(!ok({ path: ISO, userdata: {} }));
  });
});
