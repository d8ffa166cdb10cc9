#!/bin/sh
":" //; exec node --max-semi-space-size=4 "$0" "$@"
// Run as a program, the two lines above are a shell script that starts node with a
// young generation of 4 MB instead of V8's 16 MB: a run of 50 hosts peaks at about
// 97 MB instead of 114 MB, for the same CPU (issue 16). Run as `node bin/kvmplay.js`,
// they are a string and a comment.
// Entry point: the compiled CLI lives in dist/ (built by `prepare`, which `npm ci`,
// `npm pack` and installs from git or a folder run; the npm package ships it built).
// The bundle (scripts/bundle.mjs) starts faster; it is used when it was made from the
// current compiled tree, so a `tsc` alone never leaves kvmplay running older code.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedDataVersionTag } from 'node:v8';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/kvmplay.cjs', import.meta.url));
const tree = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

// A cache's first byte: made by a command that ran tasks, or by another.
const FULL = 1;
const PARTIAL = 0;

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

if (mtime(bundle) >= mtime(tree)) runBundle(bundle);
else await import(tree);

/**
 * Compiles the bundle with the bytecode an earlier start left next to it (V8's code
 * cache: about 100 ms less per start), runs it, and leaves such bytecode for the next
 * start when there was none usable. A folder kvmplay may not write to just means no cache.
 */
function runBundle(file) {
  const source = readFileSync(file, 'utf8');
  const dir = dirname(file);
  const cache = cachePath(dir, source);
  let cachedData = readCache(cache);
  const script = new vm.Script(source, {
    filename: file,
    cachedData: cachedData?.subarray(1),
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // Bytecode from a command that runs tasks covers what the others need too: one made
  // by `--version` or `validate` is replaced once by that of a `run`.
  const runsTasks = ['run', 'ping', 'exec'].includes(process.argv.slice(2).find((a) => !a.startsWith('-')) ?? '');
  const wanted = cachedData === undefined || script.cachedDataRejected || (runsTasks && cachedData[0] !== FULL);
  cachedData = undefined;
  if (wanted) process.once('exit', () => writeCache(cache, runsTasks ? FULL : PARTIAL, script.createCachedData()));
  const body = script.runInThisContext();
  const module = { exports: {} };
  body.call(module.exports, module.exports, createRequire(file), module, file, dir);
}

/**
 * One cache per build and per V8 configuration (version, flags, CPU: V8's own tag):
 * V8 refuses bytecode made under other flags, and trusts bytecode of another build of
 * the same length. The build's hash is on the bundle's first line.
 */
function cachePath(dir, source) {
  const build = /^\/\/ kvmplay build (\w+)/.exec(source)?.[1] ?? 'unknown';
  return join(dir, `kvmplay-${build}-${cachedDataVersionTag()}.v8cache`);
}

function readCache(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written whole then renamed, so a concurrent start reads an old cache or a new one, never half. */
function writeCache(path, kind, data) {
  const temporary = `${path}.${process.pid}`;
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from([kind]), data]));
    renameSync(temporary, path);
  } catch {
    // A read-only install: kvmplay starts without a cache (and leaves no half-written one).
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written there either.
    }
  }
}
