// Bundles the compiled CLI (dist/src/cli/main.js) into dist/bundle/: one file for what
// every command loads, and a chunk per lazily imported command, so that starting
// kvmplay reads a few files instead of hundreds (Node's ES module loader pays for each
// file it resolves and reads; see issue 16). bin/kvmplay.js runs the bundle when it is
// newer than the compiled tree, else the tree. Native add-ons stay outside: ssh2's
// crypto binding is required from the installed package, cpu-features as it is.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');

/** ssh2 requires its binding by a relative path: point it at the installed package. */
const nativeBindings = {
  name: 'native-bindings',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => ({
      path: args.path.replace(/^\.\/crypto\//, 'ssh2/lib/protocol/crypto/'),
      external: true,
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['cpu-features'],
  plugins: [nativeBindings],
  // CommonJS dependencies use require() and __dirname: give each chunk its own.
  banner: {
    js: [
      "import { createRequire as __kvmplayCreateRequire } from 'node:module';",
      "import { fileURLToPath as __kvmplayFileURLToPath } from 'node:url';",
      'const require = __kvmplayCreateRequire(import.meta.url);',
      'const __filename = __kvmplayFileURLToPath(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join(' '),
  },
  logLevel: 'warning',
  legalComments: 'none',
});
