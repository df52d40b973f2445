#!/usr/bin/env python3
"""test_console.py - the console's server side against a real controld on
loopback (docs/console.md): the security headers of every response, login
for an HttpOnly SameSite=Strict session cookie, CSRF protection of every
state-changing request (no token, a wrong one, another origin, a
cross-site fetch), roles through the session, logout ending the session,
a token removed from the file ending its sessions, malformed cookies; the
API and console over TLS (Secure cookie, TLS 1.2+ only, no plain HTTP on
the TLS port); the refusal to serve plain HTTP beyond loopback; and flood
quarantine tripped by synthetic matches across hosts through the ingest
socket, then lifted by an admin.

usage: test_console.py CONTROLD SOURCE_ROOT
"""
import http.client
import warnings
import json
import os
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e",
                                "control"))
from console_rig import Controld, event, fail  # noqa: E402

warnings.simplefilter("ignore", DeprecationWarning)
CONTROLD, ROOT = (os.path.abspath(a) for a in sys.argv[1:3])
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def check(cond, what):
    if not cond:
        fail(what)


class Client:
    def __init__(self, c, ctx=None):
        self.c = c
        self.ctx = ctx

    def req(self, method, path, body=None, headers=None):
        if self.c.tls:
            conn = http.client.HTTPSConnection("127.0.0.1", self.c.port, timeout=10,
                                               context=self.ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.c.port, timeout=10)
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        return r.status, r.headers, text


def login(cl, role):
    st, h, text = cl.req("POST", "/ui/api/login", {"token": cl.c.tokens[role]},
                         {"Origin": cl.c.origin})
    check(st == 200, f"login as {role}: {st} {text}")
    cookie = h["Set-Cookie"]
    check("HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie,
          f"cookie flags: {cookie}")
    check(("; Secure" in cookie) == cl.c.tls, f"Secure exactly under TLS: {cookie}")
    return cookie.split(";")[0], json.loads(text)["csrf"]


def test_headers(cl):
    for path in ("/ui/", "/ui/js/app.js", "/ui/app.css", "/api/v1/status", "/nothing"):
        st, h, _ = cl.req("GET", path)
        check(h.get("Content-Security-Policy") == CSP, f"{path}: CSP {h.get('Content-Security-Policy')}")
        check(h.get("Referrer-Policy") == "no-referrer", f"{path}: Referrer-Policy")
        check(h.get("X-Frame-Options") == "DENY", f"{path}: X-Frame-Options")
        check(h.get("X-Content-Type-Options") == "nosniff", f"{path}: nosniff")
    st, h, body = cl.req("GET", "/ui/")
    check(st == 200 and h["Content-Type"].startswith("text/html"), "index")
    check("<script" in body and "script>" in body and "style=" not in body and
          "onclick" not in body, "index.html: no inline script or style")
    check("http://" not in body and "https://" not in body, "index.html: nothing off-site")
    st, h, _ = cl.req("GET", "/ui/js/app.js")
    check(h["Content-Type"].startswith("text/javascript"), "module type")
    for bad in ("/ui/../controld.c", "/ui/js/../../control/ui.c", "/ui/index.html%00"):
        st, _, _ = cl.req("GET", bad)
        check(st in (400, 404), f"{bad}: {st}")
    st, _, _ = cl.req("POST", "/ui/")
    check(st == 405, "POST to a file")


def test_session_csrf(cl):
    c = cl.c
    st, _, _ = cl.req("POST", "/ui/api/login", {"token": "not-a-token"}, {"Origin": c.origin})
    check(st == 401, f"a bad token: {st}")
    st, _, _ = cl.req("POST", "/ui/api/login", {"token": c.tokens["reviewer"]},
                      {"Origin": "http://evil.example"})
    check(st == 403, f"login from another origin: {st}")
    cookie, csrf = login(cl, "reviewer")
    st, _, text = cl.req("GET", "/api/v1/candidates?status=new", headers={"Cookie": cookie})
    check(st == 200 and json.loads(text)["total"] >= 3, f"list with the session: {st}")
    cid = json.loads(text)["items"][0]["id"]
    review = f"/api/v1/candidates/{cid}/review"
    body = {"status": "confirmed", "note": "checked"}
    same = {"Cookie": cookie, "Origin": c.origin, "Sec-Fetch-Site": "same-origin"}
    for name, hdrs in (
            ("no CSRF token", same),
            ("a wrong CSRF token", {**same, "X-CSRF-Token": "0" * 64}),
            ("a short CSRF token", {**same, "X-CSRF-Token": csrf[:10]}),
            ("another origin", {**same, "X-CSRF-Token": csrf, "Origin": "http://evil.example"}),
            ("a cross-site fetch", {**same, "X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"})):
        st, _, text = cl.req("POST", review, body, hdrs)
        check(st == 403 and "CSRF" in text, f"review with {name}: {st} {text}")
    st, _, text = cl.req("POST", review, body, {**same, "X-CSRF-Token": csrf})
    check(st == 200 and '"status":"confirmed"' in text, f"review with the CSRF token: {st} {text}")
    # the session's name goes into the trail
    check('"actor":"rita"' in text, "actor from the session")
    # a viewer's session reads but may not review
    vcookie, vcsrf = login(cl, "viewer")
    st, _, text = cl.req("POST", f"/api/v1/candidates/{cid}/review",
                         {"status": "new", "note": "x"},
                         {"Cookie": vcookie, "X-CSRF-Token": vcsrf, "Origin": c.origin})
    check(st == 403 and "needs role reviewer" in text, f"viewer review: {st} {text}")
    # a cookie with a bearer token that is wrong is not a fallback
    st, _, _ = cl.req("GET", "/api/v1/status", headers={"Cookie": cookie,
                                                        "Authorization": "Bearer nope"})
    check(st == 401, "a bad bearer token with a good cookie")
    for bad in ("hwsession=" + "0" * 64, "hwsession=zz", cookie + "; " + cookie,
                "garbage", cookie + ";x", ""):
        st, _, _ = cl.req("GET", "/api/v1/status", headers={"Cookie": bad})
        check(st == 401, f"cookie {bad[:30]!r}: {st}")
    st, _, text = cl.req("GET", "/ui/api/session", headers={"Cookie": cookie})
    check(st == 200 and json.loads(text)["csrf"] == csrf and json.loads(text)["role"] == "reviewer",
          "session resumes")
    # logout needs the CSRF token too, then the cookie is worth nothing
    st, _, _ = cl.req("POST", "/ui/api/logout", headers={"Cookie": cookie, "Origin": c.origin})
    check(st == 403, f"logout without CSRF: {st}")
    st, h, _ = cl.req("POST", "/ui/api/logout",
                      headers={"Cookie": cookie, "X-CSRF-Token": csrf, "Origin": c.origin})
    check(st == 200 and "Max-Age=0" in h["Set-Cookie"], "logout clears the cookie")
    st, _, _ = cl.req("GET", "/api/v1/status", headers={"Cookie": cookie})
    check(st == 401, f"after logout: {st}")
    # login, logout and the review are in the audit trail
    st, _, text = cl.req("GET", "/api/v1/audit?limit=20",
                         None, {"Authorization": f"Bearer {c.tokens['admin']}"})
    actions = [r["action"] for r in json.loads(text)["items"]]
    for a in ("login", "logout", "review", "login_failed"):
        check(a in actions, f"audit has {a}: {actions}")


def test_login_throttled(c, cl):
    """More than 10 failed logins a minute hold every login back (429), so
    neither a guessed token nor a flood of audit rows gets far."""
    for _ in range(12):
        st, _, _ = cl.req("POST", "/ui/api/login", {"token": "guess"}, {"Origin": c.origin})
        check(st in (401, 429), f"a bad token: {st}")
    st, _, text = cl.req("POST", "/ui/api/login", {"token": c.tokens["admin"]},
                         {"Origin": c.origin})
    check(st == 429 and "failed logins" in text, f"after the flood: {st} {text}")
    st, _, text = cl.req("GET", "/api/v1/audit?limit=40",
                         None, {"Authorization": f"Bearer {c.tokens['admin']}"})
    fails = [r for r in json.loads(text)["items"] if r["action"] == "login_failed"]
    check(len(fails) <= 12, f"{len(fails)} failures audited")


def test_token_removed(c, cl):
    cookie, _ = login(cl, "viewer")
    lines = [l for l in open(c.path("tokens")) if not l.startswith("vera ")]
    with open(c.path("tokens"), "w") as f:
        f.writelines(lines)
    c.proc.send_signal(1)  # SIGHUP: reload
    import time
    for _ in range(50):
        st, _, _ = cl.req("GET", "/api/v1/status", headers={"Cookie": cookie})
        if st == 401:
            return
        time.sleep(0.1)
    fail("a session outlived its token")


def test_tls():
    c = Controld(CONTROLD, ROOT, tls=True)
    c.start()
    ctx = ssl.create_default_context(cafile=c.path("tls.crt"))
    cl = Client(c, ctx)
    st, h, _ = cl.req("GET", "/ui/")
    check(st == 200 and h.get("Content-Security-Policy") == CSP, "console over TLS")
    login(cl, "admin")  # Secure checked there
    st, _, _ = cl.req("GET", "/api/v1/status", headers={"Authorization": f"Bearer {c.tokens['admin']}"})
    check(st == 200, "API over TLS")
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.load_verify_locations(c.path("tls.crt"))
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.minimum_version = ssl.TLSVersion.TLSv1
    try:
        Client(c, old).req("GET", "/ui/")
        fail("TLS 1.1 accepted")
    except (ssl.SSLError, OSError):
        pass
    plain = http.client.HTTPConnection("127.0.0.1", c.port, timeout=5)
    try:
        plain.request("GET", "/api/v1/status")
        r = plain.getresponse()
        fail(f"plain HTTP answered on the TLS port: {r.status}")
    except (http.client.HTTPException, OSError):
        pass
    c.stop()


def test_quarantine_live():
    """Synthetic matches of one digest across many hosts through the ingest
    socket of a real controld trip the flood quarantine; an admin lifts it."""
    c = Controld(CONTROLD, ROOT, extra={"quarantine": {"hosts": 3, "urls": 50, "window": 3600}})
    c.start()
    cl = Client(c)
    admin = {"Authorization": f"Bearer {c.tokens['admin']}"}
    flood = [dict(event(7, f"site{i}.example", "/wp-content/uploads/logo.png"))
             for i in range(6)]
    c.ingest(flood[:3])
    st, _, text = cl.req("GET", "/api/v1/quarantine", headers=admin)
    check(json.loads(text)["total"] == 0, "quarantined at the threshold")
    st, _, text = cl.req("GET", "/api/v1/blocks", headers=admin)
    check(json.loads(text)["total"] == 3, f"3 blocks before: {text}")
    c.ingest(flood[3:])
    st, _, text = cl.req("GET", "/api/v1/quarantine?state=active", headers=admin)
    q = json.loads(text)
    check(q["total"] == 1 and q["items"][0]["hosts"] == 4, f"quarantine: {text}")
    qid = q["items"][0]["id"]
    st, _, text = cl.req("GET", "/api/v1/blocks", headers=admin)
    check(json.loads(text)["total"] == 0, f"the digest's blocks lifted: {text}")
    st, _, text = cl.req("GET", "/api/v1/candidates", headers=admin)
    items = json.loads(text)["items"]
    check(len(items) == 6 and all(i["quarantined"] for i in items), "recorded, flagged")
    st, _, text = cl.req("GET", "/metrics", headers=admin)
    check("hashwall_quarantines_active 1" in text and "hashwall_quarantines_total 1" in text,
          "the alert in the metrics")
    check("ctl.alert: quarantine" in open(c.path("controld.err")).read(), "the alert in the log")
    st, _, text = cl.req("POST", f"/api/v1/quarantine/{qid}/release",
                         headers={"Authorization": f"Bearer {c.tokens['reviewer']}"})
    check(st == 403, "a reviewer lifting it")
    st, _, text = cl.req("POST", f"/api/v1/quarantine/{qid}/release", headers=admin)
    check(st == 200 and '"state":"released"' in text, f"released: {text}")
    st, _, text = cl.req("GET", "/api/v1/blocks", headers=admin)
    check(json.loads(text)["total"] == 6, f"blocks back: {text}")
    st, _, text = cl.req("GET", "/api/v1/audit?limit=5", headers=admin)
    check("quarantine_release" in text and '"action":"quarantine"' in text, "audited")
    c.stop()


def test_beyond_loopback():
    c = Controld(CONTROLD, ROOT)
    c.config["api"]["address"] = "192.0.2.1"  # TEST-NET-1: never bound, refused before
    rc, err = c.start(expect_fail=True)
    check(rc != 0 and "beyond loopback" in err and "plain_http_beyond_loopback" in err,
          f"refusal: {rc} {err[-300:]}")
    c = Controld(CONTROLD, ROOT)
    c.config["api"].update(address="192.0.2.1", plain_http_beyond_loopback=True)
    rc, err = c.start(expect_fail=True)
    check(rc != 0 and "beyond loopback" not in err and "cannot listen" in err,
          f"allowed explicitly, then it is the bind that fails here: {err[-300:]}")


def main():
    c = Controld(CONTROLD, ROOT)
    c.start()
    c.ingest([event(1, "a.example", "/wp/1.jpg"), event(2, "b.example", "/x/2.png"),
              event(3, "c.example", "/y/3.gif")])
    cl = Client(c)
    test_headers(cl)
    test_session_csrf(cl)
    test_token_removed(c, cl)
    test_login_throttled(c, cl)
    c.stop()
    test_tls()
    test_beyond_loopback()
    test_quarantine_live()
    print("ok: headers, sessions, CSRF, roles, logout, token removal, TLS, loopback refusal, "
          "flood quarantine")


if __name__ == "__main__":
    main()
