#!/usr/bin/python3
"""Instructions per request, counted by callgrind (bench/README.md, "Instructions per request").

Starts emuscim and emuscim-floor under `valgrind --tool=callgrind --instr-atstart=no`, seeds the
server with --users users through POST /Users, then for each kind of request: opens one keep-alive
connection, sends --warmup requests uninstrumented, zeroes the counters, switches instrumentation
on (`callgrind_control -i on`), sends --requests requests one after the other on that connection,
switches it off, dumps, and divides the dump's total Ir (user-space instructions of every thread
of the process) by the number of requests. Prints a table with the two targets (PASS/MISS):
/healthz <= 1.3x the floor, GET /Users/{id} <= 2x /healthz; --json FILE writes the same.

Loopback only; both processes are started here and stopped here, by pid.
"""

import argparse
import glob
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TOKEN = "emuscim-callgrind-token"
ENTERPRISE = "bench"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
KINDS = ["floor", "healthz", "get", "filter", "post"]
TITLES = {
    "floor": "GET /healthz on emuscim-floor",
    "healthz": "GET /healthz",
    "get": "GET /Users/{id}",
    "filter": 'GET /Users?filter=externalId eq "..."',
    "post": "POST /Users (durable)",
}
# Target: numerator kind, denominator kind, bound.
TARGETS = [("healthz", "floor", 1.3), ("get", "healthz", 2.0)]


def fail(msg):
    print("callgrind.py: " + msg, file=sys.stderr)
    sys.exit(1)


class Proc:
    """A process under callgrind whose output goes to a log file."""

    def __init__(self, name, argv, env, workdir, timeout):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.out_prefix = os.path.join(workdir, name + ".callgrind")
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + self.out_prefix] + argv
        self.log = open(self.log_path, "wb")
        self.p = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        self.port = self._wait_listening(timeout)

    def _wait_listening(self, timeout):
        deadline = time.time() + timeout
        pat = re.compile(rb"listening on http://127\.0\.0\.1:(\d+)")
        while time.time() < deadline:
            if self.p.poll() is not None:
                fail(f"{self.name} exited ({self.p.returncode}); log:\n" + self.tail())
            with open(self.log_path, "rb") as f:
                m = pat.search(f.read())
            if m:
                return int(m.group(1))
            time.sleep(0.05)
        self.stop()
        fail(f"{self.name} did not listen within {timeout} s; log:\n" + self.tail())

    def tail(self):
        with open(self.log_path, "rb") as f:
            return f.read()[-3000:].decode("utf-8", "replace")

    def control(self, *args):
        r = subprocess.run(["callgrind_control", *args, str(self.p.pid)], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"callgrind_control {' '.join(args)} {self.p.pid}: {r.stdout}{r.stderr}")

    def dumps(self):
        return set(glob.glob(self.out_prefix + ".*"))

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def total_ir(path):
    # "totals:" closes the dump; the "summary:" line of its header is not always filled in.
    found = {}
    with open(path) as f:
        for line in f:
            if line.startswith(("totals:", "summary:")):
                found[line.split(":")[0]] = int(line.split()[1])
    if "totals" in found:
        return found["totals"]
    if "summary" in found:
        return found["summary"]
    fail("no totals in " + path)


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"User-Agent": "emuscim-callgrind/1", "Accept": "application/scim+json"}

    def call(self, method, path, body=None, auth=True, expect=(200,)):
        h = dict(self.headers)
        if auth:
            h["Authorization"] = "Bearer " + TOKEN
        if body is not None:
            h["Content-Type"] = "application/scim+json"
        self.c.request(method, path, body=body, headers=h)
        r = self.c.getresponse()
        data = r.read()
        if r.status not in expect:
            fail(f"{method} {path}: HTTP {r.status}: {data[:300]!r}")
        if r.getheader("Connection", "").lower() == "close":
            fail(f"{method} {path}: the server closed the connection (keep-alive expected)")
        return r, data

    def close(self):
        self.c.close()


def user_body(name, ext):
    return json.dumps({"schemas": [USER_SCHEMA], "userName": name, "externalId": ext, "active": True,
                       "displayName": "User " + name,
                       "emails": [{"value": name + "@example.com", "type": "work", "primary": True}]})


def seed(port, base, n, conns=8):
    ids = [None] * n
    nxt = [0]
    lock = threading.Lock()
    errors = []

    def worker():
        c = Client(port)
        try:
            while True:
                with lock:
                    k = nxt[0]
                    nxt[0] += 1
                if k >= n:
                    return
                _, data = c.call("POST", base + "/Users", user_body(f"u{k}", f"ext-{k}"), expect=(201,))
                ids[k] = json.loads(data)["id"]
        except SystemExit as e:  # fail() in a thread
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors or any(i is None for i in ids):
        fail("seeding failed")
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--build", default=os.path.join(here, "..", "build"), help="build dir (default: ../build)")
    ap.add_argument("--server", help="emuscim binary (default: BUILD/emuscim)")
    ap.add_argument("--floor", help="emuscim-floor binary (default: BUILD/bench/emuscim-floor)")
    ap.add_argument("--users", type=int, default=2000, help="seeded users (default 2000)")
    ap.add_argument("--requests", type=int, default=1000, help="measured requests per kind (default 1000)")
    ap.add_argument("--warmup", type=int, default=200, help="uninstrumented requests first (default 200)")
    ap.add_argument("--threads", type=int, default=2, help="--threads of both servers (default 2, as the bench)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma list of " + ",".join(KINDS))
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (logs, callgrind dumps)")
    ap.add_argument("--startup-timeout", type=float, default=180)
    a = ap.parse_args()
    kinds = [k for k in a.kinds.split(",") if k]
    for k in kinds:
        if k not in KINDS:
            fail(f"unknown kind {k!r} (have {','.join(KINDS)})")
    server = a.server or os.path.join(a.build, "emuscim")
    floor = a.floor or os.path.join(a.build, "bench", "emuscim-floor")
    for exe in [server] + ([floor] if "floor" in kinds else []):
        if not os.access(exe, os.X_OK):
            fail(f"{exe} is not built (cmake --build build --target emuscim emuscim-floor)")
    for tool in ("valgrind", "callgrind_control"):
        if not shutil.which(tool):
            fail(f"{tool} is missing (Debian: apt-get install valgrind)")
    if a.requests < 1 or a.users < 1:
        fail("--requests and --users must be at least 1")

    work = tempfile.mkdtemp(prefix="emuscim-callgrind-")
    procs = []
    results = {}
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EMUSCIM_")}
        env.update({"EMUSCIM_ENTERPRISE": ENTERPRISE, "EMUSCIM_SHORT_CODE": ENTERPRISE, "EMUSCIM_TOKEN": TOKEN,
                    "EMUSCIM_LOG_LEVEL": os.environ.get("EMUSCIM_LOG_LEVEL", "info")})
        print(f"starting {server} under callgrind (instrumentation off) ...", flush=True)
        srv = Proc("emuscim", [server, "serve", "--listen", "127.0.0.1:0", "--db", os.path.join(work, "emuscim.db"),
                               "--threads", str(a.threads)], env, work, a.startup_timeout)
        procs.append(srv)
        base = "/scim/v2/enterprises/" + ENTERPRISE
        c = Client(srv.port)
        r, health_body = c.call("GET", "/healthz", auth=False)
        health_headers = [(k, v) for k, v in r.getheaders()
                          if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        c.close()

        flr = None
        if "floor" in kinds:
            argv = [floor, "--listen", "127.0.0.1:0", "--threads", str(a.threads), "--status", str(r.status),
                    "--body", health_body.decode()]
            for k, v in health_headers:
                argv += ["--header", f"{k}: {v}"]
            print(f"starting {floor} under callgrind with emuscim's /healthz answer "
                  f"({len(health_headers)} headers + Content-Length, {len(health_body)}-byte body) ...", flush=True)
            flr = Proc("floor", argv, os.environ.copy(), work, a.startup_timeout)
            procs.append(flr)

        ids = []
        if any(k in kinds for k in ("get", "filter", "post")):
            t0 = time.time()
            print(f"seeding {a.users} users ...", flush=True)
            ids = seed(srv.port, base, a.users)
            print(f"seeded in {time.time() - t0:.1f} s", flush=True)

        post_seq = [0]

        def request(kind, cl, i):
            k = (i * 7919) % max(1, len(ids))
            if kind in ("floor", "healthz"):
                cl.call("GET", "/healthz", auth=False)
            elif kind == "get":
                _, d = cl.call("GET", f"{base}/Users/{ids[k]}")
                if ids[k].encode() not in d:
                    fail("GET /Users/{id}: wrong user")
            elif kind == "filter":
                _, d = cl.call("GET", f"{base}/Users?filter=externalId%20eq%20%22ext-{k}%22")
                if ids[k].encode() not in d:
                    fail("filter: wrong user")
            elif kind == "post":
                post_seq[0] += 1
                n = post_seq[0]
                cl.call("POST", base + "/Users", user_body(f"p{n}", f"ext-p{n}"), expect=(201,))

        for kind in kinds:
            proc = flr if kind == "floor" else srv
            cl = Client(proc.port)
            for i in range(a.warmup):
                request(kind, cl, i)
            before = proc.dumps()
            proc.control("-z")
            proc.control("-i", "on")
            t0 = time.time()
            for i in range(a.requests):
                request(kind, cl, a.warmup + i)
            elapsed = time.time() - t0
            proc.control("-i", "off")
            proc.control("-d", kind)
            cl.close()
            new = sorted(proc.dumps() - before, key=os.path.getmtime)
            if not new:
                fail(f"no callgrind dump appeared for {kind}")
            ir = total_ir(new[-1])
            results[kind] = {"requests": a.requests, "ir": ir, "ir_per_request": ir / a.requests,
                             "seconds_under_callgrind": elapsed}
            print(f"  {kind:8s} {ir / a.requests:12,.0f} Ir/request  ({a.requests} requests, {ir:,} Ir)", flush=True)
    finally:
        for p in procs:
            p.stop()
        if a.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"Instructions per request (callgrind, user space, every thread; {a.users} users, "
          f"server --threads {a.threads}, one keep-alive connection, {a.warmup} warm-up + {a.requests} requests)")
    print(f"  {'request':40s} {'Ir/request':>12s}")
    for k in kinds:
        print(f"  {TITLES[k]:40s} {results[k]['ir_per_request']:12,.0f}")
    targets = []
    print("\nTargets")
    for num, den, bound in TARGETS:
        name = f"{TITLES[num]} <= {bound}x {TITLES[den]} (instructions)"
        if num in results and den in results:
            ratio = results[num]["ir_per_request"] / max(1.0, results[den]["ir_per_request"])
            status = "PASS" if ratio <= bound else "MISS"
            fig = f"{results[num]['ir_per_request']:,.0f} / {results[den]['ir_per_request']:,.0f} = {ratio:.2f}x"
        else:
            ratio, status, fig = None, "N/A", "not measured"
        targets.append({"name": name, "status": status, "figure": fig, "value": ratio, "threshold": bound})
        print(f"  {status:5s} {name}\n        {fig}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"tool": "emuscim-callgrind", "config": {"users": a.users, "requests": a.requests,
                                                              "warmup": a.warmup, "threads": a.threads},
                       "results": results, "targets": targets}, f, indent=2)
            f.write("\n")
        print("\nwrote " + a.json)


if __name__ == "__main__":
    main()
