import assert from 'node:assert/strict';
import { compileUserRegex } from '../../../jinja/regex.js';
import { rawFromFind } from '../stat-info.js';
import { contentMatches, nameFilter, selectFiles, type FindInput, type FindParams, type ListedEntry, type Listing } from './find-select.js';

const NOW = 1_000_000;

/** An entry: rel path, lstat type letter, followed type, size, mtime. */
function e(rel: string, type = 'f', opts: { follow?: string; size?: number; mtime?: number } = {}): ListedEntry {
  const t = String(opts.mtime ?? NOW - 10);
  return { rel, type, followType: opts.follow ?? type, st: rawFromFind(type, ['644', '0', '0', String(opts.size ?? 1), '1', '1', '1', t, t, t, 'root', 'root']) };
}

function listing(entries: ListedEntry[], errors: Array<[string, string]> = []): Listing {
  return { isDir: true, entries, errors: new Map(errors) };
}

function params(over: Partial<FindParams> = {}): FindParams {
  return {
    paths: ['/srv'], patterns: [], excludes: [], readWholeFile: false, fileType: 'file', age: null, ageStamp: 'mtime', size: null,
    recurse: true, hidden: false, follow: false, getChecksum: false, useRegex: false, depth: null, ...over,
  };
}

function input(tops: Record<string, Listing>, more: Partial<FindInput> = {}): FindInput {
  return { now: NOW, tops: new Map(Object.entries(tops)), linked: new Map(), details: new Map(), ...more };
}

// /srv: a, .h (hidden dir with b), d/ (c, e/ (f)), l -> d
const TREE = listing([
  e('a'), e('.h', 'd'), e('.h/b'), e('d', 'd'), e('d/c', 'f', { size: 5000 }), e('d/e', 'd'), e('d/e/f', 'f', { mtime: NOW - 100_000 }),
  e('l', 'l', { follow: 'd' }),
]);

const paths = (o: ReturnType<typeof selectFiles>): unknown[] => o.files.map((f) => f['path']);

describe('find selection (find.py over os.walk)', () => {
  it('walks files before directories, top-down, skipping hidden names but not hidden directories', () => {
    const o = selectFiles(params(), input({ '/srv': TREE }));
    assert.deepEqual(paths(o), ['/srv/a', '/srv/.h/b', '/srv/d/c', '/srv/d/e/f']);
    assert.equal(o.examined, 8);
  });

  it('counts a link to a directory as a directory but walks into it only with follow', () => {
    const any = selectFiles(params({ fileType: 'any' }), input({ '/srv': TREE }));
    assert.deepEqual(paths(any), ['/srv/a', '/srv/d', '/srv/l', '/srv/.h/b', '/srv/d/c', '/srv/d/e', '/srv/d/e/f']);
    const want = selectFiles(params({ follow: true }), input({ '/srv': TREE }));
    assert.deepEqual([...want.listLinked], [['/srv/l', null]]);
    const done = selectFiles(params({ follow: true }), input({ '/srv': TREE }, { linked: new Map([['/srv/l', listing([e('c')])]]) }));
    assert.deepEqual(paths(done), ['/srv/a', '/srv/.h/b', '/srv/d/c', '/srv/d/e/f', '/srv/l/c']);
    assert.equal(done.listLinked.size, 0);
  });

  it('prunes below depth but still counts the level below as examined', () => {
    const d1 = selectFiles(params({ paths: ['/srv/'], fileType: 'any', depth: 1 }), input({ '/srv/': TREE }));
    assert.deepEqual(paths(d1), ['/srv/a', '/srv/d', '/srv/l']);
    // /srv's 4 entries, then .h's and d's (depth 2: examined, not selected), nothing below.
    assert.equal(d1.examined, 4 + 1 + 2);
  });

  it('looks at the top level only without recurse', () => {
    const o = selectFiles(params({ recurse: false, hidden: true, fileType: 'any' }), input({ '/srv': TREE }));
    assert.deepEqual(paths(o), ['/srv/a', '/srv/.h', '/srv/d', '/srv/l']);
    assert.equal(o.examined, 4);
  });

  it('filters by age and size as find.py (negative: at most)', () => {
    assert.deepEqual(paths(selectFiles(params({ age: 3600 }), input({ '/srv': TREE }))), ['/srv/d/e/f']);
    assert.deepEqual(paths(selectFiles(params({ age: -3600 }), input({ '/srv': TREE }))), ['/srv/a', '/srv/.h/b', '/srv/d/c']);
    assert.deepEqual(paths(selectFiles(params({ size: 1024 }), input({ '/srv': TREE }))), ['/srv/d/c']);
    assert.deepEqual(paths(selectFiles(params({ size: -1 }), input({ '/srv': TREE }))), ['/srv/a', '/srv/.h/b', '/srv/d/e/f']);
  });

  it('skips a path that is not a directory, and the rest of a walk at an unreadable directory', () => {
    const o = selectFiles(params({ paths: ['/srv', '/etc/passwd'] }), input({
      '/srv': listing(TREE.entries, [['/srv/d', 'Permission denied']]),
      '/etc/passwd': { isDir: false, entries: [], errors: new Map() },
    }));
    assert.deepEqual(paths(o), ['/srv/a', '/srv/.h/b']);
    assert.deepEqual(o.skipped, { '/srv': "[Errno 13] Permission denied: '/srv/d'", '/etc/passwd': "'/etc/passwd' is not a directory" });
    assert.equal(o.warnings[1], "Skipped '/etc/passwd' path due to this access issue: '/etc/passwd' is not a directory\n");
  });

  it('asks for the bytes of candidates for contains, and their sha1 comes from them', () => {
    const p = params({ contains: 'foo', getChecksum: true });
    const first = selectFiles(p, input({ '/srv': TREE }));
    assert.deepEqual(first.needContent, ['/srv/a', '/srv/.h/b', '/srv/d/c', '/srv/d/e/f']);
    const details = new Map(first.needContent.map((f) => [f, { content: Buffer.from(f === '/srv/d/c' ? 'a foo\n' : 'foo\n') }]));
    const done = selectFiles(p, input({ '/srv': TREE }, { details }));
    // re.match: at the start of a line.
    assert.deepEqual(paths(done), ['/srv/a', '/srv/.h/b', '/srv/d/e/f']);
    assert.equal(done.files[0]?.['checksum'], 'f1d2d2f924e986ac86fdf7b36c94bcdf32beec15');
    assert.deepEqual([done.needContent, done.needChecksum], [[], []]);
  });

  it('asks for the sha1 of matches only, and of regular files only', () => {
    const o = selectFiles(params({ getChecksum: true, fileType: 'any', patterns: ['[al]'] }), input({ '/srv': TREE }));
    assert.deepEqual(o.needChecksum, ['/srv/a']);
  });

  it('matches names as fnmatch globs or as regexes from the start of the name', () => {
    const glob = nameFilter(params({ patterns: ['*.txt', 'a?'], excludes: ['x*'] }));
    assert.deepEqual(['a.txt', 'ab', 'x.txt', 'abc'].map(glob), [true, true, false, false]);
    const re = nameFilter(params({ patterns: ['a.'], useRegex: true }));
    assert.deepEqual(['abc', 'ba'].map(re), [true, false]);
    assert.throws(() => nameFilter(params({ patterns: ['(a'], useRegex: true })), /bad regular expression/);
  });
});

describe('find contains', () => {
  const re = (p: string) => compileUserRegex(p);
  it('reads UTF-8 text with universal newlines; $ matches before a line end as in Python', () => {
    assert.equal(contentMatches(re('.*foo$'), Buffer.from('a\r\nbar foo\r\n'), false), true);
    assert.equal(contentMatches(re('foo'), Buffer.from('a\nbar foo\n'), false), false);
    assert.equal(contentMatches(re('foo'), Buffer.from('a\nbar foo\n'), true), true);
    assert.equal(contentMatches(re('foo$'), Buffer.from('x foo\n'), true), true);
  });

  it('never matches bytes that are not UTF-8, nor an unreadable file', () => {
    assert.equal(contentMatches(re('.*foo'), Buffer.from([0xff, 0x66, 0x6f, 0x6f]), true), false);
    assert.equal(contentMatches(re('.*'), null, true), false);
  });
});
