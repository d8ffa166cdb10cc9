// Ansible's engine-level modules (debug, assert, fail) take a `msg` of any type — a
// list, a map — and register it as given, while a kvmplay result's `msg` is text.
// One rule for all of them: text stays text, anything else is shown as JSON, and
// the value itself rides along as `data.msg` for whoever registers the result.

/** The value as a result message: strings as they are, other values as JSON. */
export function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** The message text, and `{ msg: value }` as result data when the value is not text. */
export function messageOf(value: unknown): { text: string; data: Record<string, unknown> } {
  return { text: messageText(value), data: typeof value === 'string' ? {} : { msg: value } };
}
