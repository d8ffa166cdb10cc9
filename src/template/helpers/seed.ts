// Seeds for `mac` and `uuid`: the rule lives in util/seed.ts, shared with the Jinja filters.
export { seedOf } from '../../util/seed.js';
