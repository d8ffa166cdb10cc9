// The `bridge` module's live side, pure (STYLE 2): the kernel's state as `ip -j`
// and `bridge -j` print it → a typed LiveState; wanted bridge + LiveState → the
// `ip` argvs that make it so; the same state → the argvs that put it back (the
// rollback). `simulate` applies argvs to a LiveState, so plans are checked by
// planning again on the result (nothing left to do) and --diff can show the state
// after without touching the host.
import type { AddressMode, BridgeArgs } from './bridge-spec.js';
import { addressMode } from './bridge-spec.js';

export interface LinkState {
  name: string;
  up: boolean;
  /** linkinfo.info_kind: `bridge`, `veth`, … null for plain devices. */
  kind: string | null;
  master: string | null;
  mac: string | null;
  /** Bridges only: 0 off, 1/2 on (kernel/user STP). */
  stp: number | null;
  /** Bridges only: centiseconds, as the kernel keeps it. */
  forwardDelay: number | null;
}

export interface AddrState {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}

export interface RouteState {
  family: 'inet' | 'inet6';
  dst: string;
  gateway: string | null;
  dev: string;
  protocol: string | null;
  scope: string | null;
  prefsrc: string | null;
  metric: number | null;
}

export interface LiveState {
  links: Map<string, LinkState>;
  addrs: Map<string, AddrState[]>;
  routes: RouteState[];
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function jsonArray(text: string, what: string): Json[] {
  let v: unknown;
  try {
    v = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (err) {
    throw new Error(`cannot read the output of ${what} (iproute2 with JSON output, ip -j, is needed): ${text.slice(0, 200)}`, { cause: err });
  }
  if (!Array.isArray(v)) throw new Error(`unexpected output of ${what}: ${text.slice(0, 200)}`);
  return v.filter((x): x is Json => typeof x === 'object' && x !== null);
}

/** `ip -d -j link show`, `ip -j addr show`, `ip -j -4|-6 route show`. */
export function parseLiveState(linkJson: string, addrJson: string, route4Json: string, route6Json: string): LiveState {
  const links = new Map<string, LinkState>();
  for (const l of jsonArray(linkJson, 'ip -d -j link show')) {
    const name = str(l['ifname']);
    if (name === null) continue;
    const info = (l['linkinfo'] ?? {}) as Json;
    const data = (info['info_data'] ?? {}) as Json;
    const kind = str(info['info_kind']);
    const flags = Array.isArray(l['flags']) ? (l['flags'] as unknown[]) : [];
    links.set(name, {
      name,
      up: flags.includes('UP'),
      kind,
      master: str(l['master']),
      mac: str(l['address']),
      stp: kind === 'bridge' ? num(data['stp_state']) : null,
      forwardDelay: kind === 'bridge' ? num(data['forward_delay']) : null,
    });
  }
  const addrs = new Map<string, AddrState[]>();
  for (const a of jsonArray(addrJson, 'ip -j addr show')) {
    const name = str(a['ifname']);
    if (name === null) continue;
    const list: AddrState[] = [];
    for (const i of Array.isArray(a['addr_info']) ? (a['addr_info'] as Json[]) : []) {
      const family = str(i['family']);
      const local = str(i['local']);
      const prefixlen = num(i['prefixlen']);
      if ((family === 'inet' || family === 'inet6') && local !== null && prefixlen !== null) list.push({ family, local, prefixlen, scope: str(i['scope']) ?? 'global' });
    }
    addrs.set(name, list);
  }
  const routes: RouteState[] = [];
  for (const [family, text] of [['inet', route4Json], ['inet6', route6Json]] as const) {
    for (const r of jsonArray(text, `ip -j ${family === 'inet' ? '-4' : '-6'} route show`)) {
      const dst = str(r['dst']);
      const dev = str(r['dev']);
      if (dst === null || dev === null || str(r['type']) !== null && str(r['type']) !== 'unicast') continue;
      routes.push({ family, dst, gateway: str(r['gateway']), dev, protocol: str(r['protocol']), scope: str(r['scope']), prefsrc: str(r['prefsrc']), metric: num(r['metric']) });
    }
  }
  return { links, addrs, routes };
}

/** Addresses `ip addr flush scope global` would remove: not link-local, not host (lo). */
export function globalAddrs(state: LiveState, dev: string): AddrState[] {
  return (state.addrs.get(dev) ?? []).filter((a) => a.scope === 'global');
}

const cidrOf = (a: AddrState): string => `${a.local}/${a.prefixlen}`;

/** Routes someone configured (not the prefix routes the kernel makes for an address). */
function movableRoutes(state: LiveState, devs: readonly string[]): RouteState[] {
  return state.routes.filter((r) => devs.includes(r.dev) && r.protocol !== 'kernel' && !(r.family === 'inet6' && r.dst.startsWith('fe80:')));
}

export function routeArgv(r: RouteState, dev = r.dev): string[] {
  return [
    ...(r.family === 'inet6' ? ['-6'] : []),
    'route', 'replace', r.dst,
    ...(r.gateway !== null ? ['via', r.gateway] : []),
    'dev', dev,
    ...(r.protocol !== null && r.protocol !== 'boot' ? ['proto', r.protocol] : []),
    ...(r.scope !== null && r.scope !== 'global' && r.scope !== 'universe' ? ['scope', r.scope] : []),
    ...(r.prefsrc !== null ? ['src', r.prefsrc] : []),
    ...(r.metric !== null ? ['metric', String(r.metric)] : []),
  ];
}

export type LivePlan = { kind: 'fail'; msg: string } | { kind: 'ok'; commands: string[][] };

// A new bridge's kernel defaults.
const NEW_BRIDGE = { stp: 0, forwardDelay: 1500 };

export interface PlanLiveOptions {
  /**
   * The forward delay only matters while STP runs (without STP a port forwards at
   * once): with STP off on both sides, a different delay is not a change.
   * NetworkManager applies `forward-delay` only with `stp=true`, so the kernel
   * keeps its 15 s default under an `nm-keyfile` bridge with STP off.
   */
  delayOnlyWithStp?: boolean;
}

/** Wanted bridge vs the kernel's state → `ip` argvs (without the leading `ip`). */
export function planLive(a: BridgeArgs, state: LiveState, opts: PlanLiveOptions = {}): LivePlan {
  const fail = (msg: string): LivePlan => ({ kind: 'fail', msg });
  const br = state.links.get(a.name);
  if (br && br.kind !== 'bridge') return fail(`${a.name} exists and is not a bridge (it is ${br.kind ?? 'a plain device'})`);
  for (const p of a.ports) {
    const l = state.links.get(p);
    if (!l) return fail(`port ${p} does not exist on the host`);
    if (l.kind === 'bridge') return fail(`port ${p} is itself a bridge`);
  }
  const mode: AddressMode = addressMode(a);
  const portAddrs = a.ports.flatMap((p) => globalAddrs(state, p).map((x) => ({ dev: p, addr: x })));
  if (mode.kind === 'none' && portAddrs.length > 0) {
    return fail(`${portAddrs.map((x) => `${x.dev} carries ${cidrOf(x.addr)}`).join(', ')}: give ${a.name} an address (or dhcp) to move it to, or remove it first`);
  }
  const cmds: string[][] = [];
  const link = (...args: string[]): void => void cmds.push(['link', ...args]);
  if (!br) {
    link('add', 'name', a.name, 'type', 'bridge');
    // The first port's MAC: neighbours' ARP caches stay right (a bridge picks a port MAC anyway).
    const mac = a.ports.map((p) => state.links.get(p)?.mac).find((m) => m);
    if (mac) link('set', 'dev', a.name, 'address', mac);
  }
  const stp = br?.stp ?? NEW_BRIDGE.stp;
  const fd = br?.forwardDelay ?? NEW_BRIDGE.forwardDelay;
  const wantStp = a.stp ? 1 : 0;
  const wantFd = a.delay * 100;
  // The kernel checks the delay against STP's 2-30 s range while STP runs: turn STP
  // off before a short delay, set a long delay before turning STP on.
  const stpCmd = (): void => link('set', 'dev', a.name, 'type', 'bridge', 'stp_state', String(wantStp));
  const fdCmd = (): void => link('set', 'dev', a.name, 'type', 'bridge', 'forward_delay', String(wantFd));
  if ((stp === 0) !== (wantStp === 0) && wantStp === 0) stpCmd();
  const delayMatters = !opts.delayOnlyWithStp || wantStp !== 0 || stp !== 0;
  if (fd !== wantFd && delayMatters) fdCmd();
  if ((stp === 0) !== (wantStp === 0) && wantStp !== 0) stpCmd();
  for (const p of a.ports) {
    const l = state.links.get(p);
    if (l?.master !== a.name) link('set', 'dev', p, 'master', a.name);
    if (!l?.up) link('set', 'dev', p, 'up');
  }
  if (!br?.up) link('set', 'dev', a.name, 'up');

  // Addresses: off the ports, onto the bridge, as close together as possible.
  const onBridge = br ? globalAddrs(state, a.name) : [];
  const want: AddrState[] = mode.kind === 'static'
    ? [{ family: 'inet', local: mode.cidr.address, prefixlen: mode.cidr.prefix, scope: 'global' }, ...portAddrs.map((x) => x.addr).filter((x) => x.family === 'inet6')]
    : portAddrs.map((x) => x.addr);
  for (const x of portAddrs) cmds.push(['addr', 'del', cidrOf(x.addr), 'dev', x.dev]);
  if (mode.kind === 'static') {
    // A static bridge address replaces other IPv4 addresses on the bridge (a wrong prefix included).
    for (const x of onBridge) if (x.family === 'inet' && !(x.local === mode.cidr.address && x.prefixlen === mode.cidr.prefix)) cmds.push(['addr', 'del', cidrOf(x), 'dev', a.name]);
  }
  for (const x of want) if (!onBridge.some((y) => y.local === x.local && y.prefixlen === x.prefixlen)) cmds.push(['addr', 'add', cidrOf(x), 'dev', a.name]);

  // Routes through a port move to the bridge (deleting a port's last address drops them).
  for (const r of movableRoutes(state, a.ports)) cmds.push(routeArgv(r, a.name));
  if (a.gateway !== undefined) {
    const has = state.routes.some((r) => r.family === 'inet' && r.dst === 'default' && r.gateway === a.gateway && r.dev === a.name);
    const moved = movableRoutes(state, a.ports).some((r) => r.family === 'inet' && r.dst === 'default' && r.gateway === a.gateway);
    if (!has && !moved) cmds.push(['route', 'replace', 'default', 'via', a.gateway, 'dev', a.name]);
  }
  return { kind: 'ok', commands: cmds };
}

/** The devices a bridge change touches: the bridge and its ports. */
export function involvedDevices(a: BridgeArgs): string[] {
  return [a.name, ...a.ports];
}

/**
 * The argvs that put the involved devices back as `before` had them: ports back to
 * their old master (or none), a bridge that did not exist deleted, addresses and
 * the routes through them re-added, links up or down as they were.
 */
export function planRestore(a: BridgeArgs, before: LiveState): string[][] {
  const cmds: string[][] = [];
  const br = before.links.get(a.name);
  for (const p of a.ports) {
    const l = before.links.get(p);
    if (!l) continue;
    cmds.push(['link', 'set', 'dev', p, ...(l.master !== null ? ['master', l.master] : ['nomaster'])]);
  }
  if (!br) cmds.push(['link', 'del', 'dev', a.name]);
  else {
    cmds.push(['link', 'set', 'dev', a.name, 'type', 'bridge', 'stp_state', '0']);
    if (br.forwardDelay !== null) cmds.push(['link', 'set', 'dev', a.name, 'type', 'bridge', 'forward_delay', String(br.forwardDelay)]);
    if (br.stp !== null && br.stp !== 0) cmds.push(['link', 'set', 'dev', a.name, 'type', 'bridge', 'stp_state', String(br.stp)]);
  }
  const devs = involvedDevices(a).filter((d) => before.links.has(d));
  for (const d of devs) {
    cmds.push(['addr', 'flush', 'dev', d, 'scope', 'global']);
    for (const x of globalAddrs(before, d)) cmds.push(['addr', 'add', cidrOf(x), 'dev', d]);
    cmds.push(['link', 'set', 'dev', d, before.links.get(d)?.up ? 'up' : 'down']);
  }
  for (const r of movableRoutes(before, devs)) cmds.push(routeArgv(r));
  return cmds;
}

function cloneState(s: LiveState): LiveState {
  return {
    links: new Map([...s.links].map(([k, v]) => [k, { ...v }])),
    addrs: new Map([...s.addrs].map(([k, v]) => [k, v.map((x) => ({ ...x }))])),
    routes: s.routes.map((r) => ({ ...r })),
  };
}

/** The state after `ip` ran these argvs (the subset planLive/planRestore emit). */
export function simulate(state: LiveState, cmds: readonly string[][]): LiveState {
  const s = cloneState(state);
  const arg = (c: readonly string[], key: string): string => c[c.indexOf(key) + 1] ?? '';
  for (const full of cmds) {
    const v6 = full[0] === '-6';
    const c = v6 ? full.slice(1) : full;
    const [obj, verb] = c;
    if (obj === 'link' && verb === 'add') {
      const name = arg(c, 'name');
      s.links.set(name, { name, up: false, kind: arg(c, 'type'), master: null, mac: null, ...NEW_BRIDGE });
      s.addrs.set(name, []);
    } else if (obj === 'link' && verb === 'del') {
      const name = arg(c, 'dev');
      s.links.delete(name);
      s.addrs.delete(name);
      s.routes = s.routes.filter((r) => r.dev !== name);
      for (const l of s.links.values()) if (l.master === name) l.master = null;
    } else if (obj === 'link' && verb === 'set') {
      const l = s.links.get(arg(c, 'dev'));
      if (!l) continue;
      if (c.includes('up')) l.up = true;
      if (c.includes('down')) l.up = false;
      if (c.includes('master')) l.master = arg(c, 'master');
      if (c.includes('nomaster')) l.master = null;
      if (c.includes('address')) l.mac = arg(c, 'address');
      if (c.includes('stp_state')) l.stp = Number(arg(c, 'stp_state'));
      if (c.includes('forward_delay')) l.forwardDelay = Number(arg(c, 'forward_delay'));
    } else if (obj === 'addr') {
      const dev = arg(c, 'dev');
      const list = s.addrs.get(dev) ?? [];
      if (verb === 'flush') {
        const gone = list.filter((x) => x.scope === 'global');
        s.addrs.set(dev, list.filter((x) => x.scope !== 'global'));
        if (gone.some((x) => x.family === 'inet') && !list.some((x) => x.family === 'inet' && x.scope !== 'global')) s.routes = s.routes.filter((r) => !(r.dev === dev && r.family === 'inet'));
      } else {
        const [local = '', p = ''] = (c[2] ?? '').split('/');
        const family = local.includes(':') ? 'inet6' : 'inet';
        const rest = list.filter((x) => !(x.local === local && x.prefixlen === Number(p)));
        if (verb === 'add') rest.push({ family, local, prefixlen: Number(p), scope: 'global' });
        s.addrs.set(dev, rest);
        // The kernel drops a device's IPv4 routes with its last IPv4 address.
        if (verb === 'del' && family === 'inet' && !rest.some((x) => x.family === 'inet')) s.routes = s.routes.filter((r) => !(r.dev === dev && r.family === 'inet'));
      }
    } else if (obj === 'route' && verb === 'replace') {
      const r: RouteState = {
        family: v6 ? 'inet6' : 'inet',
        dst: c[2] ?? '',
        gateway: c.includes('via') ? arg(c, 'via') : null,
        dev: arg(c, 'dev'),
        protocol: c.includes('proto') ? arg(c, 'proto') : 'boot',
        scope: c.includes('scope') ? arg(c, 'scope') : null,
        prefsrc: c.includes('src') ? arg(c, 'src') : null,
        metric: c.includes('metric') ? Number(arg(c, 'metric')) : null,
      };
      s.routes = [...s.routes.filter((x) => !(x.family === r.family && x.dst === r.dst && x.metric === r.metric)), r];
    }
  }
  return s;
}

/** One line per involved device and route, for --diff of the live state. */
export function describeLive(state: LiveState, devs: readonly string[]): string {
  const lines: string[] = [];
  for (const d of devs) {
    const l = state.links.get(d);
    if (!l) { lines.push(`${d}: absent`); continue; }
    const parts = [l.kind ?? 'device', l.up ? 'up' : 'down'];
    if (l.kind === 'bridge') parts.push(`stp ${l.stp ? 'on' : 'off'}`, `forward_delay ${(l.forwardDelay ?? 0) / 100}s`);
    if (l.master !== null) parts.push(`master ${l.master}`);
    const addrs = globalAddrs(state, d).map(cidrOf);
    parts.push(`addresses ${addrs.length > 0 ? addrs.join(' ') : '-'}`);
    lines.push(`${d}: ${parts.join(', ')}`);
  }
  for (const r of movableRoutes(state, devs)) lines.push(`route ${routeArgv(r).filter((w) => w !== 'replace' && w !== 'route').join(' ')}`);
  return `${lines.join('\n')}\n`;
}
