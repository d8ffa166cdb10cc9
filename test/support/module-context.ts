// A ModuleContext for unit tests: local files and templates come from a map.
import type { RunModuleContext } from '../../src/modules/module.js';

export function fakeContext(over: Partial<RunModuleContext> & { files?: Record<string, string> } = {}): RunModuleContext {
  const { files = {}, ...rest } = over;
  const local = (src: string): string => {
    const text = files[src];
    if (text === undefined) throw new Error(`no such local file: ${src}`);
    return text;
  };
  return {
    hostName: 'fake',
    check: false,
    diff: false,
    become: false,
    signal: new AbortController().signal,
    vars: {},
    readLocalFile: async (src) => ({ path: `/local/${src}`, content: Buffer.from(local(src)) }),
    renderTemplateFile: async (src) => ({ path: `/local/${src}`, content: local(src) }),
    ...rest,
  };
}
