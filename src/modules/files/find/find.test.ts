import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DETAILS_SCRIPT, FindArgs, findFilesModule, LIST_SCRIPT, parseAmount, parseListings } from './find.js';
import { LocalHost } from '../../../transport/local/local-host.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import type { RunModuleContext } from '../../module.js';

const find = async (raw: Record<string, unknown>, ctx: Partial<RunModuleContext> = {}) => {
  const host = new LocalHost();
  const r = await findFilesModule.run(host, findFilesModule.args.parse(raw), fakeContext(ctx));
  const files = (r.data?.['files'] ?? []) as Array<Record<string, unknown>>;
  return { r, host, paths: files.map((f) => f['path']).sort(), files };
};

describe('find module', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvmplay-find-'));
    mkdirSync(join(dir, 'd', 'e'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'alpha\nfoo bar\n');
    writeFileSync(join(dir, '.hidden'), 'foo\n');
    writeFileSync(join(dir, 'd', 'b.log'), 'x'.repeat(3000));
    writeFileSync(join(dir, 'd', 'e', 'c.txt'), 'foo\n');
    symlinkSync('d', join(dir, 'l'));
    const old = new Date(Date.now() - 3 * 86400_000);
    utimesSync(join(dir, 'a.txt'), old, old);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the files of the top directory only, unless recurse', async () => {
    const top = await find({ paths: dir });
    assert.deepEqual(top.paths, [join(dir, 'a.txt')]);
    assert.deepEqual([top.r.changed, top.r.msg, top.r.data?.['matched'], top.r.data?.['examined'], top.r.data?.['skipped_paths']], [false, 'All paths examined', 1, 4, {}]);
    const all = await find({ paths: dir, recurse: true });
    assert.deepEqual(all.paths, [join(dir, 'a.txt'), join(dir, 'd', 'b.log'), join(dir, 'd', 'e', 'c.txt')]);
    assert.equal(all.files[0]?.['isreg'], true);
    assert.equal(typeof all.files[0]?.['mode'], 'string');
  });

  it('filters by pattern, age, size and file type', async () => {
    assert.deepEqual((await find({ paths: dir, recurse: true, patterns: '*.txt', excludes: ['c*'] })).paths, [join(dir, 'a.txt')]);
    assert.deepEqual((await find({ paths: dir, recurse: true, age: '2d' })).paths, [join(dir, 'a.txt')]);
    assert.deepEqual((await find({ paths: dir, recurse: true, size: '2k' })).paths, [join(dir, 'd', 'b.log')]);
    assert.deepEqual((await find({ paths: dir, recurse: true, file_type: 'directory' })).paths, [join(dir, 'd'), join(dir, 'd', 'e')]);
    assert.deepEqual((await find({ paths: dir, file_type: 'link' })).paths, [join(dir, 'l')]);
    assert.deepEqual((await find({ paths: dir, recurse: true, patterns: ['^[ab]\\.'], use_regex: true })).paths, [join(dir, 'a.txt'), join(dir, 'd', 'b.log')]);
  });

  it('matches contents with a Python regex, and returns sha1 checksums', async () => {
    const { paths, files } = await find({ paths: [dir], recurse: true, contains: 'foo', get_checksum: true, hidden: true });
    assert.deepEqual(paths, [join(dir, '.hidden'), join(dir, 'a.txt'), join(dir, 'd', 'e', 'c.txt')]);
    assert.equal(files.find((f) => f['path'] === join(dir, '.hidden'))?.['checksum'], createHash('sha1').update('foo\n').digest('hex'));
    // Line by line, re.match: from the start of a line; the whole file: re.search.
    assert.deepEqual((await find({ paths: dir, contains: 'bar' })).paths, []);
    assert.deepEqual((await find({ paths: dir, contains: 'bar', read_whole_file: true })).paths, [join(dir, 'a.txt')]);
  });

  it('walks into a linked directory with follow', async () => {
    const { paths } = await find({ paths: dir, recurse: true, follow: true, patterns: 'c.txt' });
    assert.deepEqual(paths, [join(dir, 'd', 'e', 'c.txt'), join(dir, 'l', 'e', 'c.txt')]);
  });

  it('skips a path that is not a directory with a warning', async () => {
    const { r } = await find({ paths: [dir, join(dir, 'a.txt')] });
    assert.equal(r.msg, 'Not all paths examined, check warnings for details');
    assert.deepEqual(r.data?.['skipped_paths'], { [join(dir, 'a.txt')]: `'${join(dir, 'a.txt')}' is not a directory` });
    assert.equal((r.data?.['warnings'] as string[]).length, 1);
  });

  it('fails on an age it cannot read, keeping it in the result', async () => {
    const { r } = await find({ paths: dir, age: '3x' });
    assert.deepEqual([r.failed, r.msg, r.data], [true, 'failed to process age', { age: '3x' }]);
  });

  it('reads only, in two round trips at most without follow', async () => {
    const { host } = await find({ paths: dir, recurse: true, contains: 'foo', get_checksum: true }, { check: true });
    assert.deepEqual(host.commands.map((c) => c[2]), [LIST_SCRIPT, DETAILS_SCRIPT]);
  });

  it('takes lists as YAML lists or comma-separated strings, and refuses relative paths', () => {
    const a = FindArgs.parse({ path: '/a,/b', pattern: '*.x,*.y', exclude: 'z', depth: '2', size: 10 });
    assert.deepEqual([a.paths, a.patterns, a.excludes, a.depth, a.size], [['/a', '/b'], ['*.x', '*.y'], ['z'], 2, '10']);
    assert.equal(FindArgs.safeParse({ paths: 'var/log' }).success, false);
    assert.equal(FindArgs.safeParse({ paths: '/x', file_type: 'socket' }).success, false);
  });

  it("converts age and size units as find.py", () => {
    const age = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
    assert.deepEqual([parseAmount('-2W', age), parseAmount('90', age), parseAmount(undefined, age), parseAmount('2 d', age)], [-1209600, 90, null, undefined]);
  });

  it('reads a listing with find errors for unreadable directories', () => {
    const out = ['12.5', 'T', '/srv', 'D', 'E', 'd', 'd', '700', '0', '0', '4096', '9', '1', '2', '1.0', '2.0', '3.0', 'root', 'root', 'x',
      'X', "find: '/srv/x': Permission denied", 'T', '/etc/passwd', 'N', ''].join('\0');
    const { now, listings } = parseListings(out);
    assert.equal(now, 12.5);
    assert.deepEqual([...(listings.get('/srv')?.errors ?? [])], [['/srv/x', 'Permission denied']]);
    assert.equal(listings.get('/srv')?.entries[0]?.rel, 'x');
    assert.equal(listings.get('/etc/passwd')?.isDir, false);
  });
});
