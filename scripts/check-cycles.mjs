// Import cycles in src/, type-only imports included (ESLint's import-x/no-cycle skips
// those, and a type cycle still ties two files together). Tarjan's strongly connected
// components over the import graph TypeScript resolves. Exit 1 on any cycle.
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(import.meta.url)('typescript');
const config = ts.getParsedCommandLineOfConfigFile(resolve(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const src = resolve(root, 'src') + '/';
const files = config.fileNames.filter((f) => f.startsWith(src));

const graph = new Map();
for (const file of files) {
  const imports = ts.preProcessFile(ts.sys.readFile(file), true, true).importedFiles;
  graph.set(file, imports.flatMap((i) => {
    const m = ts.resolveModuleName(i.fileName, file, config.options, ts.sys).resolvedModule;
    return m && !m.isExternalLibraryImport && m.resolvedFileName.startsWith(src) ? [m.resolvedFileName] : [];
  }));
}

let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(v) {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) !== index.get(v)) return;
  const component = [];
  let w;
  do { w = stack.pop(); onStack.delete(w); component.push(w); } while (w !== v);
  if (component.length > 1) cycles.push(component);
}
for (const v of graph.keys()) if (!index.has(v)) visit(v);

for (const c of cycles) console.error(`import cycle (type imports included): ${c.map((f) => relative(root, f)).join(' ⇄ ')}`);
if (cycles.length > 0) process.exit(1);
