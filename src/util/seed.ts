// Seeds for `mac` and `uuid` (Handlebars helpers and Jinja filters alike). Several arguments are joined with "/", so
// `{{mac inventory_hostname vm.name 0}}` and `{{mac "hv01/web01/0"}}` give the same
// address: an operator can recompute any MAC or UUID by hand. Host and libvirt
// domain names cannot contain "/", so distinct (host, vm, index) never share a seed.
// Changing this rule would change every MAC and UUID kvmplay ever rendered.

export function seedOf(parts: readonly unknown[]): string {
  if (parts.length === 0) throw new TypeError('needs a seed, e.g. inventory_hostname vm.name 0');
  return parts
    .map((part, i) => {
      const text = typeof part === 'string' ? part : typeof part === 'number' && Number.isFinite(part) ? String(part) : undefined;
      if (text === undefined) {
        throw new TypeError(`seed part ${i + 1} must be a string or a number, not ${part === null ? 'null' : Array.isArray(part) ? 'a list' : typeof part}`);
      }
      // An empty part (an empty variable) would let two VMs share an identity.
      if (text === '') throw new TypeError(`seed part ${i + 1} is empty`);
      return text;
    })
    .join('/');
}
