"""The PostgreSQL queue from the command line (a real server from Debian's packages, on
127.0.0.1): the same commands as an SQLite queue with the same output, migrate, copy in both
directions and again (idempotent), runners in status, and the usage errors of a location that is
not a queue."""
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from harness import *
import pgserver

pg = pgserver.Server()
env = pg.env()
work = workdir()


def run(*args, stdin=None, e=None):
    return subprocess.run([os.path.join(BIN, "bcp-replay"), *args], input=stdin,
                          capture_output=True, text=True, env=e or env, cwd=work, timeout=60)


def one_line(r):
    return r.stderr.count("\n") == 1


try:
    # --- locations that are not queues ------------------------------------------------------
    r = run("status", "--queue", "ftp://example.org/q.db")
    check(r.returncode == 2 and "'ftp'" in r.stderr.splitlines()[0],
          f"an unknown URL scheme is a usage error naming it: {r.stderr.strip()}")
    r = run("enqueue", "--queue", "postgresq://bcp@127.0.0.1/bcp", stdin="")
    check(r.returncode == 2 and not os.path.exists(os.path.join(work, "postgresq:")),
          "a misspelt scheme is a usage error, and no directory is created")
    secret_url = pg.url.replace("bcp@", "bcp:hunter2@")
    r = run("status", "--queue", secret_url)
    check(r.returncode == 2 and "hunter2" not in r.stderr and "PGPASSFILE" in r.stderr,
          f"a password in the URL is refused, never echoed: {r.stderr.strip()}")
    r = run("status", "--queue", "postgresql://bcp@127.0.0.1:1/bcp")
    check(r.returncode == 5 and one_line(r), f"an unreachable server: exit 5, one line "
                                             f"({r.stderr.strip()})")
    r = run("status", "--queue", pg.url, e={k: v for k, v in env.items() if k != "PGPASSFILE"} |
            {"PGPASSFILE": os.path.join(work, "none")})
    check(r.returncode == 5 and one_line(r), "no password for the role: exit 5, one line")

    # --- migrate ----------------------------------------------------------------------------
    r = run("migrate", "--queue", pg.url)
    m = json.loads(r.stdout)
    check(r.returncode == 0 and m["schema"] == 1 and m["found"] is None and m["migrated"],
          f"migrate creates the schema ({r.stdout.strip()})")
    r = run("migrate", "--queue", pg.url)
    m = json.loads(r.stdout)
    check(m["found"] == 1 and not m["migrated"], "a second migrate finds it current")
    check("postgresql://" in m["queue"], "and names the queue by its URL")

    # --- the same commands, the same output -------------------------------------------------
    db = os.path.join(work, "q.db")
    lines = "".join(json.dumps({"lrn": f"B{i:04d}", "country": "NL", "system": "DMS",
                                "prepared_at": "2025-12-07T09:00:00+01:00"}) + "\n"
                    for i in range(50)) + '{"lrn":"B0003","country":"NL","system":"DMS"}\nnot json\n'
    a = run("enqueue", "--queue", db, stdin=lines)
    b = run("enqueue", "--queue", pg.url, stdin=lines)
    check(a.stdout == b.stdout and a.returncode == b.returncode == 3,
          "enqueue: the same results line by line, and the same exit status")
    sa = json.loads(run("status", "--queue", db).stdout)
    sb = json.loads(run("status", "--queue", pg.url).stdout)
    check(sa["counts"] == sb["counts"] and sb["counts"]["queued"] == 50,
          f"status: the same counts ({sb['counts']})")
    check("runners" not in sa and sb["runners"] == [], "status of a shared queue lists its runners")
    strip = lambda out: [{k: v for k, v in json.loads(l).items() if not k.endswith("_at")}
                         for l in out.splitlines()]
    la, lb = run("list", "--queue", db, "--body"), run("list", "--queue", pg.url, "--body")
    check(strip(la.stdout) == strip(lb.stdout) and len(lb.stdout.splitlines()) == 50,
          "list --body: the same messages, bodies and fields")
    ra = run("resolve", "--queue", db, "--key", "B0001", "--as", "accepted")
    rb = run("resolve", "--queue", pg.url, "--key", "B0001", "--as", "accepted")
    check(ra.returncode == rb.returncode == 3 and ra.stderr == rb.stderr,
          f"resolve of a queued message: the same error ({rb.stderr.strip()})")
    ra = run("resolve", "--queue", db, "--key", "NOPE", "--as", "accepted")
    rb = run("resolve", "--queue", pg.url, "--key", "NOPE", "--as", "accepted")
    check(ra.returncode == rb.returncode and ra.stderr == rb.stderr, "and of a missing key")

    # A run on each: the same summary counts, the same gateway arrivals.
    g = Gateway(work)
    ra = run("run", "--queue", db, "--sink", g.url, "--rate", "200")
    n_sqlite = len(g.arrivals())
    rb = run("run", "--queue", pg.url, "--sink", g.url, "--rate", "200")
    g.stop()
    ja, jb = json.loads(ra.stdout), json.loads(rb.stdout)
    same = ["sent", "accepted", "rejected", "unknown", "remaining", "rate_limit"]
    check(ra.returncode == rb.returncode == 0 and {k: ja[k] for k in same} == {k: jb[k] for k in same},
          f"run: the same outcome on both queues ({ {k: jb[k] for k in same} })")
    check(n_sqlite == 50 and len(g.arrivals()) == 100, "each queue sent its 50 once")
    st = json.loads(run("status", "--queue", pg.url).stdout)
    check(st["last_run"]["sent"] == 50 and st["runners"] == [], "the run is recorded; it left")

    # --- copy ------------------------------------------------------------------------------
    src = os.path.join(work, "src.db")
    run("enqueue", "--queue", src,
        stdin="".join(json.dumps({"lrn": f"M{i:04d}", "country": "NL", "system": "DMS"}) + "\n"
                      for i in range(30)))
    g = Gateway(work, faults="M0002 status 400\n")
    run("run", "--queue", src, "--sink", g.url, "--rate", "200", "--max-seconds", "0.05")
    g.stop()
    before = {k: (m["state"], m["attempts"]) for k, m in states(src).items()}
    pg.reset()
    r = run("copy", "--from", src, "--to", pg.url)
    c = json.loads(r.stdout)
    check(r.returncode == 0 and c["copied"] == 30 and c["already_there"] == 0,
          f"copy moves every message over ({r.stdout.strip()})")
    after = {m["key"]: (m["state"], m["attempts"]) for m in
             map(json.loads, run("list", "--queue", pg.url).stdout.splitlines())}
    check(after == before, "with its state and attempts")
    r = run("copy", "--from", src, "--to", pg.url)
    c = json.loads(r.stdout)
    check(r.returncode == 1 and c["copied"] == 0 and c["already_there"] == 30,
          "a second copy adds nothing: exit 1")
    back = os.path.join(work, "back.db")
    r = run("copy", "--from", pg.url, "--to", back)
    check(r.returncode == 0 and json.loads(r.stdout)["copied"] == 30, "and back to an SQLite file")
    r = run("copy", "--from", pg.url, "--to", pg.url)
    check(r.returncode == 2, "copy onto itself is a usage error")
    sb = run("status", "--queue", pg.url)
    t0 = time.monotonic()
    for _ in range(5):
        run("status", "--queue", pg.url)
    per = (time.monotonic() - t0) / 5
    print(f"status on PostgreSQL: {per * 1000:.0f} ms a call (process start included)")
    check(per < 0.5, "status answers quickly")
finally:
    pg.stop()
finish()
