// Output of the escaping helpers (`xml`, `shq`; `json`, a JSON literal): text
// already escaped for one syntax. Writing it into a template of that syntax must not escape it a second
// time (`&amp;amp;`, `''\''…'\'''`); written anywhere else it is ordinary text and
// gets that format's escaping, so `{{shq x}}` in an XML file is still XML-safe.

export type SafeSyntax = 'xml' | 'shell' | 'json';

export class SafeText {
  constructor(
    readonly text: string,
    readonly syntax: SafeSyntax,
  ) {}

  toString(): string {
    return this.text;
  }
}

/** Helpers receive plain strings: a SafeText argument is unwrapped to its text. */
export function unwrapSafe(value: unknown): unknown {
  return value instanceof SafeText ? value.text : value;
}
