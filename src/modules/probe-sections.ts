// One-round-trip probes (facts, the bridge module's gather) print several
// commands' outputs in one stream, each after a marker line; this splits them.

/**
 * Shell function `sec NAME` printing a section's marker line. The leading newline
 * keeps the marker on a line of its own when the previous output had no final
 * newline; splitting ignores the blank line it leaves otherwise.
 */
export const SECTION_FN = `sec() { printf '\\n--kvmplay:%s--\\n' "$1"; }`;

/** The marker line `sec NAME` prints (for tests that build a probe's output). */
export function sectionMarker(name: string): string {
  return `--kvmplay:${name}--`;
}

/** Probe output → section name → its text (lines between its marker and the next). */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  let name = '';
  let lines: string[] = [];
  const flush = (): void => {
    if (name) out.set(name, lines.join('\n'));
  };
  for (const line of stdout.split('\n')) {
    const m = /^--kvmplay:([a-z0-9-]+)--$/.exec(line);
    if (m) {
      flush();
      name = m[1]!;
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}
