"""One cap for every runner of a PostgreSQL queue, as the gateway sees it (a real server from
Debian's packages, started here on 127.0.0.1):
  rate and clock skew: 4 runners at --rate 400 for 20 s, one of them on a host whose clock is
              5 s ahead (faketime): no one-second window above 400, at least 97%, and the
              runner ahead takes its share like the others;
  join/leave: 2 runners, 6 more join (8 on one queue), then one stops: the cap holds and the
  rate recovers."""
import json, os, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from harness import *
import pgserver

pg = pgserver.Server()
env = pg.env()
sanitized = bool(os.environ.get("BCP_SANITIZED"))
cmd = [os.path.join(BIN, "bcp-replay"), "run", "--queue", pg.url]


def fill(n):
    pg.reset()
    lines = "".join(json.dumps({"lrn": f"P{i:06d}", "country": "NL", "system": "DMS"}) + "\n"
                    for i in range(n))
    r = replay("enqueue", queue=pg.url, stdin=lines, env=env)
    check(r.returncode == 0, f"{n} messages enqueued in PostgreSQL ({r.stderr.strip()})")


def start(g, seconds, prefix=()):
    return subprocess.Popen([*prefix, *cmd, "--sink", g.url, "--rate", "400", "--max-seconds",
                             str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def summaries(procs):
    out = []
    for p in procs:
        so, se = p.communicate(timeout=120)
        check(p.returncode == 5 and "verdict" not in se, f"a runner stopped by --max-seconds with messages left: exit 5 "
                                 f"(got {p.returncode}: {se.strip()[:200]})")
        out.append(json.loads(so))
    return out


def gateway_figures(g, cap):
    arrivals = g.arrivals()
    times = sorted(t for t, _ in arrivals)
    keys = [k for _, k in arrivals]
    check(len(keys) == len(set(keys)), f"no key arrived twice ({len(keys)} arrivals)")
    return times, max_window(times), (len(times) - 1) / (times[-1] - times[0])


work = workdir()
try:
    # --- rate: 4 runners, 20 s ---------------------------------------------------------------
    fill(10000)
    g = Gateway(work, latency_ms=20)
    # The host's wall clock 5 s ahead (what differs between hosts); its monotonic clock, which
    # no other host ever sees, left alone.
    procs = [start(g, 20) for _ in range(3)]
    procs.append(start(g, 20, prefix=("env", "FAKETIME_DONT_FAKE_MONOTONIC=1", "faketime", "-f",
                                      "+5s")))
    time.sleep(3)
    st = json.loads(replay("status", queue=pg.url, env=env).stdout)
    shares = [r["share"] for r in st["runners"]]
    print("shares after 3 s:", shares)
    check(len(shares) == 4 and abs(sum(shares) - 400) < 1,
          f"status shows 4 runners whose shares add up to the cap ({shares})")
    check(all(90 <= s <= 110 for s in shares), "each runner holds about a quarter of the cap")
    sums = summaries(procs)
    g.stop()
    times, window, rate = gateway_figures(g, 400)
    floor = 0.94 if sanitized else 0.97
    print(f"rate: {len(times)} arrivals over {times[-1] - times[0]:.2f} s: {rate:.1f}/s, busiest "
          f"one-second window {window}, runners {[s['sent'] for s in sums]}")
    check(window <= 400, f"4 runners: no one-second window at the gateway above 400 (max {window})")
    check(rate >= floor * 400, f"4 runners together reach {floor:.0%} of 400/s (got {rate:.1f}/s)")
    check(all(s["sent"] > 1500 for s in sums), "every runner sent its part, the one 5 s ahead too")

    # --- join and leave ------------------------------------------------------------------------
    fill(6000)
    g = Gateway(work, latency_ms=20)
    t0 = time.time()
    procs = [start(g, 12) for _ in range(2)]
    time.sleep(3)
    # Six join: eight runners on one queue, the most the issue asks the queue to serve.
    procs += [start(g, 9) for _ in range(6)]
    time.sleep(3)
    st = json.loads(replay("status", queue=pg.url, env=env).stdout)
    shares = [r["share"] for r in st["runners"]]
    print("shares with 8 runners:", shares)
    check(len(shares) == 8 and sum(shares) <= 400 + 1e-6 and sum(shares) >= 390,
          f"status shows 8 runners sharing the cap ({shares})")
    procs[0].send_signal(signal.SIGTERM)  # leaves: finishes what is in flight, gives back
    left_at = time.time() - t0
    for p in procs:
        p.communicate(timeout=120)
    g.stop()
    times, window, rate = gateway_figures(g, 400)
    start_t = times[0]
    lo, hi = left_at + 2.1, left_at + 5.3  # 0.2 s early: the first arrival comes after t0
    late = [t for t in times if lo <= t - start_t < hi]
    late_rate = len(late) / (hi - lo)
    print(f"join/leave: {len(times)} arrivals, busiest window {window}, {late_rate:.0f}/s in the 3.2 s "
          f"from 2.1 s after one left")
    check(window <= 400, f"runners joining and leaving: no one-second window above 400 (max {window})")
    check(late_rate >= (0.85 if sanitized else 0.90) * 400,
          f"after a runner left, the others took its share back ({late_rate:.0f}/s)")
    st = json.loads(replay("status", queue=pg.url, env=env).stdout)
    check(st["runners"] == [], "runners that ended are gone from status")
finally:
    pg.stop()
finish()
