// `{{libvirt_conf v}}`: a value written in the syntax of libvirt's own config files
// (qemu.conf, libvirtd.conf; libvirt's virconf parser): a string in double quotes
// (single quotes when it holds a double quote), a whole number as it is, a boolean
// as 1 or 0, a list as `[ "a", "b" ]` (`[ ]` when empty). virconf has no escapes
// inside strings and no line continuation in values: a string with both kinds of
// quote, or with a newline, cannot be written and is refused, as are maps,
// fractions and null.

function scalar(v: unknown, where: string): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`libvirt_conf: ${where}${v} is not a whole number (libvirt config values are integers)`);
    return String(v);
  }
  if (typeof v === 'string') {
    if (/[\r\n]/.test(v)) throw new RangeError(`libvirt_conf: ${where}${JSON.stringify(v)} has a newline, which libvirt config strings cannot hold`);
    if (!v.includes('"')) return `"${v}"`;
    if (!v.includes("'")) return `'${v}'`;
    throw new RangeError(`libvirt_conf: ${where}${JSON.stringify(v)} has both ' and ", which libvirt config strings cannot hold together`);
  }
  const kind = v === null ? 'null' : v === undefined ? 'undefined' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'map' : typeof v;
  throw new TypeError(`libvirt_conf: ${where}a ${kind} cannot be written in a libvirt config file (use a string, a whole number, a boolean or a list of them)`);
}

export function libvirtConf(v: unknown): string {
  if (!Array.isArray(v)) return scalar(v, '');
  if (v.length === 0) return '[ ]';
  return `[ ${v.map((x, i) => scalar(x, `list element ${i}: `)).join(', ')} ]`;
}
