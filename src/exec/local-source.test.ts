import assert from 'node:assert/strict';
import { templateFormat } from './local-source.js';

describe('the output format of a template file', () => {
  const table: Array<[string, string | undefined, string]> = [
    ['templates/ifcfg-bridge.hbs', '/etc/sysconfig/network-scripts/ifcfg-br0', 'ifcfg'],
    ['templates/domain.xml.hbs', '/srv/out.txt', 'xml'],
    ['templates/site.conf.hbs', '/etc/sysconfig/network-scripts/ifcfg-br0', 'ifcfg'],
    ['templates/run.hbs', '/usr/local/bin/start.sh', 'shell'],
    ['templates/motd.hbs', '/etc/motd', 'text'],
    ['templates/motd.hbs', undefined, 'text'],
  ];
  for (const [src, dest, format] of table) {
    it(`is ${format} for ${src} written to ${dest ?? '(no dest)'}: its own name first, else where it goes`, () => {
      assert.equal(templateFormat(src, dest), format);
    });
  }
});
