// `template` (SPEC 6): render a local Handlebars file with the host's variables, then
// exactly the copy path (content-writer.ts).
import { z } from 'zod';
import { absPath, boolish, fileArgs, validateArg } from '../args.js';
import { applyWrite, describeWrite, planWrite, probeContent, type ContentChange } from './content-writer.js';
import { parseMode } from './mode.js';
import type { RemoteFile } from './remote-file.js';
import { defineModule } from '../runner.js';

export const TemplateArgs = z
  .object({
    src: z.string().min(1),
    dest: absPath,
    ...fileArgs,
    backup: boolish.default(false),
    force: boolish.default(true),
    // Ansible's follow: write through a symlink at dest; false replaces the link itself.
    follow: boolish.default(false),
    validate: validateArg.optional(),
  })
  .strict();
export type TemplateArgs = z.infer<typeof TemplateArgs>;

export const templateModule = defineModule({
  names: ['template'],
  args: TemplateArgs,
  // Rendered first: a template that does not render sends nothing to the host.
  async gather(host, a, ctx): Promise<{ rendered: string; cur: RemoteFile }> {
    const rendered = await ctx.renderTemplateFile(a.src, { dest: a.dest });
    return { rendered: rendered.content, cur: await probeContent(host, a.dest, ctx, a.follow) };
  },
  plan: (a, s) =>
    planWrite({
      dest: a.dest,
      content: Buffer.from(s.rendered, 'utf8'),
      force: a.force,
      backup: a.backup,
      data: { src: a.src },
      ...(a.mode !== undefined ? { mode: parseMode(a.mode) } : {}),
      ...(a.owner !== undefined ? { owner: a.owner } : {}),
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.validate !== undefined ? { validate: a.validate } : {}),
    }, s.cur),
  describe: (c: ContentChange) => describeWrite(c),
  apply: (host, _a, c, ctx) => applyWrite(host, ctx, c),
});
