/**
 * The same probe as node-probe.ts for images that ship Python but no node — Stigmer's real
 * agent-runner is a Python image. Same input (targets as JSON in argv[1]) and output (results as
 * JSON on stdout); the contract test runs both against the same sockets.
 */
export const PYTHON_PROBE_PROGRAM = String.raw`
import json, os, socket, sys, time, http.client, ssl, errno
from concurrent.futures import ThreadPoolExecutor

def code_of(error):
    if isinstance(error, socket.timeout): return 'ETIMEDOUT'
    if isinstance(error, socket.gaierror): return 'ENOTFOUND' if error.errno in (socket.EAI_NONAME, getattr(socket, 'EAI_NODATA', -5)) else 'EAI_AGAIN'
    if isinstance(error, OSError) and error.errno in errno.errorcode: return errno.errorcode[error.errno]
    return 'ERROR'

def probe_write(target, started):
    path = '%s/.stigmer-write-check-%d-%d-%s' % (target['path'], os.getpid(), int(time.time() * 1000), os.urandom(4).hex())
    result = {'id': target['id']}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b'ok')
        os.close(fd)
        os.unlink(path)
        result['ok'] = True
    except Exception as error:
        result.update(ok=False, code=code_of(error), message=str(error) or type(error).__name__)
    result['ms'] = int((time.monotonic() - started) * 1000)
    return result

def probe_read(target, started):
    result = {'id': target['id']}
    try:
        with open(target['path'], 'r', encoding='utf-8', errors='replace') as handle:
            result.update(ok=True, body=handle.read(4096))
    except Exception as error:
        result.update(ok=False, code=code_of(error), message=str(error) or type(error).__name__)
    result['ms'] = int((time.monotonic() - started) * 1000)
    return result

def id_of(path, name, field):
    if name.isdigit(): return int(name)
    with open(path) as handle:
        for line in handle:
            parts = line.rstrip('\n').split(':')
            if parts[0] == name: return int(parts[field])
    return None

def probe_claim(target, started):
    result = {'id': target['id']}
    try:
        if target.get('marker') is not None:
            seen = None
            marker = os.path.join(target['path'], target['marker'])
            if os.path.exists(marker):
                with open(marker, encoding='utf-8', errors='replace') as handle: seen = handle.read()
            if seen != target.get('expect'):
                result.update(ok=False, code='ENOENT', message='marker not seen')
                result['ms'] = int((time.monotonic() - started) * 1000)
                return result
        user, _, group = (target.get('user') or '0').partition(':')
        uid = id_of('/etc/passwd', user, 2)
        gid = None
        if group: gid = id_of('/etc/group', group, 2)
        else:
            with open('/etc/passwd') as handle:
                for line in handle:
                    parts = line.rstrip('\n').split(':')
                    if len(parts) > 3 and (parts[0] == user or parts[2] == user): gid = int(parts[3]); break
            if gid is None: gid = 0
        if uid is None: result.update(ok=False, code='ENOUSER', message='no user %s in /etc/passwd' % user)
        elif gid is None: result.update(ok=False, code='ENOGROUP', message='no group %s in /etc/group' % group)
        else:
            os.chown(target['path'], uid, gid)
            os.chmod(target['path'], (os.stat(target['path']).st_mode & 0o7777) | 0o700)
            result.update(ok=True, body='%d %d' % (uid, gid))
    except Exception as error:
        result.update(ok=False, code=code_of(error), message=str(error) or type(error).__name__)
    result['ms'] = int((time.monotonic() - started) * 1000)
    return result

def probe(target):
    started = time.monotonic()
    if target['kind'] == 'write': return probe_write(target, started)
    if target['kind'] == 'read': return probe_read(target, started)
    if target['kind'] == 'claim': return probe_claim(target, started)
    result = {'id': target['id']}
    timeout = target['timeoutMs'] / 1000.0
    sock = None
    try:
        sock = socket.create_connection((target['host'], target['port']), timeout=timeout)
        peer = sock.getpeername()
        result['address'] = '%s:%s' % (peer[0], peer[1])
        if target['kind'] == 'http':
            from urllib.parse import urlsplit
            url = urlsplit(target['url'])
            if url.scheme == 'https':
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=url.hostname)
            conn = http.client.HTTPConnection(target['host'], target['port'], timeout=timeout)
            conn.sock = sock
            path = (url.path or '/') + ('?' + url.query if url.query else '')
            conn.request('GET', path, headers={'Host': target.get('hostHeader') or url.netloc, 'Accept': 'application/json'})
            response = conn.getresponse()
            result['status'] = response.status
            result['body'] = response.read(65536).decode('utf-8', 'replace')
        result['ok'] = True
    except Exception as error:
        result.update(ok=False, code=code_of(error), message=str(error) or type(error).__name__)
    finally:
        if sock is not None: sock.close()
    result['ms'] = int((time.monotonic() - started) * 1000)
    return result

targets = json.loads(sys.argv[1])
with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
    sys.stdout.write(json.dumps(list(pool.map(probe, targets))))
`;
