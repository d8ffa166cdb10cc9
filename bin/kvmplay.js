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
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = mtime('../dist/bundle/main.js') >= mtime('../dist/src/cli/main.js');
await import(bundled ? '../dist/bundle/main.js' : '../dist/src/cli/main.js');
