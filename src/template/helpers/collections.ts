// `{{dict2items m}}` and `{{subelements list 'key'}}`: the logic lives in util/collections.ts, shared with the Jinja filters.
export { dict2items, subelements } from '../../util/collections.js';
