// `{{uuid inventory_hostname vm.name}}`: the UUID rule lives in util/uuid.ts, shared with the Jinja `uuid` filter.
export { KVMPLAY_UUID_NAMESPACE, uuid, uuidFromSeed, uuidV5 } from '../../util/uuid.js';
