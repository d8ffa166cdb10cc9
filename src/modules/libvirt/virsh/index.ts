export {
  DOMAIN_STATES, VirshParseError, isDomainState, parseDomInfo, parseDomState, parseDomainList,
  parseKeyValues, parseNetInfo, parseNetworkList, parseTable, parseUuid, parseVncDisplay,
} from './parse.js';
export type {
  DomInfo, DomState, DomainListEntry, DomainState, NetInfo, NetworkListEntry, Table, VncDisplay,
} from './parse.js';
export { VirshError, classifyVirshError, virshFailureText } from './classify.js';
export type { VirshFailure, VirshFailureKind } from './classify.js';
