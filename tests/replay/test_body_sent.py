"""What reaches the customs gateway is a declaration: the codes and references the procedure
requires are written into its own fields (the field map), and the "bcp" annotation, with the
sources and notes it quotes, stays in the queue unless the run asks for it (--with-annotation).
Real HTTP to a real server on 127.0.0.1; the gateway logs every body it received."""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

work = workdir()
decl = os.path.join(os.environ["BCPKIT_DATA_DIR"], "samples", "declarations-be-aes.jsonl")
q = os.path.join(work, "q.db")
env = dict(os.environ, XDG_STATE_HOME=os.path.join(work, "state"))
r = replay("enqueue", "--country", "BE", "--system", "AES", "--call", "N04853",
           "--start", "2025-11-27T11:00", decl, queue=q, env=env)
check(r.returncode == 0, f"enqueue: exit 0 ({r.returncode}: {r.stderr})")

bodies = os.path.join(work, "bodies.log")
g = Gateway(work, extra=("--body-log", bodies))
r = replay("run", "--sink", g.url, queue=q, env=env)
g.stop()
check(r.returncode == 0, f"run: exit 0 ({r.returncode}: {r.stderr})")
got = [json.loads(line) for line in open(bodies)]
check(len(got) == 3, f"the gateway received 3 bodies ({len(got)})")
for b in got:
    check("bcp" not in b, f"{b.get('lrn')}: no bcp annotation in the body")
    text = json.dumps(b, ensure_ascii=False)
    check("customs4trade-1" not in text and "Procédure" not in text,
          f"{b.get('lrn')}: none of our sources or notes in the body")
    check("N04853-D:20251127-T110000" in b.get("business_continuity_procedure", []),
          f"{b.get('lrn')}: the mention in the Business Continuity Procedure field")
    refs = b.get("additional_references", [])
    check(len(refs) == 1 and refs[0]["code"] == "1NPS", f"{b.get('lrn')}: code 1NPS as an additional reference")
    check(refs and refs[0]["value"] == b.get("individual_reference"),
          f"{b.get('lrn')}: 1NPS carries the individual MRN-format reference")
    check(b.get("bcp_id", "").startswith("25BECPB"), f"{b.get('lrn')}: the BCP-ID in its field")
# The operator still sees the annotation in the queue.
listed = [json.loads(line) for line in replay("list", "--annotation", queue=q, env=env).stdout.splitlines()]
check(all(m["annotation"]["procedure"] == "be-aes-emergency" for m in listed),
      "list --annotation shows each message's annotation")

# Asked for: the annotation goes inside the body.
q2 = os.path.join(work, "q2.db")
replay("enqueue", "--country", "BE", "--system", "AES", "--call", "N04853",
       "--start", "2025-11-27T11:00", decl, queue=q2, env=env)
bodies2 = os.path.join(work, "bodies2.log")
g = Gateway(work, extra=("--body-log", bodies2))
r = replay("run", "--sink", g.url, "--with-annotation", queue=q2, env=env)
g.stop()
got2 = [json.loads(line) for line in open(bodies2)]
check(len(got2) == 3 and all(b["bcp"]["call"] == "N04853" for b in got2),
      "--with-annotation: the annotation is sent inside each body")
finish()
