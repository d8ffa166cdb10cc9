// Architecture lint: only structural rules (layers, import cycles), no style.
// Run with `npm run lint` (part of `npm test`).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// The layers of src/, top to bottom. Each folder may import itself, the
// folders on its line, src/errors.ts and src/util/, and nothing else.
// Dependencies point down: the engine (exec) drives modules and playbooks,
// modules drive a host through transport, and transport knows nothing of
// modules or the engine; output and lab stand alone. Type-only imports count
// here too (import-x/no-cycle skips them: scripts/check-cycles.mjs, also run by `npm run lint`, counts them). Test files (*.test.ts) under src/ follow their folder's line and may also
// import test/support/; no other file under src/ may import test/ or bench/.
const LAYERS = {
  cli:       ['exec', 'lab', 'output', 'playbook', 'inventory', 'modules', 'transport', 'template', 'jinja', 'data', 'vault'],
  exec:      ['modules', 'playbook', 'inventory', 'transport', 'output', 'template', 'jinja', 'data', 'vault'],
  playbook:  ['modules', 'inventory', 'template', 'jinja', 'data', 'vault'],
  modules:   ['transport', 'template', 'jinja', 'data', 'vault'],
  inventory: ['transport', 'data', 'vault'],
  output:    [],
  lab:       [],
  transport: [],
  template:  ['jinja', 'data'],
  jinja:     ['data'],
  data:      ['vault'],
  vault:     [],
  util:      [], // src/errors.ts only
};
const IMPORTABLE_BY_ALL = ['util', 'errors.ts'];
const WHY = 'layers point down (see LAYERS in eslint.config.js)';
const root = fileURLToPath(new URL('.', import.meta.url));

// A folder or file at the top of src/ that the table does not know would be
// importable by every layer: refuse to lint until it has a line.
for (const entry of readdirSync(`${root}src`, { withFileTypes: true })) {
  const known = entry.isDirectory() ? entry.name in LAYERS : !entry.name.endsWith('.ts') || IMPORTABLE_BY_ALL.includes(entry.name);
  if (!known) throw new Error(`eslint.config.js: src/${entry.name} is not in the LAYERS table`);
}

const layerZones = Object.entries(LAYERS).flatMap(([layer, allowed]) =>
  Object.keys(LAYERS)
    .filter((other) => other !== layer && !allowed.includes(other) && !IMPORTABLE_BY_ALL.includes(other))
    .map((other) => ({
      target: `src/${layer}`,
      from: `src/${other}`,
      message: `${layer} may not import ${other}: ${WHY}.`,
    })),
);
// src/errors.ts sits below util: it imports nothing from src/.
layerZones.push({
  target: 'src/errors.ts',
  from: 'src',
  except: ['./errors.ts'],
  message: `src/errors.ts imports nothing from src/: ${WHY}.`,
});

const noBench = { target: 'src', from: 'bench', message: 'nothing under src/ may import bench/.' };
const productZones = [
  { target: 'src', from: 'test', message: 'product code under src/ may not import test/ (test support is for *.test.ts).' },
  noBench,
];
const testZones = [
  { target: 'src', from: 'test', except: ['./support'], message: 'tests under src/ may import only test/support/ from test/.' },
  noBench,
];

export default defineConfig(
  { ignores: ['dist/', 'node_modules/'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}tsconfig.json` })],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: [...layerZones, ...productZones] }],
    },
  },
  {
    files: ['src/**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: [...layerZones, ...testZones] }],
    },
  },
);
