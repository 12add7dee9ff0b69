#!/usr/bin/env python3
"""Benchmark of bcp-replay on a PostgreSQL queue (scripts/bench-replay --queue postgresql): a
real server from Debian's packages in a scratch directory, the loopback test gateway.

  1. enqueue N messages with bcp-replay enqueue: messages/s;
  2. unthrottled replay of N messages by 1, 2 and 4 runners: messages/s together, against the
     baseline of one runner on an SQLite file (the same messages, the same gateway);
  3. 4 runners at --rate 400 for S seconds: the rate and the busiest second at the gateway;
  4. BIG messages queued (default 10,000,000, put in by SQL: enqueue's rate is step 1): the time
     of `status`, and a runner's peak memory against a queue of 10,000.
Figures, not assertions. Usage: bench-replay-pg.py BIN [N] [S] [BIG]"""
import json, os, shutil, statistics, subprocess, sys, time

BIN = os.path.abspath(sys.argv[1])
sys.argv = [sys.argv[0], BIN]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "replay"))
from harness import Gateway, max_window, workdir  # noqa: E402
import pgserver  # noqa: E402

n = int(os.environ.get("BENCH_N", "100000"))
seconds = int(os.environ.get("BENCH_S", "20"))
big = int(os.environ.get("BENCH_BIG", "10000000"))
replay = os.path.join(BIN, "bcp-replay")
pg = pgserver.Server()
env = pg.env()
work = workdir()


def line(i):
    return json.dumps({"lrn": f"BENCH-{i:09d}", "country": "NL", "system": "DMS",
                       "prepared_at": "2025-12-07T09:00:00+01:00",
                       "goods": [{"hs": "84713000", "gross_mass_kg": 12.5}]}) + "\n"


inp = os.path.join(work, "in.jsonl")
with open(inp, "w") as f:
    for i in range(n):
        f.write(line(i))


def fill_sql(count):
    """count messages as enqueue stores them, written by the server itself."""
    pg.reset()
    subprocess.run([replay, "migrate", "--queue", pg.url], env=env, check=True,
                   capture_output=True)
    pg.sql("INSERT INTO bcp_messages (key, country, system, body, prepared_at, enqueued_at, "
           "updated_at, state) SELECT 'BENCH-' || lpad(i::text, 9, '0'), 'NL', 'DMS', "
           "'{\"lrn\":\"BENCH-' || lpad(i::text, 9, '0') || '\",\"country\":\"NL\",\"system\":"
           "\"DMS\",\"goods\":[{\"hs\":\"84713000\",\"gross_mass_kg\":12.5}]}', "
           "'2025-12-07T09:00:00+01:00', '2026-12-01T00:00:00.000Z', "
           f"'2026-12-01T00:00:00.000Z', 'queued' FROM generate_series(1, {count}) i")
    pg.sql("VACUUM ANALYZE bcp_messages")


def runners(k, url, extra=(), queue=None):
    g = Gateway(work)
    t0 = time.monotonic()
    procs = [subprocess.Popen([replay, "run", "--queue", queue or pg.url, "--sink", g.url, *extra],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(k)]
    for p in procs:
        p.communicate()
    elapsed = time.monotonic() - t0
    g.stop()
    times = sorted(t for t, _ in g.arrivals())
    return times, elapsed


print(f"bench-replay --queue postgresql: {n} messages, {os.cpu_count()} cores, "
      f"PostgreSQL {pg.sql('SHOW server_version').strip()} (fsync on)")
print(f"\n{'step':46} {'seconds':>9} {'messages/s':>12}")

pg.reset()
t0 = time.monotonic()
subprocess.run([replay, "enqueue", "--queue", pg.url, inp], env=env, capture_output=True)
t = time.monotonic() - t0
print(f"{'bcp-replay enqueue':46} {t:9.2f} {n / t:12.0f}")

db = os.path.join(work, "base.db")
subprocess.run([replay, "enqueue", "--queue", db, inp], env=env, capture_output=True)
times, elapsed = runners(1, None, ("--rate", "unlimited"), queue=db)
base = len(times) / (times[-1] - times[0])
print(f"{'baseline: 1 runner, SQLite file, unthrottled':46} {elapsed:9.2f} {base:12.0f}")
for k in (1, 2, 4):
    fill_sql(n)
    times, elapsed = runners(k, None, ("--rate", "unlimited"))
    rate = len(times) / (times[-1] - times[0])
    print(f"{f'{k} runner(s), PostgreSQL, unthrottled':46} {elapsed:9.2f} {rate:12.0f}"
          f"   ({rate / base:.2f} x baseline, {len(times)} arrivals)")

fill_sql(400 * seconds + 4000)
times, elapsed = runners(4, None, ("--rate", "400", "--max-seconds", str(seconds)))
rate = (len(times) - 1) / (times[-1] - times[0])
print(f"{'4 runners at --rate 400, gateway view':46} {times[-1] - times[0]:9.2f} {rate:12.1f}"
      f"   (busiest second {max_window(times)}, {rate / 400:.1%} of the cap)")

# 4. a big queue
for count, label in ((10000, "10,000"), (big, f"{big:,}")):
    t0 = time.monotonic()
    fill_sql(count)
    filled = time.monotonic() - t0
    calls = []
    for _ in range(7):
        s0 = time.monotonic()
        r = subprocess.run([replay, "status", "--queue", pg.url], env=env, capture_output=True,
                           text=True)
        calls.append(time.monotonic() - s0)
    queued = json.loads(r.stdout)["counts"]["queued"]
    g = Gateway(work)
    rss = os.path.join(work, "rss")
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, replay, "run", "--queue", pg.url,
                    "--sink", g.url, "--rate", "400", "--max-seconds", "5"], env=env,
                   capture_output=True)
    g.stop()
    print(f"\n{label} queued ({queued} counted; filled by SQL in {filled:.0f} s): status "
          f"{statistics.median(calls) * 1000:.0f} ms (median of 7, process start included), "
          f"a runner's peak RSS over 5 s at 400/s {open(rss).read().split()[-1]} KiB")
pg.stop()
shutil.rmtree(work, ignore_errors=True)  # the inputs and gateway logs: a benchmark asserts nothing
print("\ntargets: 4 runners unthrottled >= 10,000 messages/s; status < 100 ms on 10 million")
