// Bundles the compiled CLI (dist/src/cli/main.js) into one CommonJS file,
// dist/bundle/kvmplay.cjs, that bin/kvmplay.js compiles with a V8 code cache (issue 16).
// Why CommonJS: Node 20 keeps no compile cache for ES modules, and compiling the
// 3 MB of JavaScript kvmplay loads took about 80 ms of every start; a script compiled
// through node:vm can be given the bytecode a previous start produced. Lazily imported
// parts (each command, each module) stay lazy: esbuild runs their top level on first use.
//
// The file holds a module body in Node's wrapper form, `(function (exports, require,
// module, __filename, __dirname) { … })`, so the loader compiles the text as it was
// read (no second copy of 3 MB in memory), after a first line naming this build:
// `// kvmplay build <hash of the code>`. The loader keys its cache by that hash, since
// V8 itself checks only the source's length before trusting cached bytecode.
//
// Native add-ons stay outside: ssh2's crypto binding is required from the installed
// package, cpu-features as it is.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');

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

/**
 * zod re-exports every error-message locale as `z.locales` (360 KB, half of zod's
 * share of the bundle); kvmplay uses only English, which zod loads by itself. An
 * empty namespace in their place spares every start the rest.
 */
const zodLocalesLeftOut = {
  name: 'zod-locales-left-out',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/zod/') ? { path: 'zod-locales', namespace: 'left-out' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [entry],
  bundle: true,
  write: false,
  outfile: join(outdir, 'kvmplay.cjs'),
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['cpu-features'],
  plugins: [nativeBindings, zodLocalesLeftOut],
  // Three files find things next to themselves through import.meta.url (kvmplay's
  // install folder, their CommonJS dependencies): in the bundle, next to the bundle.
  define: { 'import.meta.url': '__kvmplayBundleUrl' },
  banner: { js: "const __kvmplayBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
});
const code = result.outputFiles[0].text;
const hash = createHash('sha256').update(code).digest('hex').slice(0, 20);
mkdirSync(outdir, { recursive: true });
writeFileSync(
  join(outdir, 'kvmplay.cjs'),
  `// kvmplay build ${hash}\n(function (exports, require, module, __filename, __dirname) {${code}\n})`,
);
