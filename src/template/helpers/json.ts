// `{{json x}}`: compact JSON; `{{json x 2}}` or `{{json x indent=2}}` indents.
// In an XML or ifcfg template the JSON text is then escaped for that format like
// any other output.

export function toJson(value: unknown, indent?: unknown): string {
  let space: number | undefined;
  if (indent !== undefined) {
    if (typeof indent !== 'number' || !Number.isInteger(indent) || indent < 0 || indent > 10) {
      throw new RangeError(`indent must be a whole number from 0 to 10, not ${JSON.stringify(indent)}`);
    }
    space = indent === 0 ? undefined : indent;
  }
  const text: unknown = JSON.stringify(value, null, space);
  if (typeof text !== 'string') throw new TypeError(`cannot write ${typeof value} as JSON`);
  return text;
}
