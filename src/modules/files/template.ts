// `template` (SPEC 6): render a local Handlebars file with the host's variables, then
// exactly the copy path (content-writer.ts).
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { absPath, boolish, modeArg, ownerArg } from '../args.js';
import { writeContent } from './content-writer.js';
import { parseMode } from './mode.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../module.js';

const TemplateArgs = z
  .object({
    src: z.string().min(1),
    dest: absPath,
    mode: modeArg.optional(),
    owner: ownerArg.optional(),
    group: ownerArg.optional(),
    backup: boolish.default(false),
    force: boolish.default(true),
    validate: z.string().refine((v) => v.includes('%s'), { message: 'must contain %s (the file to check)' }).optional(),
  })
  .strict();
export type TemplateArgs = z.infer<typeof TemplateArgs>;

export const templateModule: LegacyModule<TemplateArgs> = {
  name: 'template',
  args: TemplateArgs,
  async run(host: Host, a: TemplateArgs, ctx: ModuleContext): Promise<ModuleResult> {
    let rendered: { path: string; content: string };
    try {
      rendered = await ctx.renderTemplateFile(a.src);
    } catch (err) {
      return { changed: false, failed: true, msg: err instanceof Error ? err.message : String(err) };
    }
    return writeContent(host, ctx, {
      dest: a.dest,
      content: Buffer.from(rendered.content, 'utf8'),
      force: a.force,
      backup: a.backup,
      data: { src: a.src },
      ...(a.mode !== undefined ? { mode: parseMode(a.mode) } : {}),
      ...(a.owner !== undefined ? { owner: a.owner } : {}),
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.validate !== undefined ? { validate: a.validate } : {}),
    });
  },
};
