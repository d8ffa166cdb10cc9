// `{{kib vm.memory}}`: the size conversion lives in util/kib.ts, shared with the Jinja `kib` filter.
export { kib } from '../../util/kib.js';
