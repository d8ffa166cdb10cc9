#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `prepare`, which `npm ci`,
// `npm pack` and installs from git or a folder run; the npm package ships it built).
import '../dist/src/cli/main.js';
