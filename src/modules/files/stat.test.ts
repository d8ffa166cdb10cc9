import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMime, parseStat, statModule, StatArgs, STAT_SCRIPT } from './stat.js';
import { LocalHost } from '../../transport/local/local-host.js';
import { fakeContext } from '../../../test/support/module-context.js';
import type { RunModuleContext } from '../module.js';

const stat = async (raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) => {
  const host = new LocalHost();
  const r = await statModule.run(host, statModule.args.parse(raw), fakeContext(ctx));
  return { r, st: (r.data?.['stat'] ?? {}) as Record<string, unknown>, host };
};

describe('stat module', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-stat-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('describes a regular file with its sha1, mode as a string and owner names', async () => {
    const f = join(dir, 'a.txt');
    writeFileSync(f, 'hello\n');
    chmodSync(f, 0o640);
    const { r, st } = await stat({ path: f });
    assert.equal(r.changed, false);
    assert.deepEqual(
      [st['exists'], st['isreg'], st['isdir'], st['islnk'], st['mode'], st['size'], st['path'], st['checksum'], st['readable']],
      [true, true, false, false, '0640', 6, f, createHash('sha1').update('hello\n').digest('hex'), true],
    );
    assert.equal(typeof st['mtime'], 'number');
    assert.equal(typeof st['uid'], 'number');
    assert.equal(typeof st['pw_name'], 'string');
    assert.ok('mimetype' in st && 'charset' in st && 'attributes' in st && 'version' in st);
  });

  it('takes the checksum algorithm by its aliases, and skips what is not asked for', async () => {
    const f = join(dir, 'a');
    writeFileSync(f, 'x');
    const { st } = await stat({ dest: f, checksum: 'sha256', get_md5: true, mime: false, attributes: 'no' });
    assert.equal(st['checksum'], createHash('sha256').update('x').digest('hex'));
    assert.equal(st['md5'], createHash('md5').update('x').digest('hex'));
    assert.ok(!('mimetype' in st) && !('attributes' in st));
    const none = await stat({ path: f, get_checksum: false });
    assert.ok(!('checksum' in none.st));
  });

  it('describes a symlink itself, or its target with follow', async () => {
    mkdirSync(join(dir, 'd'));
    symlinkSync('d', join(dir, 'l'));
    const link = await stat({ path: join(dir, 'l') });
    assert.deepEqual([link.st['islnk'], link.st['isdir'], link.st['lnk_target'], link.st['lnk_source']], [true, false, 'd', join(dir, 'd')]);
    const target = await stat({ path: join(dir, 'l'), follow: true });
    assert.deepEqual([target.st['islnk'], target.st['isdir'], 'lnk_target' in target.st], [false, true, false]);
  });

  it('says only exists: false for a missing path, and fails on another error', async () => {
    assert.deepEqual((await stat({ path: join(dir, 'nope') })).st, { exists: false });
    writeFileSync(join(dir, 'f'), '');
    const { r } = await stat({ path: join(dir, 'f', 'x') });
    assert.deepEqual([r.failed, r.msg], [true, 'Not a directory']);
  });

  it('sends one probe and nothing else, in check mode too', async () => {
    writeFileSync(join(dir, 'f'), '');
    const { host, r } = await stat({ path: join(dir, 'f') }, { check: true });
    assert.equal(r.changed, false);
    assert.deepEqual(host.commands.map((c) => c[2]), [STAT_SCRIPT]);
  });

  it('refuses a relative path and an unknown algorithm at validation', () => {
    assert.equal(StatArgs.safeParse({ path: 'etc/x' }).success, false);
    assert.equal(StatArgs.safeParse({ path: '/x', checksum_algorithm: 'crc32' }).success, false);
    assert.equal(StatArgs.safeParse({ path: '/x', selevel: 's0' }).success, false);
  });

  it('reads `file` output as stat.py does', () => {
    assert.deepEqual(parseMime('text/plain; charset=us-ascii\n'), { mimetype: 'text/plain', charset: 'us-ascii' });
    assert.deepEqual(parseMime(null), { mimetype: 'unknown', charset: 'unknown' });
  });

  it('parses a recorded probe of a lab host', () => {
    // A lab host: no `file` command, lsattr refused on overlayfs.
    const out = '81a4 0 0 4 1234 45 1 8 4096 0 1796400356.1 1796400356.2 1796400356.3 root root\n110\nf572d396fae9206628714fb2ce00f72e94f2258f\n-\n-\n-\n-\n-\n';
    const a = StatArgs.parse({ path: '/srv/x' });
    const s = parseStat(a, out);
    assert.ok('stat' in s);
    assert.deepEqual(
      [s.stat['readable'], s.stat['writeable'], s.stat['executable'], s.stat['mimetype'], s.stat['version'], s.stat['attributes'], s.stat['checksum']],
      [true, true, false, 'unknown', null, [], 'f572d396fae9206628714fb2ce00f72e94f2258f'],
    );
  });
});
