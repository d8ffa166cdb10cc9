import assert from 'node:assert/strict';
import { renderString } from '../value.js';
import { libvirtConf } from './libvirt-conf.js';

describe('libvirt_conf helper', () => {
  it('writes values in libvirt config syntax', () => {
    assert.equal(libvirtConf([]), '[ ]');
    assert.equal(libvirtConf(['mount']), '[ "mount" ]');
    assert.equal(libvirtConf(['cpu', 'devices']), '[ "cpu", "devices" ]');
    assert.equal(libvirtConf('libvirt-qemu'), '"libvirt-qemu"');
    assert.equal(libvirtConf(''), '""');
    assert.equal(libvirtConf('say "hi"'), `'say "hi"'`);
    assert.equal(libvirtConf(5900), '5900');
    assert.equal(libvirtConf(-1), '-1');
    assert.equal(libvirtConf(true), '1');
    assert.equal(libvirtConf(false), '0');
  });

  it('refuses what libvirt config files cannot hold', () => {
    assert.throws(() => libvirtConf(`it's "x"`), /both ' and "/);
    assert.throws(() => libvirtConf('a\nb'), /newline/);
    assert.throws(() => libvirtConf(1.5), /not a whole number/);
    assert.throws(() => libvirtConf({ a: 1 }), /a map cannot be written/);
    assert.throws(() => libvirtConf(null), /a null cannot be written/);
    assert.throws(() => libvirtConf([['x']]), /list element 0: a list cannot be written/);
  });

  it('renders a qemu.conf line from a task argument', () => {
    const vars = { item: { key: 'namespaces', value: [] } };
    assert.equal(renderString('{{item.key}} = {{libvirt_conf item.value}}', vars, { name: 't' }), 'namespaces = [ ]');
    assert.equal(renderString('{{item.key}} = {{libvirt_conf item.value}}', { item: { key: 'security_driver', value: 'none' } }, { name: 't' }), 'security_driver = "none"');
  });
});
