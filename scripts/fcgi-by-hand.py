#!/usr/bin/env python3
"""A unit's ExecStart run by hand the way systemd runs it (scripts/check-units-by-hand).

  fcgi-by-hand.py serve SOCK SOCKUSER SOCKGROUP MODE USER -- CMD...
      a unix socket as a .socket unit makes it, passed on fd 0 (StandardInput=socket,
      Accept=no); CMD exec'd as USER with systemd's User= environment and MSKANBAN_LISTEN=
  fcgi-by-hand.py run USER -- CMD...      CMD exec'd as USER (systemd's User= environment)
  fcgi-by-hand.py get SOCK AS_USER PATH   one FastCGI GET through SOCK, as AS_USER: prints
                                          the status and the start of the body
"""
import grp, os, pwd, socket, struct, sys


def drop(user):
    pw = pwd.getpwnam(user)
    os.initgroups(user, pw.pw_gid)
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)
    return pw


def serve(argv):
    path, suser, sgroup, mode, user = argv[:5]
    cmd = argv[argv.index('--') + 1:]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chown(path, pwd.getpwnam(suser).pw_uid, grp.getgrnam(sgroup).gr_gid)
    os.chmod(path, int(mode, 8))
    s.listen(128)
    os.dup2(s.fileno(), 0)
    pw = drop(user)
    env = {'PATH': '/usr/local/bin:/usr/bin:/bin', 'HOME': pw.pw_dir, 'USER': user, 'LOGNAME': user,
           'SHELL': pw.pw_shell, 'MSKANBAN_LISTEN': ''}
    os.execve(cmd[0], cmd, env)


def rec(t, rid, body):
    return struct.pack('>BBHHBx', 1, t, rid, len(body), 0) + body


def nv(k, v):
    k, v = k.encode(), v.encode()
    return bytes([len(k)]) + bytes([len(v)]) + k + v if len(v) < 128 else \
        bytes([len(k)]) + struct.pack('>I', len(v) | 0x80000000) + k + v


def get(argv):
    path, user, uri = argv[:3]
    drop(user)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError as e:
        print('connect:', e.strerror)
        return 2
    params = b''.join(nv(k, v) for k, v in {
        'REQUEST_METHOD': 'GET', 'REQUEST_URI': uri, 'SCRIPT_NAME': uri.split('?')[0], 'QUERY_STRING': '',
        'SERVER_PROTOCOL': 'HTTP/1.1', 'REMOTE_ADDR': '127.0.0.1', 'SERVER_NAME': 'localhost',
        'SERVER_PORT': '80', 'CONTENT_LENGTH': '', 'REQUEST_ID': 'deploycheck'}.items())
    s.sendall(rec(1, 1, struct.pack('>HB5x', 1, 0)) + rec(4, 1, params) + rec(4, 1, b'') + rec(5, 1, b''))
    out = b''
    buf = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 8:
            _, t, _, n, pad = struct.unpack('>BBHHBx', buf[:8])
            if len(buf) < 8 + n + pad:
                break
            if t == 6:
                out += buf[8:8 + n]
            buf = buf[8 + n + pad:]
            if t == 3:
                head = out.split(b'\r\n\r\n', 1)[0].decode()
                status = [l for l in head.split('\r\n') if l.lower().startswith('status:')]
                print(status[0] if status else 'Status: 200', '|', out.split(b'\r\n\r\n', 1)[-1][:200].decode())
                return 0
    print('no end of request')
    return 1


def run(argv):
    user = argv[0]
    cmd = argv[argv.index('--') + 1:]
    pw = drop(user)
    env = {'PATH': '/usr/local/bin:/usr/bin:/bin', 'HOME': pw.pw_dir, 'USER': user, 'LOGNAME': user,
           'SHELL': pw.pw_shell}
    os.execve(cmd[0], cmd, env)


if __name__ == '__main__':
    sys.exit({'serve': serve, 'get': get, 'run': run}[sys.argv[1]](sys.argv[2:]))
