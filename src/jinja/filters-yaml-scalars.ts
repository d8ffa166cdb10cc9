// Scalar analysis for the YAML dumper (filters-yaml-dump.ts), as libyaml's emitter does it:
// which characters are printable, which break lines, and from that which styles (plain,
// single- or double-quoted) can carry a string without changing what it reads back as.

export interface Analysis {
  empty: boolean; multiline: boolean;
  flowPlain: boolean; blockPlain: boolean; singleQuoted: boolean;
}

// libyaml's character classes (yaml_private.h): IS_BREAK, IS_BLANKZ, IS_PRINTABLE.
export const isBreak = (ch: string | undefined): boolean => ch !== undefined && '\r\n\x85\u2028\u2029'.includes(ch);
const isBlankZ = (ch: string | undefined): boolean => ch === undefined || ch === ' ' || ch === '\t' || ch === '\0' || isBreak(ch);
export function isPrintable(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

/** yaml_emitter_analyze_scalar with unicode output allowed. */
export function analyze(cps: readonly string[]): Analysis {
  if (cps.length === 0) return { empty: true, multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true };
  let blockInd = false; let flowInd = false; let lineBreaks = false; let special = false;
  let leadSpace = false; let leadBreak = false; let trailSpace = false; let trailBreak = false;
  let breakSpace = false; let spaceBreak = false;
  const text = cps.join('');
  if (text.startsWith('---') || text.startsWith('...')) { blockInd = true; flowInd = true; }
  let preceded = true;
  let followed = isBlankZ(cps[1]);
  let prevSpace = false; let prevBreak = false;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) { flowInd = true; blockInd = true; }
      if ('?:'.includes(ch)) { flowInd = true; if (followed) blockInd = true; }
      if (ch === '-' && followed) { flowInd = true; blockInd = true; }
    } else {
      if (',?[]{}'.includes(ch)) flowInd = true;
      if (ch === ':') { flowInd = true; if (followed) blockInd = true; }
      if (ch === '#' && preceded) { flowInd = true; blockInd = true; }
    }
    if (!isPrintable(ch)) special = true;
    if (isBreak(ch)) lineBreaks = true;
    if (ch === ' ') {
      if (i === 0) leadSpace = true;
      if (i === cps.length - 1) trailSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true; prevBreak = false;
    } else if (isBreak(ch)) {
      if (i === 0) leadBreak = true;
      if (i === cps.length - 1) trailBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false; prevBreak = true;
    } else {
      prevSpace = false; prevBreak = false;
    }
    preceded = isBlankZ(ch);
    if (i + 1 < cps.length) followed = isBlankZ(cps[i + 2]);
  }
  let flowPlain = true; let blockPlain = true; let singleQuoted = true;
  if (leadSpace || leadBreak || trailSpace || trailBreak) { flowPlain = false; blockPlain = false; }
  if (breakSpace) { flowPlain = false; blockPlain = false; singleQuoted = false; }
  if (spaceBreak || special) { flowPlain = false; blockPlain = false; singleQuoted = false; }
  if (lineBreaks) { flowPlain = false; blockPlain = false; }
  if (flowInd) flowPlain = false;
  if (blockInd) blockPlain = false;
  return { empty: false, multiline: lineBreaks, flowPlain, blockPlain, singleQuoted };
}

export const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\0', '0'], ['\x07', 'a'], ['\x08', 'b'], ['\t', 't'], ['\n', 'n'], ['\v', 'v'], ['\f', 'f'], ['\r', 'r'],
  ['\x1b', 'e'], ['"', '"'], ['\\', '\\'], ['\x85', 'N'], ['\xa0', '_'], ['\u2028', 'L'], ['\u2029', 'P'],
]);
