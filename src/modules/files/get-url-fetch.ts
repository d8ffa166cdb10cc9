// What get_url runs on the host: one Python script (python3, as Ansible's get_url needs
// Python there too) that does what ansible-core's fetch_url does with urllib — the same
// handlers, headers, error messages and status codes — so a download behaves as
// Ansible's does: credentials from the task or the URL (basic auth on a 401, or at once
// with force_basic_auth, or from ~/.netrc), proxies from the environment unless
// use_proxy is false, If-Modified-Since from an existing dest, `cache-control: no-cache`
// with force, gzip content-encoding undone. The request (with any password) comes on
// stdin as JSON, never in the argv; the answer is one JSON line on stdout.
//   probe: the dest (what it is, its hashes) and the body of a checksum URL;
//   fetch: the download into a private temporary file, and what the final path is.

/** What the script says about a path (Python's lstat, and hashes of what it points to). */
export interface PathInfo {
  kind: 'absent' | 'file' | 'directory' | 'link' | 'other';
  /** os.path.exists: a broken link does not exist. */
  exists: boolean;
  /** os.path.isdir (follows a link). */
  isdir: boolean;
  parent: 'directory' | 'absent' | 'other';
  mode?: number;
  uid?: number;
  gid?: number;
  owner?: string | null;
  group?: string | null;
  size?: number;
  mtime?: number;
  target?: string;
  /** sha1, sha256, md5 (absent under FIPS) and the checksum's algorithm, of a readable regular file. */
  sums?: Record<string, string>;
}

/** fetch_url's outcome: the status (null for file:// URLs), its message, the final URL. */
export interface FetchInfo {
  status: number | null;
  msg: string;
  url?: string;
  elapsed: number;
  /** Set when the request did not end in a usable response. */
  fail?: string;
  response?: string;
}

export interface ProbeAnswer {
  dest: PathInfo;
  umask: number;
  /** The checksum URL's body, when asked for. */
  checksum?: FetchInfo & { text?: string };
}

export interface FetchAnswer extends FetchInfo {
  /** The temporary file with the body. */
  tmp?: string;
  sums?: Record<string, string>;
  size?: number;
  /** The path the file goes to: dest, or the server's (or the URL's) file name in a directory dest. */
  final?: string;
  finalInfo?: PathInfo;
  umask?: number;
}

/** What the script needs besides the URL: the task's request arguments. */
export interface RequestOptions {
  headers: Record<string, string>;
  username?: string;
  password?: string;
  force_basic_auth: boolean;
  use_netrc: boolean;
  use_proxy: boolean;
  validate_certs: boolean;
  ciphers?: string[];
  client_cert?: string;
  client_key?: string;
  http_agent: string;
  timeout: number;
  unredirected_headers: string[];
  decompress: boolean;
}

export interface ProbeRequest extends RequestOptions {
  dest: string;
  algo: string | null;
  checksum_url: string | null;
  force: boolean;
}

export interface FetchRequest extends RequestOptions {
  url: string;
  dest: string;
  dest_is_dir: boolean;
  algo: string | null;
  tmp_dest: string | null;
  /** dest's mtime for If-Modified-Since (only when not forced). */
  ims: number | null;
  force: boolean;
}

export const FETCH_PY = String.raw`
import sys, os, json, hashlib, stat, time, tempfile, re, ssl, netrc, gzip, base64, pwd, grp, socket, shutil
import urllib.request as U, urllib.error as E, urllib.parse as P, http.client as H
from email.utils import formatdate

def name_of(f, i):
    try:
        return f(i)[0]
    except Exception:
        return None

def hashes(path, algo):
    hs = {'sha1': hashlib.sha1(), 'sha256': hashlib.sha256()}
    try:
        hs['md5'] = hashlib.md5()
    except ValueError:
        pass
    if algo and algo not in hs:
        hs[algo] = hashlib.new(algo)
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(65536), b''):
            for h in hs.values():
                h.update(b)
    return dict((k, h.hexdigest()) for k, h in hs.items())

def describe(path, algo):
    d = {'kind': 'absent'}
    try:
        st = os.lstat(path)
    except OSError:
        st = None
    if st is not None:
        m = st.st_mode
        kind = 'link' if stat.S_ISLNK(m) else 'directory' if stat.S_ISDIR(m) else 'file' if stat.S_ISREG(m) else 'other'
        d = {'kind': kind, 'mode': stat.S_IMODE(m), 'uid': st.st_uid, 'gid': st.st_gid, 'size': st.st_size,
             'mtime': st.st_mtime, 'owner': name_of(pwd.getpwuid, st.st_uid), 'group': name_of(grp.getgrgid, st.st_gid)}
        if kind == 'link':
            d['target'] = os.readlink(path)
    d['exists'] = os.path.exists(path)
    d['isdir'] = os.path.isdir(path)
    if os.path.isfile(path) and os.access(path, os.R_OK):
        d['sums'] = hashes(path, algo)
    parent = os.path.dirname(path) or '/'
    d['parent'] = 'directory' if os.path.isdir(parent) else 'other' if os.path.lexists(parent) else 'absent'
    return d

def basic(user, pw):
    return 'Basic %s' % base64.b64encode(('%s:%s' % (user, pw or '')).encode()).decode()

def open_url(o, url, method, ims, force):
    handlers = []
    headers = dict(o['headers'])
    parsed = P.urlparse(url)
    if parsed.scheme != 'ftp':
        user, pw = o.get('username'), o.get('password')
        netloc = parsed.netloc
        if not user and '@' in parsed.netloc:
            cred, netloc = parsed.netloc.split('@', 1)
            user, pw = cred.split(':', 1) if ':' in cred else (cred, '')
            url = P.urlunparse(parsed._replace(netloc=netloc))
        if user and not o['force_basic_auth']:
            pm = U.HTTPPasswordMgrWithDefaultRealm()
            pm.add_password(None, netloc, user, pw or '')
            handlers += [U.HTTPBasicAuthHandler(pm), U.HTTPDigestAuthHandler(pm)]
        elif user:
            headers['Authorization'] = basic(user, pw)
        elif o['use_netrc']:
            try:
                login = netrc.netrc(os.environ.get('NETRC')).authenticators(parsed.hostname)
            except Exception:
                login = None
            if login and login[0] and login[2]:
                headers['Authorization'] = basic(login[0], login[2])
    if not o['use_proxy']:
        handlers.append(U.ProxyHandler({}))
    ctx = ssl.create_default_context()
    if o.get('ciphers'):
        ctx.set_ciphers(':'.join(o['ciphers']))
    if not o['validate_certs']:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if o.get('client_cert'):
        ctx.load_cert_chain(o['client_cert'], o.get('client_key'))
    handlers.append(U.HTTPSHandler(context=ctx))
    opener = U.build_opener(*handlers)
    req = U.Request(url, method=method)
    if o['http_agent']:
        req.add_header('User-agent', o['http_agent'])
    if force:
        req.add_header('cache-control', 'no-cache')
    elif ims is not None:
        req.add_header('If-Modified-Since', formatdate(int(ims), usegmt=True))
    unred = [h.lower() for h in o['unredirected_headers']]
    for k, v in headers.items():
        if k.lower() in unred:
            req.add_unredirected_header(k, v)
        else:
            req.add_header(k, v)
    r = opener.open(req, None, o['timeout'])
    body = r
    if o['decompress'] and (r.headers.get('content-encoding') or '').lower() == 'gzip':
        body = gzip.GzipFile(fileobj=r)
    return r, body

def fetch(o, url, method, ims, force):
    info = {'status': -1, 'url': url}
    r = body = None
    try:
        r, body = open_url(o, url, method, ims, force)
        info['disposition'] = r.headers.get('content-disposition')
        info.update(msg='OK (%s bytes)' % r.headers.get('Content-Length', 'unknown'), url=r.geturl(), status=r.code)
    except ValueError as e:
        info['fatal'] = str(e)
    except E.HTTPError as e:
        info.update(msg=str(e), status=e.code)
    except E.URLError as e:
        info.update(msg='Request failed: %s' % e, status=int(getattr(e, 'code', -1)))
    except socket.error as e:
        info.update(msg='Connection failure: %s' % e)
    except H.BadStatusLine as e:
        info.update(msg='Connection failure: connection was closed before a valid response was received: %s' % e.line)
    except Exception as e:
        info.update(msg='An unknown error occurred: %s' % e)
    return r, body, info

def url_get(o, url, method, ims, force, start):
    r, body, info = fetch(o, url, method, ims, force)
    out = {'status': info['status'], 'msg': info.get('msg', ''), 'url': info['url'], 'disposition': info.get('disposition')}
    out['elapsed'] = int(time.time() - start)
    if 'fatal' in info:
        out['fail'] = info['fatal']
    elif info['status'] == 304:
        pass
    elif info['status'] == -1:
        out['fail'] = info['msg']
    elif info['status'] != 200 and not url.startswith('file:/') and not (url.startswith('ftp:/') and info.get('msg', '').startswith('OK')):
        out['fail'] = 'Request failed'
        out['response'] = info['msg']
    return r, body, out

def probe(o):
    out = {'dest': describe(o['dest'], o['algo'])}
    if o['checksum_url']:
        r, body, info = url_get(o, o['checksum_url'], 'GET', None, o['force'], time.time())
        if body is not None and 'fail' not in info and info['status'] != 304:
            info['text'] = body.read().decode('utf-8', 'replace')
        out['checksum'] = info
    return out

def get(o):
    start = time.time()
    tmp_dest = o['tmp_dest']
    r, body, out = url_get(o, o['url'], 'GET', o['ims'], o['force'], start)
    if 'fail' in out or out['status'] == 304:
        return out
    if tmp_dest and not os.path.isdir(tmp_dest):
        out['fail'] = ('%s is a file but should be a directory.' if os.path.exists(tmp_dest) else '%s directory does not exist.') % tmp_dest
        return out
    fd, tmp = tempfile.mkstemp(dir=tmp_dest or None, prefix='kvmplay-get_url-')
    try:
        with os.fdopen(fd, 'wb') as f:
            shutil.copyfileobj(body, f)
    except Exception as e:
        os.remove(tmp)
        out['fail'] = 'failed to create temporary content file: %s' % e
        return out
    r.close()
    out['elapsed'] = int(time.time() - start)
    out['tmp'] = tmp
    out['sums'] = hashes(tmp, o['algo'])
    out['size'] = os.path.getsize(tmp)
    final = o['dest']
    if o['dest_is_dir']:
        name = None
        m = re.match('attachment; ?filename="?([^"]+)', out.get('disposition') or '')
        if m:
            name = os.path.basename(m.group(1))
        if not name:
            name = os.path.basename(P.urlsplit(out['url'])[2]) or 'index.html'
        final = os.path.join(final, name)
    out['final'] = final
    out['finalInfo'] = describe(final, o['algo'])
    return out

o = json.load(sys.stdin)
mask = os.umask(0)
os.umask(mask)
res = probe(o) if sys.argv[1] == 'probe' else get(o)
res['umask'] = mask
res.pop('disposition', None)
print(json.dumps(res))
`;

/** The argv that runs the script (`python3 -c`); the request goes on stdin. */
export function fetchArgv(mode: 'probe' | 'fetch'): string[] {
  return ['sh', '-c', 'command -v python3 >/dev/null || { echo "get_url needs python3 on the host (it downloads with Python\'s urllib, as Ansible\'s get_url does)" >&2; exit 127; }; exec python3 -c "$1" "$2"', 'kvmplay', FETCH_PY, mode];
}

/** The script's JSON answer; throws with what it printed when that is not one. */
export function parseAnswer<T>(stdout: string, stderr: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const v: unknown = JSON.parse(line);
    if (v !== null && typeof v === 'object') return v as T;
  } catch {
    // falls through to the error below
  }
  throw new Error(`unexpected answer from the download script: ${(stderr.trim() || stdout.trim()).slice(-2000)}`);
}
