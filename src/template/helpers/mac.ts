// `{{mac inventory_hostname vm.name 0}}`: the address rule lives in util/mac.ts, shared with the Jinja `mac` filter.
export { mac, macFromSeed } from '../../util/mac.js';
