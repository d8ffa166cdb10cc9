export {
  DOMAIN_STATES, VirshParseError, isDomainState, parseDomInfo, parseDomState, parseDomainList,
  parseKeyValues, parseNetInfo, parseNetworkList, parseTable, parseUuid, parseVncDisplay,
} from './parse.js';
export type {
  DomInfo, DomState, DomainListEntry, DomainState, NetInfo, NetworkListEntry, Table, VncDisplay,
} from './parse.js';
export { VirshError, classifyVirshError, virshFailureText } from './classify.js';
export type { VirshFailure, VirshFailureKind } from './classify.js';
export { POOL_STATES, parsePoolInfo } from './pool-info.js';
export type { PoolInfo, PoolState } from './pool-info.js';
export { parseDhcpLeases } from './dhcp-leases.js';
export type { DhcpLease } from './dhcp-leases.js';
