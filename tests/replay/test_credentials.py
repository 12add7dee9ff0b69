"""Credentials reach the gateway but never the queue, the output or the command line."""
import glob, json, os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

work = workdir()
token = "Bearer s3cret-T0KEN-4711"
g = Gateway(work, require_auth=token)
q = os.path.join(work, "q.db")
enqueue(q, ["C1", "C2"])
# Without the header the gateway refuses (401 -> rejected): proves it checks.
enqueue(os.path.join(work, "noauth.db"), ["N1"])
r = replay("run", "--sink", g.url, queue=os.path.join(work, "noauth.db"))
check(states(os.path.join(work, "noauth.db"))["N1"]["last_status"] == 401, "no credentials: 401 rejected")

env = dict(os.environ, BCP_TEST_TOKEN=token)
cmd = ["--header-env", "Authorization=BCP_TEST_TOKEN"]
r = replay("run", "--sink", g.url, *cmd, queue=q, env=env)
check(r.returncode == 0, f"--header-env: accepted (exit {r.returncode}: {r.stderr})")
check(all(m["state"] == "accepted" for m in states(q).values()), "both accepted with the token")
check(token not in r.stdout + r.stderr, "the token is not printed")
check(token not in " ".join(cmd), "the token is not on the command line")
leaked = [f for f in glob.glob(q + "*") if token.encode() in open(f, "rb").read()]
check(not leaked, f"the token is in no queue file ({leaked})")

# From a file: works, and a file others can read draws a warning.
hdr = os.path.join(work, "auth.headers")
with open(hdr, "w") as f:
    f.write("# gateway credentials\nAuthorization: " + token + "\n")
os.chmod(hdr, 0o644)
q2 = os.path.join(work, "q2.db")
enqueue(q2, ["F1"])
r = replay("run", "--sink", g.url, "--header-file", hdr, queue=q2)
check(r.returncode == 0 and states(q2)["F1"]["state"] == "accepted", "--header-file: accepted")
check("readable by other users" in r.stderr, "a header file readable by others draws a warning")
check(token not in r.stdout + r.stderr, "the token is not printed from a file either")
# A malformed header line is reported without echoing the value.
with open(hdr, "w") as f:
    f.write("Authorization " + token + "\n")
os.chmod(hdr, 0o600)
r = replay("run", "--sink", g.url, "--header-file", hdr, queue=q2)
check(r.returncode == 2 and token not in r.stderr, "a bad header line is an error that does not echo the secret")
g.stop()
finish()
