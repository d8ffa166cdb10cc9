import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attrPaths, UnarchiveArgs, unarchiveModule } from './unarchive.js';
import { escapeDecode, tarDifferences, tarFiles, zipFiles } from './unarchive-probe.js';
import { checkZip, parseCrcs, parseEntryStat, permstrToOctal, splitWs } from './unarchive-zip.js';
import type { RunModuleContext } from '../module.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';

describe('unarchive', () => {
  let dir = '';
  let dest = '';
  let archives = '';
  let host: LocalHost;
  const ctx = (over: Partial<RunModuleContext> = {}): RunModuleContext => fakeContext({
    readLocalFile: async (src) => ({ path: join(archives, src), content: readFileSync(join(archives, src)) }),
    ...over,
  });
  const run = (raw: Record<string, unknown>, over: Partial<RunModuleContext> = {}) => unarchiveModule.run(host, UnarchiveArgs.parse(raw), ctx(over));

  before(() => {
    archives = mkdtempSync(join(tmpdir(), 'kvmplay-archives-'));
    const tree = join(archives, 'tree');
    mkdirSync(join(tree, 'app', 'conf'), { recursive: true });
    writeFileSync(join(tree, 'app', 'README'), 'read me\n');
    writeFileSync(join(tree, 'app', 'conf', 'app.conf'), 'a=1\n');
    writeFileSync(join(tree, 'top.txt'), 'top\n');
    const tar = (name: string, ...flags: string[]): void => {
      execFileSync('tar', ['-c', ...flags, '-f', join(archives, name), '--owner=0', '--group=0', '-C', tree, 'app', 'top.txt']);
    };
    tar('app.tar.gz', '-z');
    tar('app.tar');
    tar('app.tar.xz', '-J');
    execFileSync('zip', ['-qr', join(archives, 'app.zip'), 'app', 'top.txt'], { cwd: tree });
    writeFileSync(join(archives, 'junk.bin'), 'not an archive\n');
    writeFileSync(join(archives, 'empty'), '');
  });
  after(() => rmSync(archives, { recursive: true, force: true }));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-unarchive-'));
    dest = join(dir, 'dest');
    mkdirSync(dest);
    host = new LocalHost();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends a local tar.gz, unpacks it, then finds it unpacked (tar --diff), as Ansible does', async () => {
    const r = await run({ src: 'app.tar.gz', dest, list_files: true });
    assert.equal(r.changed, true, r.msg);
    assert.equal(readFileSync(join(dest, 'app', 'conf', 'app.conf'), 'utf8'), 'a=1\n');
    assert.deepEqual([r.data?.['handler'], r.data?.['dest'], r.data?.['state']], ['TgzArchive', dest, 'directory']);
    assert.deepEqual((r.data?.['files'] as string[]).sort(), ['app/', 'app/README', 'app/conf/', 'app/conf/app.conf', 'top.txt']);
    const results = r.data?.['extract_results'] as { cmd: string[]; rc: number };
    assert.deepEqual([results.rc, results.cmd.slice(1, 5)], [0, ['--extract', '-C', dest, '-z']]);
    assert.match(results.cmd[0] ?? '', /\/tar$/);
    const again = await run({ src: 'app.tar.gz', dest });
    assert.deepEqual([again.changed, again.failed], [false, undefined], again.msg);
    utimesSync(join(dest, 'top.txt'), new Date(0), new Date(0));
    assert.equal((await run({ src: 'app.tar.gz', dest })).changed, true);
  });

  it('unpacks an archive already on the host with remote_src; tar reads xz itself (TarArchive, as in Ansible)', async () => {
    const r = await run({ src: join(archives, 'app.tar.xz'), dest, remote_src: true });
    assert.deepEqual([r.changed, r.data?.['handler'], r.data?.['src']], [true, 'TarArchive', join(archives, 'app.tar.xz')], r.msg);
    assert.equal((await run({ src: join(archives, 'app.tar.xz'), dest, copy: false })).changed, false);
  });

  it('unpacks a zip with unzip and compares its entries as Ansible does', async () => {
    const r = await run({ src: 'app.zip', dest }, { diff: true });
    assert.deepEqual([r.changed, r.data?.['handler']], [true, 'ZipArchive'], r.msg);
    assert.equal(readFileSync(join(dest, 'top.txt'), 'utf8'), 'top\n');
    assert.match(r.diff ?? '', />f\+\+\+\+\+\+\.\?\? top\.txt/);
    const again = await run({ src: 'app.zip', dest });
    assert.equal(again.changed, false, again.msg);
    writeFileSync(join(dest, 'top.txt'), 'TOP\n');
    const fixed = await run({ src: 'app.zip', dest }, { diff: true });
    assert.equal(fixed.changed, true);
    assert.match(fixed.diff ?? '', /\.fc.*top\.txt/);
    assert.equal(readFileSync(join(dest, 'top.txt'), 'utf8'), 'top\n');
  });

  it('gives every entry and top folder the mode and owner asked for, then changes nothing', async () => {
    const args = { src: 'app.tar', dest, mode: 'u=rwX,g=rX,o=', owner: 'nobody' };
    const r = await run(args);
    assert.equal(r.changed, true, r.msg);
    assert.equal(statSync(join(dest, 'app')).mode & 0o7777, 0o750);
    assert.equal(statSync(join(dest, 'app', 'README')).mode & 0o7777, 0o640);
    assert.equal(statSync(join(dest, 'top.txt')).uid, 65534);
    const again = await run(args);
    assert.equal(again.changed, false, again.msg);
  });

  it('extracts only what include names, or all but what exclude names', async () => {
    await run({ src: 'app.tar.gz', dest, include: ['top.txt'] });
    assert.deepEqual(readdirSync(dest), ['top.txt']);
    rmSync(join(dest, 'top.txt'));
    const r = await run({ src: 'app.tar.gz', dest, exclude: ['app/conf/'], list_files: true });
    assert.equal(r.changed, true, r.msg);
    assert.equal(existsSync(join(dest, 'app', 'conf')), false);
    assert.deepEqual((r.data?.['files'] as string[]).sort(), ['app/', 'app/README', 'top.txt']);
  });

  it('is skipped when creates exists, and sends nothing', async () => {
    const r = await run({ src: 'app.tar.gz', dest, creates: dest });
    assert.deepEqual([r.changed, r.skipped, r.msg], [false, true, `skipped, since ${dest} exists`]);
    assert.equal(host.commands.length, 1);
  });

  it('is skipped in check mode for tar archives (as Ansible\'s gtar handler) and unpacks nothing', async () => {
    const r = await run({ src: 'app.tar.gz', dest }, { check: true });
    assert.deepEqual([r.skipped, r.changed, r.msg], [true, false, 'remote module (unarchive) does not support check mode when using gtar']);
    assert.deepEqual(readdirSync(dest), []);
  });

  it('fails as Ansible does on a missing dest, a missing or empty source, and a file no handler reads', async () => {
    assert.equal((await run({ src: 'app.tar.gz', dest: join(dir, 'none') })).msg, `dest '${join(dir, 'none')}' must be an existing dir`);
    assert.equal((await run({ src: join(dir, 'nope.tgz'), dest, remote_src: true })).msg, `Source '${join(dir, 'nope.tgz')}' does not exist`);
    assert.match((await run({ src: 'empty', dest })).msg, /^Invalid archive '.*\/source', the file is 0 bytes$/);
    const junk = await run({ src: join(archives, 'junk.bin'), dest, remote_src: true });
    assert.equal(junk.failed, true);
    assert.match(junk.msg, /^Failed to find handler for ".*junk\.bin"\. Make sure the required command to extract the file is installed\.\n/);
    assert.match(junk.msg, /Unable to list files in the archive/);
  });

  it('refuses what it does not do, by name', () => {
    const issues = (raw: Record<string, unknown>): string => UnarchiveArgs.safeParse(raw).error?.issues.map((i) => i.message).join('\n') ?? '';
    assert.match(issues({ src: 'https://x/a.tgz', dest: '/d', remote_src: true }), /a URL as src is not supported/);
    assert.match(issues({ src: 'a', dest: '/d', copy: false, remote_src: true }), /mutually exclusive: copy\|remote_src/);
    assert.match(issues({ src: 'a', dest: '/d', include: ['x'], exclude: ['y'] }), /mutually exclusive: include\|exclude/);
    assert.match(issues({ src: 'a', dest: '/d', selevel: 's0' }), /"selevel" is not supported by kvmplay/);
    assert.equal(UnarchiveArgs.parse({ src: 'a', dest: '/d', copy: 'no' }).remote_src, true);
  });
});

describe('unarchive listings and comparisons', () => {
  it('reads tar\'s escaped names and drops a leading slash and the excluded', () => {
    assert.equal(escapeDecode('caf\\303\\251 \\\\ x\\ny'), 'café \\ x\ny');
    assert.deepEqual(tarFiles('/etc/\nabc\\303\\251\nlogs/x.log\n', ['logs/*']), ['etc/', 'abcé']);
    assert.deepEqual(zipFiles('a/\na/b.txt\nc.log\n', ['*.txt'], []), ['a/b.txt']);
    assert.deepEqual(attrPaths(['a/', 'a/b', 'c']), ['a/', 'a/b', 'c', 'a']);
  });

  it('counts only the tar --diff lines Ansible counts', () => {
    const out = 'app/README: Mod time differs\napp/conf: Mode differs\nx: Size differs\n';
    assert.deepEqual(tarDifferences(out, '', { runUid: 0, owner: false, group: false, mode: true }), ['app/README: Mod time differs']);
    assert.deepEqual(tarDifferences('x: Uid differs\n', 'tar: y: Warning: Cannot stat: No such file or directory\n', { runUid: 1000, owner: false, group: false, mode: false }),
      ['tar: y: Warning: Cannot stat: No such file or directory']);
    assert.deepEqual(tarDifferences('x: Contents differ\n', '', { runUid: 0, owner: false, group: false, mode: false }), []);
  });

  it('compares zip entries as ZipArchive.is_unarchived does', () => {
    assert.deepEqual(splitWs('  a  b c  d e ', 2), ['a', 'b', 'c  d e']);
    assert.equal(permstrToOctal('rwxr-sr-t', 0), 0o755);
    assert.equal(permstrToOctal('rw-rw-rw-', 0o022), 0o644);
    const crcs = parseCrcs('Archive:  a.zip\n Length   Method    Size  Cmpr    Date    Time   CRC-32   Name\n--------  ------  ------- ---- ---------- ----- --------  ----\n       4  Stored        4   0% 2024-01-02 03:04 0a0b0c0d  f.txt\n--------          -------  ---                            -------\n       4                4   0%                            1 file\n');
    assert.deepEqual([...crcs], [['f.txt', 0x0a0b0c0d]]);
    const st = parseEntryStat('regular file|644|0|0|4|2024-01-02 03:04:05.000000000 +0000|root|root', 0x0a0b0c0d);
    assert.ok(st);
    const ids = { umask: 0o022, runUid: 0, runGid: 0, runOwner: 'root', runGroup: 'root', groups: [0], futOwner: 'root', futUid: 0, futGroup: 'root', futGid: 0 };
    const line = '-rw-r--r--  3.0 unx        4 tx stor 20240102.030405 f.txt\n';
    const same = checkZip({ listing: line, rc: 0, stats: new Map([['f.txt', st]]), crcs, ids, excludes: [], keepNewer: false });
    assert.deepEqual(same, { unarchived: true, diff: '', newer: [] });
    const older = checkZip({ listing: line.replace('030405', '030406'), rc: 0, stats: new Map([['f.txt', { ...st, mode: 0o600 }]]), crcs, ids, excludes: [], keepNewer: false });
    assert.deepEqual(older, { unarchived: false, diff: '.f..tp...?? f.txt\n', newer: [] });
    const kept = checkZip({ listing: line.replace('030405', '030404'), rc: 0, stats: new Map([['f.txt', st]]), crcs, ids, excludes: [], keepNewer: true });
    assert.deepEqual(kept, { unarchived: true, diff: '', newer: ['f.txt'] });
    assert.deepEqual(checkZip({ listing: line, rc: 0, stats: new Map(), crcs, ids, excludes: [], keepNewer: false }).diff, '>f++++++.?? f.txt\n');
  });
});
