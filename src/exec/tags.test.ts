import assert from 'node:assert/strict';
import { ALL_TAGS, parseTagOption, shouldRunTags, tagFilter } from './tags.js';

const run = (tags: string[], only: string[] = [], skip: string[] = []): boolean => shouldRunTags(tags, tagFilter(only, skip));

describe('tag selection', () => {
  it('runs everything but never-tagged tasks by default', () => {
    assert.equal(shouldRunTags([], ALL_TAGS), true);
    assert.equal(shouldRunTags(['net'], ALL_TAGS), true);
    assert.equal(shouldRunTags(['always'], ALL_TAGS), true);
    assert.equal(shouldRunTags(['never'], ALL_TAGS), false);
  });

  it('runs only tasks sharing a tag with --tags, plus always-tagged ones', () => {
    assert.equal(run(['net'], ['net']), true);
    assert.equal(run(['vm'], ['net']), false);
    assert.equal(run([], ['net']), false);
    assert.equal(run(['always'], ['net']), true);
  });

  it('runs a never-tagged task only when one of its other tags is asked for', () => {
    assert.equal(run(['never', 'debug'], ['debug']), true);
    assert.equal(run(['never', 'debug'], ['all']), false);
    assert.equal(run(['never'], ['tagged']), false);
  });

  it('selects by having tags with tagged and untagged', () => {
    assert.equal(run(['net'], ['tagged']), true);
    assert.equal(run([], ['tagged']), false);
    assert.equal(run([], ['untagged']), true);
    assert.equal(run(['net'], ['untagged']), false);
  });

  it('skips tasks sharing a tag with --skip-tags, even always-tagged ones named there', () => {
    assert.equal(run(['net'], [], ['net']), false);
    assert.equal(run(['vm'], [], ['net']), true);
    assert.equal(run(['always'], [], ['always']), false);
  });

  it('keeps always-tagged tasks when skipping all, unless always is skipped too', () => {
    assert.equal(run(['net'], [], ['all']), false);
    assert.equal(run(['always'], [], ['all']), true);
    assert.equal(run(['always'], [], ['all', 'always']), false);
  });

  it('skips tagged or untagged tasks by name', () => {
    assert.equal(run(['net'], [], ['tagged']), false);
    assert.equal(run([], [], ['tagged']), true);
    assert.equal(run([], [], ['untagged']), false);
  });

  it('reads comma-separated and repeated options', () => {
    assert.deepEqual(parseTagOption(['a,b', ' c ', '']), ['a', 'b', 'c']);
    assert.deepEqual(tagFilter([], undefined), { only: ['all'], skip: [] });
  });
});
