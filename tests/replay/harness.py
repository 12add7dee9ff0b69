"""Shared pieces of the replay scenarios: a real gateway process on 127.0.0.1, queues made
with bcp-replay itself, and readers for the gateway's arrival log."""
import json, os, shutil, signal, subprocess, sys, tempfile, time

BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/bin"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


_workdirs = []


def finish():
    if failures:
        # Kept for the post-mortem: the queue file and the gateway's arrival log.
        for d in _workdirs:
            print(f"work files kept in {d}")
    else:
        for d in _workdirs:
            shutil.rmtree(d, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


class Gateway:
    def __init__(self, work, latency_ms=0, faults=None, require_auth=None, extra=()):
        self.log = os.path.join(work, f"gateway-{time.monotonic_ns()}.log")
        port_file = self.log + ".port"
        args = [os.path.join(BIN, "bcp-test-gateway"), "--port-file", port_file, "--log", self.log,
                "--latency-ms", str(latency_ms), "--lifetime", "240"]
        if require_auth:
            args += ["--require-auth", require_auth]
        args += list(extra)
        if faults:
            fpath = self.log + ".faults"
            with open(fpath, "w") as f:
                f.write(faults)
            args += ["--faults", fpath]
        self.proc = subprocess.Popen(args)
        for _ in range(200):
            if os.path.exists(port_file):
                break
            time.sleep(0.01)
        self.port = int(open(port_file).read())
        self.url = f"http://127.0.0.1:{self.port}/declarations"

    def arrivals(self):
        """[(seconds, key)] in arrival order."""
        out = []
        if os.path.exists(self.log):
            for line in open(self.log):
                ns, key, _conn, _status = line.split()
                out.append((int(ns) / 1e9, key))
        return out

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def replay(*args, queue, stdin=None, timeout=120, env=None):
    cmd = [os.path.join(BIN, "bcp-replay"), *args, "--queue", queue]
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout,
                       env=env or os.environ)
    return r


def enqueue(queue, keys, country="NL", system="DMS"):
    lines = "".join(json.dumps({"lrn": k, "country": country, "system": system,
                                "prepared_at": "2025-12-07T09:00:00+01:00",
                                "goods": [{"hs": "84713000"}]}) + "\n" for k in keys)
    r = replay("enqueue", queue=queue, stdin=lines)
    assert r.returncode == 0, r.stderr
    return r


def states(queue):
    r = replay("list", queue=queue)
    return {m["key"]: m for m in map(json.loads, r.stdout.splitlines())}


def max_window(times, width=1.0):
    best, lo = 0, 0
    for hi in range(len(times)):
        while times[hi] - times[lo] >= width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def check_cap_at_gateway(g, summary, cap, floor, seconds, note=""):
    """The checks of a timed run as the gateway saw it: no one-second window above `cap`,
    at least `floor` of the cap achieved, the run's length, the runner's own count, no key
    twice. Prints the figures (with `note` first) and returns the arrival times."""
    arrivals = g.arrivals()
    times = sorted(t for t, _ in arrivals)
    window = max_window(times)
    span = times[-1] - times[0]
    rate = (len(times) - 1) / span
    print(f"{note}arrivals {len(times)} over {span:.2f} s: {rate:.1f}/s, busiest one-second window "
          f"{window}, runner's window {summary['max_window']}, dispatch jitter up to "
          f"{summary['max_jitter_ms']} ms")
    check(window <= cap, f"no one-second window at the gateway holds more than {cap} (max {window})")
    check(rate >= floor * cap, f"achieved rate at least {floor:.0%} of {cap}/s (got {rate:.1f}/s)")
    check(span >= seconds - 1, f"the run lasted the {seconds} seconds (arrivals over {span:.1f} s)")
    check(summary["max_window"] <= cap, "the runner's own count agrees")
    check(len({k for _, k in arrivals}) == len(times), "no key arrived twice")
    return times


def workdir():
    """A scratch directory, removed by finish() when every check passed."""
    d = tempfile.mkdtemp(prefix="bcp-replay-test-")
    _workdirs.append(d)
    return d
