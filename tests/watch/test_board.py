"""bcp-notice board rendered in a real headless browser (Debian's chromium): the store is filled
by a real watch over a Maildir and a failing feed; the page is printed to PDF (its rendered text
read back with pdftotext) and photographed at a phone's and a desk's width (the PNG decoded
here). Checks what is in force per country and system, each procedure's call and mention, the
timeline of the coming days, the sources with their failure, kinds written in words, escaping,
no external resource, a page replaced whole; and the errors (no store, no --out, a directory
that cannot be written).
test_board.py BIN_DIR DATA_DIR"""
import os, shutil, struct, subprocess, sys, tempfile, zlib
sys.path.insert(0, os.path.dirname(__file__))
from checks import check, failures, finish

BIN, DATA = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="bcp-board-")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None or shutil.which("pdftotext") is None:
    print("FAIL chromium and pdftotext are needed (scripts/lib.sh installs chromium and poppler-utils)")
    sys.exit(1)
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "BCPKIT_DATA_DIR": DATA,
       "BCPKIT_NOW": "2027-03-01T12:00:00Z"}
AT = "2027-03-01T12:00:00Z"


def bcp(*args):
    return subprocess.run([os.path.join(BIN, "bcp-notice"), *args], capture_output=True, text=True, env=env, timeout=120)


md = os.path.join(work, "md")
os.makedirs(os.path.join(md, "new"))
os.makedirs(os.path.join(md, "cur"))
mails = {
    "1": ("Belgian customs <helpdesk@minfin.fed.be>", "Emergency procedure AES", "p1@minfin.fed.be",
          "Emergency procedure AES Call N04860\nStart: 01-03-2027 at 10:00\n"
          "Mention on the declaration: N04860-D:20270301-T100000"),
    "2": ("Toldstyrelsen <driftsstatus@toldst.dk>", "Planlagt vedligeholdelse <script>alert(1)</script>", "d1@toldst.dk",
          "DMS Import er utilgængelig den 4. marts 2027 fra kl. 18.00 til kl. 22.00 på grund af planlagt vedligeholdelse."),
    "3": ("Douane <noreply@douane.nl>", "Storing NCTS", "n1@douane.nl",
          "Dutch Customs: NCTS is unavailable since 1 March 2027 08:30 CET due to a disruption."),
    "4": ("Toldstyrelsen <driftsstatus@toldst.dk>", "Gammel vedligeholdelse", "d0@toldst.dk",
          "DMS Eksport var utilgængelig den 20. februar 2027 fra kl. 18.00 til kl. 22.00."),
}
for name, (frm, subj, mid, body) in mails.items():
    open(os.path.join(md, "new", name + ".host"), "w").write(
        f"From: {frm}\nSubject: {subj}\nDate: Mon, 01 Mar 2027 09:00:00 +0100\nMessage-ID: <{mid}>\n\n{body}\n")
store = os.path.join(work, "s.db")
r = bcp("watch", "--store", store, "--source", "maildir=" + md, "--source", "rss=http://127.0.0.1:9/feed.xml")
check(r.returncode == 5, f"the watch stored the mail, and the feed failed for now ({r.returncode}: {r.stderr.strip()})")

page = os.path.join(work, "board.html")
open(page, "w").write("old page")
r = bcp("board", "--store", store, "--at", AT, "--out", page)
check(r.returncode == 0 and r.stdout == "" and r.stderr == "", f"board: exit 0, nothing on stdout or stderr ({r.returncode}: {r.stderr})")
html = open(page, encoding="utf-8").read()
check(html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>"), "the page replaced the old one whole")
check(not [f for f in os.listdir(work) if ".tmp" in f], "no temporary file is left beside it")
lowered = html.lower()
check("<script" not in lowered and "<link" not in lowered and "src=" not in lowered and "url(" not in lowered
      and "@import" not in lowered and "@font-face" not in lowered, "self-contained: no script, no external style, font or image")
check("&lt;script&gt;alert(1)&lt;/script&gt;" in html, "a notice's text is escaped")


def render(url, *args):
    # --disable-dev-shm-usage: containers often give /dev/shm only 64 MB, too little for chromium.
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-dev-shm-usage",
                           "--no-first-run", "--user-data-dir=" + os.path.join(work, "chrome"), *args, url],
                          capture_output=True, text=True, timeout=120)


pdf = os.path.join(work, "board.pdf")
render("file://" + page, "--print-to-pdf=" + pdf, "--no-pdf-header-footer")
check(os.path.exists(pdf), "chromium printed the page")
text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout if os.path.exists(pdf) else ""
flat = " ".join(text.split())
# Reading order (no -layout): a table cell's text together, its line breaks aside.
cells = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout if os.path.exists(pdf) else ""
joined = "".join(cells.split())
check("In force now" in flat and "Next 14 days" in flat and "Sources" in flat, "rendered: the three sections")
check("BE — Belgium" in flat and "NL — Netherlands" in flat, f"rendered: in force per country (BE, NL)")
check("EMERGENCY PROCEDURE" in flat and "N04860" in flat and "N04860-D:20270301-T100000" in joined,
      "rendered: the procedure as a word, its call and its mention")
check("UNPLANNED OUTAGE" in flat or "OUTAGE" in flat, "rendered: the NCTS outage as a word")
check("PLANNED OUTAGE DK DMS-IMPORT" in flat and "2027-03-04 17:00 UTC to 2027-03-04 21:00 UTC" in flat,
      "rendered: the Danish window in the timeline, kind in words, times in UTC")
check("DMS-EKSPORT" not in flat and "Gammel" not in flat, "rendered: a window already over is not shown")
check("FAILED" in flat and "127.0.0.1:9" in flat and "Warning: 1 source failed" in flat,
      "rendered: the failing source, its error, and the warning above everything")
check("<script>alert(1)</script>" in flat, "rendered: the escaped title reads as written")
pages = text.count("\f")
check(1 <= pages <= 3, f"in print: {pages} page(s)")


def png_pixels(path):
    """Width, height and rows of (r, g, b) from an 8-bit RGB or RGBA PNG, as chromium writes."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return width, height, rows


for label, size in (("phone", "390,844"), ("desk", "1280,900")):
    shot = os.path.join(work, f"board-{label}.png")
    render("file://" + page, "--screenshot=" + shot, "--window-size=" + size, "--hide-scrollbars")
    if not os.path.exists(shot):
        check(False, f"screenshot at the {label}'s width")
        continue
    w, h, rows = png_pixels(shot)
    dark = sum(1 for row in rows for p in row if sum(p) < 200)
    colours = len({p for row in rows[::4] for p in row[::4]})
    check((w, h) == tuple(int(v) for v in size.split(",")), f"{label}: a {w}x{h} screenshot")
    check(0.01 < dark / (w * h) < 0.5 and colours > 8, f"{label}: text drawn on the page ({dark} dark pixels, {colours} shades)")
    # Nothing drawn beyond the right edge: the rightmost columns are background (a table wider
    # than the phone would run its borders and text through them).
    edge = sum(1 for row in rows for p in row[-4:] if sum(p) < 600)
    check(edge < h // 20, f"{label}: nothing runs off the right edge ({edge} marked pixels in the last columns)")

# Errors: one line, documented exit codes; the page in place stays as it was.
r = bcp("board", "--store", os.path.join(work, "none.db"), "--out", page, "--at", AT)
check(r.returncode == 2 and "no store" in r.stderr and open(page).read() == html, f"no store: exit 2 ({r.stderr.strip()})")
r = bcp("board", "--store", store)
check(r.returncode == 2 and "--out" in r.stderr, f"no --out: exit 2 ({r.stderr.strip()})")
r = bcp("board", "--store", store, "--out", os.path.join(work, "no", "such", "dir", "b.html"), "--at", AT)
check(r.returncode == 2 and "cannot write" in r.stderr, f"an unwritable place: exit 2 ({r.stderr.strip()})")
r = bcp("board", "--store", store, "--out", page, "--at", "2027-03-01 12:00")
check(r.returncode == 2 and "offset" in r.stderr, f"--at without an offset: exit 2 ({r.stderr.strip()})")

finish()
