// The inventory (SPEC 3): Ansible-compatible YAML/INI inventories, group_vars/host_vars,
// variable precedence, host patterns, and each host's connection spec. Pure: no SSH.
export { loadInventory } from './load.js';
export { Inventory } from './inventory.js';
export { CONTROL_NAMES, matchHosts, splitHostPattern, type PatternTarget } from './patterns.js';
export { connectionFor, defaultConnectionEnv, parseJump, toBool as ansibleBool, type ConnectionEnv } from './connection.js';
export type { ConnectionSpec, JumpSpec } from '../transport/connection-spec.js';
export { UnsafeText, VaultText, sortKeysDeep, type Vars } from '../data/py-values.js';
export { INTERNAL_VARS } from './vars.js';
