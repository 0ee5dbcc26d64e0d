#!/usr/bin/env python3
"""Conformance test of the badssl tool itself (docs/badssl.md).

  badssl_test.py PATH/TO/badssl

--list and --list --json shape; --serve: ready line, manifest.json and ca.pem,
real handshakes (Python's ssl) with the verdicts the manifest states, hostile
clients (garbage, half-open connections, a flood past the per-endpoint bound)
closed by the server within its bounds while other endpoints keep serving,
clean shutdown on SIGTERM and SIGINT (exit 0: under ASan a leak fails it);
--check tlsharness agrees everywhere; --client-cmd substitutes its fields and
its exit status is the verdict. Every wait is bounded and event-driven (select
on the process's output or on a socket); no sleeps. Prints
`tests: N passed, N failed`.
"""
import json
import os
import resource
import shutil
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

BADSSL = os.path.abspath(sys.argv[1])
REQUIRED = """good expired not-yet-valid wrong-host self-signed untrusted-root incomplete-chain
revoked revoked-ocsp-stapled sha1-intermediate rsa1024 rsa8192 ecdsa-p256 ecdsa-p384 ed25519
no-san-cn-only wildcard wildcard-deep ip-san ip-san-ipv6 long-chain huge-certificate
name-constrained-violation bad-eku weak-sig-md5 tls1.0 tls1.1 tls1.2-only tls1.3-only
no-common-cipher rc4 3des null dh-1024 alpn-h2-only client-cert-required client-cert-optional
ocsp-stapled-good close-without-close-notify truncated-record stall-after-hello
garbage-after-hello renegotiate-request key-update-storm reset-mid-handshake slow-drip
oversized-record""".split()
PER_ENDPOINT = 64  # BS_MAX_CONN_PER_ENDPOINT
BOUND_S = 15       # longer than every server-side deadline that applies here

RESULTS = []


def test(fn):
    RESULTS.append(fn)
    return fn


def run(*args, timeout=120):
    return subprocess.run([BADSSL, *args], capture_output=True, text=True, timeout=timeout)


class Server:
    """badssl --serve in the background, stopped by a signal."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="badssl-test.")
        self.proc = subprocess.Popen([BADSSL, "--serve", "--out", self.dir],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        assert ready, "no ready line within 60 s"
        self.ready = self.proc.stdout.readline()
        assert self.ready.startswith("badssl: ready: "), self.ready
        with open(os.path.join(self.dir, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.ep = {e["id"]: e for e in self.manifest["endpoints"]}
        self.ca = os.path.join(self.dir, self.manifest["ca"])

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode, err


def tls(srv, ident, timeout=BOUND_S):
    """A verifying Python ssl client: the reply, or the exception."""
    e = srv.ep[ident]
    ctx = ssl.create_default_context(cafile=srv.ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection((e["address"], e["port"]), timeout=timeout) as s:
        with ctx.wrap_socket(s, server_hostname=e["host"]) as t:
            t.sendall(b"GET / HTTP/1.1\r\nHost: badssl\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = t.recv(4096)
                if not chunk:
                    return data
                data += chunk


def wait_closed(sock, bound=BOUND_S):
    """Reads until the server closes (EOF or reset); True when it did within bound."""
    end = time.monotonic() + bound
    poller = select.poll()  # select() cannot watch fds above 1023
    poller.register(sock, select.POLLIN)
    while time.monotonic() < end:
        if not poller.poll(max(0, end - time.monotonic()) * 1000):
            break
        try:
            if not sock.recv(65536):
                return True
        except ConnectionError:
            return True
    return False


# ---- --list ---------------------------------------------------------------------

@test
def list_text():
    p = run("--list")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:4] == ["ENDPOINT", "GROUP", "PORT", "WANT"], lines[0]
    ids = [l.split()[0] for l in lines[1:-1] if not l.startswith(" ")]
    assert ids == list(dict.fromkeys(ids)), "duplicate ids"
    assert set(REQUIRED) <= set(ids), set(REQUIRED) - set(ids)
    assert lines[-1].startswith("%d endpoints, " % len(ids)), lines[-1]


@test
def list_json_shape():
    p = run("--list", "--json")
    assert p.returncode == 0, p.stderr
    m = json.loads(p.stdout)
    assert m["tool"] == "tlsharness-badssl" and m["version"] == 1 and m["seed"] == 1
    assert m["ca"] == "ca.pem"
    ids = [e["id"] for e in m["endpoints"]]
    assert len(ids) == len(set(ids)) and set(REQUIRED) <= set(ids)
    for e in m["endpoints"]:
        for k, t in [("id", str), ("group", str), ("description", str), ("served", bool),
                     ("host", str), ("address", str), ("expected", str), ("reason", str),
                     ("ocsp_stapled", bool), ("quirks", dict)]:
            assert isinstance(e[k], t), (e["id"], k)
        assert e["group"] in ("certificate", "protocol", "behaviour"), e
        assert e["expected"] in ("ok", "fail"), e
        assert e["port"] is None, e  # --list does not listen
        assert e["served"] or e["not_served_reason"], e
        for client, q in e["quirks"].items():
            assert client in ("openssl", "curl", "gnutls-cli", "tlsharness"), client
            assert q["expected"] in ("ok", "fail") and q["reason"], q


@test
def seed_changes_nothing_but_keys():
    a, b = json.loads(run("--list", "--json").stdout), json.loads(
        run("--list", "--json", "--seed", "7").stdout)
    assert b["seed"] == 7
    assert [e["id"] for e in a["endpoints"]] == [e["id"] for e in b["endpoints"]]


@test
def bad_usage():
    for args in ([], ["--check"], ["--check", "netscape"], ["--serve", "--base-port", "70000"],
                 ["--list", "--seed", "-1"], ["--bogus"]):
        p = run(*args)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert "usage:" in p.stderr, args


# ---- --serve -----------------------------------------------------------------------

@test
def serve_manifest_and_verdicts():
    srv = Server()
    try:
        assert os.path.getsize(srv.ca) > 0
        served = [e for e in srv.manifest["endpoints"] if e["served"]]
        assert len(served) >= 40, len(served)
        ports = [e["port"] for e in served]
        assert all(isinstance(p, int) and p > 0 for p in ports), ports
        # 127.0.0.1:P and [::1]:P are different sockets: the kernel may hand an
        # IPv6 listener the port number an IPv4 one already has.
        addrs = [(e["address"], e["port"]) for e in served]
        assert len(set(addrs)) == len(addrs), addrs
        assert b"badssl good" in tls(srv, "good")
        for bad, err in [("expired", "certificate has expired"),
                         ("wrong-host", "Hostname mismatch"),
                         ("untrusted-root", "unable to get local issuer certificate")]:
            try:
                tls(srv, bad)
                raise AssertionError(bad + " connected")
            except ssl.SSLCertVerificationError as ex:
                assert err in str(ex), (bad, ex)
    finally:
        rc, err = srv.stop()
    assert rc == 0 and "badssl: stopped" in err, (rc, err)


@test
def hostile_clients_are_closed():
    srv = Server()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    socks = []
    try:
        good = srv.ep["good"]
        addr = (good["address"], good["port"])
        garbage = socket.create_connection(addr, timeout=5)
        garbage.sendall(os.urandom(2048))
        half = []
        for _ in range(PER_ENDPOINT):  # fill the endpoint with silent clients
            s = socket.create_connection(addr, timeout=5)
            half.append(s)
        flood = []
        for _ in range(1500 - PER_ENDPOINT):  # thousands of connections in all
            try:
                flood.append(socket.create_connection(addr, timeout=5))
            except OSError:
                break
        socks = [garbage] + half + flood
        assert wait_closed(garbage), "garbage client not closed"
        # Beyond the bound: closed at once (the first few may have been taken
        # while a half-open one was still being accepted).
        closed = sum(wait_closed(s) for s in flood[-100:])
        assert closed == 100, closed
        # Another endpoint keeps serving meanwhile.
        assert b"badssl tls1.3-only" in tls(srv, "tls1.3-only")
        # Half-open clients are closed by the handshake deadline.
        assert all(wait_closed(s) for s in half), "half-open client kept"
        # Once the flood is gone the endpoint serves again. Connections the
        # flood left in the listen queue are accepted (and found closed) in
        # batches, so a client may be refused a few times first: bounded retry.
        for s in socks:
            s.close()
        socks = []
        for attempt in range(50):
            try:
                assert b"badssl good" in tls(srv, "good")
                break
            except ConnectionError:
                pass
        else:
            raise AssertionError("good refused 50 times after the flood ended")
    finally:
        for s in socks:
            s.close()
        rc, err = srv.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert rc == 0, (rc, err)


@test
def stall_is_bounded():
    srv = Server()
    try:
        e = srv.ep["stall-after-hello"]
        ctx = ssl.create_default_context(cafile=srv.ca)
        t0 = time.monotonic()
        with socket.create_connection((e["address"], e["port"]), timeout=BOUND_S) as s:
            try:
                ctx.wrap_socket(s, server_hostname=e["host"])
                raise AssertionError("stall-after-hello completed a handshake")
            except (ssl.SSLError, ConnectionError, OSError) as ex:
                assert not isinstance(ex, socket.timeout), "server never closed"
        assert time.monotonic() - t0 < BOUND_S
    finally:
        rc, err = srv.stop(signal.SIGINT)
    assert rc == 0, (rc, err)


@test
def shutdown_closes_every_socket():
    srv = Server()
    ports = [(e["address"], e["port"]) for e in srv.manifest["endpoints"] if e["served"]]
    open_conn = socket.create_connection(ports[0], timeout=5)  # a client mid-handshake
    rc, err = srv.stop()
    assert rc == 0, (rc, err)
    assert wait_closed(open_conn, bound=5)
    open_conn.close()
    for a in ports:
        s = socket.socket(socket.AF_INET6 if ":" in a[0] else socket.AF_INET)
        try:
            assert s.connect_ex(a) != 0, "still listening on %s" % (a,)
        finally:
            s.close()


@test
def base_port_pins_ports():
    # Pick a free range: the ephemeral port of a probe socket, rounded down.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        base = (probe.getsockname()[1] // 100) * 100 - 1000
    p = run("--list", "--json", "--base-port", str(base))
    assert p.returncode == 0, p.stderr
    srv_dir = tempfile.mkdtemp(prefix="badssl-test.")
    proc = subprocess.Popen([BADSSL, "--serve", "--out", srv_dir, "--base-port", str(base)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        r, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if r else ""
        if not line.startswith("badssl: ready"):
            proc.wait(timeout=30)
            err = proc.stderr.read()
            assert "cannot listen" in err, err  # the range was taken: said clearly
            return
        m = json.load(open(os.path.join(srv_dir, "manifest.json")))
        for i, e in enumerate(m["endpoints"]):
            if e["served"]:
                assert e["port"] == base + i, e
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)
        shutil.rmtree(srv_dir, ignore_errors=True)
    assert proc.returncode == 0, proc.returncode


# ---- --check -------------------------------------------------------------------------

@test
def check_tlsharness_agrees():
    p = run("--check", "tlsharness", timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    last = p.stdout.splitlines()[-1]
    assert last.startswith("badssl --check tlsharness: "), last
    agree, total = last.split(": ")[1].split(" ")[0].split("/")
    assert agree == total and int(total) >= 40, last


@test
def check_client_cmd():
    fd, log = tempfile.mkstemp(prefix="badssl-cmd.")
    os.close(fd)
    tpl = 'printf "%%s %%s %%s\\n" {host} {addr} {port} >> %s && test -s {ca}' % log
    p = run("--check", "--client-cmd", tpl, "--jobs", "4", timeout=300)
    # Every run exits 0 ("ok"), so the fail-expected endpoints disagree.
    assert p.returncode == 1, p.stdout + p.stderr
    rows = [l.split() for l in p.stdout.splitlines()[1:-1]]
    assert all(r[2] in ("ok", "-") for r in rows), rows
    assert any(r[1] == "fail" and r[3] == "NO" for r in rows)
    lines = open(log).read().splitlines()
    os.unlink(log)
    served = sum(1 for r in rows if r[2] != "-")
    assert len(lines) == served, (len(lines), served)
    for l in lines:
        host, addr, port = l.split()
        assert host and addr in ("127.0.0.1", "::1") and int(port) > 0, l


def main():
    passed = failed = 0
    for fn in RESULTS:
        t0 = time.monotonic()
        try:
            fn()
            passed += 1
            print("PASS %s (%.1f s)" % (fn.__name__, time.monotonic() - t0), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__, flush=True)
            traceback.print_exc()
    print("tests: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
