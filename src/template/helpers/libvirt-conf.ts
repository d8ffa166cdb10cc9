// `{{libvirt_conf v}}`: the syntax lives in util/libvirt-conf.ts, shared with the Jinja `libvirt_conf` filter.
export { libvirtConf } from '../../util/libvirt-conf.js';
