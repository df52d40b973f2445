#!/usr/bin/python3
"""console_browser.py - the console in a real browser: Debian's headless
Chromium driven by Selenium (python3-selenium, chromium-driver) against a
real controld fed with synthetic matches through the ingest socket.

Logs in as a reviewer, filters the queue, opens a candidate, reviews it,
finds the review in the audit trail and verifies the chain, downloads the
notices, shows the dashboard, blocks, allowlist and quarantine pages; a candidate whose path holds <script> and quotes is shown as text
(no script runs, no alert); no candidate URL is ever a link; a viewer sees
no review controls and a review forged with the viewer's session is
refused; a request from another origin (a page served on another loopback
port) changes nothing; logout ends the session.  Every request the browser
made went to loopback (the DevTools network log), and Chromium is started
with every background service off and any host name resolving to nothing.
A screenshot of each page is kept in ARTIFACTS.

usage: console_browser.py CONTROLD SOURCE_ROOT ARTIFACTS
"""
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_rig import Controld, event, fail  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CONTROLD, ROOT, ARTIFACTS = (os.path.abspath(a) for a in sys.argv[1:4])
XSS_PATH = "/u/<script>window.pwned=1</script>\"'<img src=x onerror=alert(1)>.jpg"


def check(cond, what):
    if not cond:
        fail(what)


def browser(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--disable-default-apps", "--disable-extensions",
              "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
              "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
              "--window-size=1280,900"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_script_timeout(10)
    return d


class Other(http.server.BaseHTTPRequestHandler):
    """Another origin on loopback: a page that tries a review on controld."""
    target = ""

    def do_GET(self):
        body = (f"<!DOCTYPE html><title>elsewhere</title><form id=f method=post "
                f"action='{self.target}' enctype='text/plain'>"
                "<input name='{\"status\":\"false_positive\",\"note\":\"x\",\"y\":\"' "
                "value='\"}'></form>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def shot(d, name):
    d.save_screenshot(os.path.join(ARTIFACTS, f"{name}.png"))


def wait(d, cond, what, timeout=10):
    try:
        return WebDriverWait(d, timeout).until(cond)
    except Exception:
        shot(d, f"failed-{what.replace(' ', '-')}")
        fail(f"timed out waiting for {what}")


def login(d, c, role):
    d.get(f"{c.origin}/ui/")
    wait(d, EC.visibility_of_element_located((By.ID, "token")), "the login form")
    d.find_element(By.ID, "token").send_keys(c.tokens[role])
    d.find_element(By.CSS_SELECTOR, "#login-form button").click()
    wait(d, EC.text_to_be_present_in_element((By.ID, "who"), f"({role})"), f"{role} logged in")


def api(c, path):
    req = urllib.request.Request(f"{c.origin}{path}",
                                 headers={"Authorization": f"Bearer {c.tokens['admin']}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def no_candidate_links(d, hosts):
    for a in d.find_elements(By.TAG_NAME, "a"):
        href = a.get_attribute("href") or ""
        check(not any(h in href for h in hosts), f"a candidate URL became a link: {href}")
    check(not d.find_elements(By.CSS_SELECTOR, "img, iframe, video, object, embed"),
          "something that loads content is on the page")


def requests_made(d):
    urls = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    c = Controld(CONTROLD, ROOT)
    c.start()
    hosts = ["shop.example", "blog.example", "cdn.example", "evil.example"]
    c.ingest([event(1, hosts[0], "/img/a.jpg"), event(2, hosts[1], "/wp/b.png"),
              event(3, hosts[2], "/c.gif"), event(4, hosts[3], XSS_PATH)])
    ids = {it["host"]: it["id"] for it in api(c, "/api/v1/candidates")["items"]}
    profile = tempfile.mkdtemp(prefix="hw-chromium-")
    d = browser(profile)
    seen = []
    try:
        # log in, the queue, a filter
        d.get(f"{c.origin}/ui/")
        wait(d, EC.visibility_of_element_located((By.ID, "token")), "the login form")
        shot(d, "01-login")
        login(d, c, "reviewer")
        wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "tbody tr")), "the queue")
        check(len(d.find_elements(By.CSS_SELECTOR, "tbody tr")) == 4, "4 new candidates")
        no_candidate_links(d, hosts)
        shot(d, "02-queue")
        d.find_element(By.ID, "f-host").send_keys(hosts[1])
        d.find_element(By.CSS_SELECTOR, "form.filters button").click()
        wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tbody tr")) == 1, "the filter")
        shot(d, "03-queue-filtered")
        # open it with the keyboard, review it
        d.find_element(By.TAG_NAME, "body").send_keys("j")
        d.switch_to.active_element.send_keys("\n")
        wait(d, EC.presence_of_element_located((By.ID, "note")), "the candidate page")
        check(f"http://{hosts[1]}/wp/b.png" in d.find_element(By.CSS_SELECTOR, "code.url").text,
              "the URL shown as text")
        no_candidate_links(d, hosts)
        shot(d, "04-candidate")
        d.find_element(By.CSS_SELECTOR, "button[data-status=confirmed]").click()
        wait(d, EC.text_to_be_present_in_element((By.ID, "review-msg"), "required"), "note required")
        d.find_element(By.ID, "note").send_keys("checked in the browser")
        d.find_element(By.CSS_SELECTOR, "button[data-status=confirmed]").click()
        wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "h1 .status-confirmed")),
             "the review")
        check(api(c, f"/api/v1/candidates/{ids[hosts[1]]}")["status"] == "confirmed",
              "the review reached the store")
        shot(d, "05-reviewed")
        # <script> and quotes in a path: text, nothing runs
        d.get(f"{c.origin}/ui/#/candidate/{ids[hosts[3]]}")
        wait(d, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "code.url"),
                                                 "<script>window.pwned=1</script>\"'<img"),
             "the path shown as it is, as text")
        check(d.execute_script("return window.pwned === undefined"), "a script from a path ran")
        try:
            d.switch_to.alert
            fail("an alert opened")
        except NoAlertPresentException:
            pass
        no_candidate_links(d, hosts)
        shot(d, "06-script-in-path")
        # the audit trail: the review, the chain intact
        d.get(f"{c.origin}/ui/#/audit")
        wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "tbody tr")), "the audit trail")
        check("review" in d.find_element(By.TAG_NAME, "tbody").text and
              "rita" in d.find_element(By.TAG_NAME, "tbody").text, "the review in the audit trail")
        d.find_element(By.ID, "verify").click()
        wait(d, EC.text_to_be_present_in_element((By.ID, "verify-result"), "Intact"), "verify")
        shot(d, "07-audit")
        # exports: the notices download
        d.get(f"{c.origin}/ui/#/exports")
        link = wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "a[data-export='notices.csv']")),
                    "the exports page")
        got = d.execute_async_script(
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then("
            "t => arguments[1]([r.status, t])))", link.get_attribute("href"))
        check(got[0] == 200 and hosts[1] in got[1], f"notices export: {got[0]}")
        shot(d, "08-exports")
        for n, (page, title) in enumerate((("dashboard", "Dashboard"), ("blocks", "Blocks"),
                                           ("allowlist", "Allowlist"), ("quarantine", "Flood"))):
            d.get(f"{c.origin}/ui/#/{page}")
            wait(d, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#view h1"), title),
                 f"the {page} page")
            no_candidate_links(d, hosts)
            shot(d, f"08{'abcd'[n]}-{page}")
        check(len(d.find_elements(By.CSS_SELECTOR, "tbody tr")) == 0, "no quarantine yet")
        cookie = d.get_cookie("hwsession")
        check(cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict", f"cookie {cookie}")
        check(d.execute_script("return document.cookie") == "", "the session cookie is HttpOnly")
        # a page on another origin tries a review with the reviewer's cookie
        Other.target = f"{c.origin}/api/v1/candidates/{ids[hosts[0]]}/review"
        other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
        threading.Thread(target=other.serve_forever, daemon=True).start()
        d.get(f"http://127.0.0.1:{other.server_address[1]}/")
        d.execute_script("document.getElementById('f').submit()")
        d.execute_async_script(
            "fetch(arguments[0], {method: 'POST', credentials: 'include', mode: 'no-cors',"
            " body: JSON.stringify({status: 'false_positive', note: 'x'})})"
            ".finally(() => arguments[1]())", Other.target)
        check(api(c, f"/api/v1/candidates/{ids[hosts[0]]}")["status"] == "new",
              "a request from another origin changed a candidate")
        other.shutdown()
        seen += requests_made(d)
        # log out: the session is over, its cookie worthless
        d.get(f"{c.origin}/ui/")
        wait(d, EC.visibility_of_element_located((By.ID, "logout")), "the logout button")
        d.find_element(By.ID, "logout").click()
        wait(d, EC.visibility_of_element_located((By.ID, "token")), "the login form again")
        shot(d, "09-logged-out")
        req = urllib.request.Request(f"{c.origin}/api/v1/status",
                                     headers={"Cookie": f"hwsession={cookie['value']}"})
        try:
            urllib.request.urlopen(req, timeout=5)
            fail("the session outlived the logout")
        except urllib.error.HTTPError as e:
            check(e.code == 401, f"after logout: {e.code}")
        # a viewer: no review controls, and a forged review is refused
        login(d, c, "viewer")
        d.get(f"{c.origin}/ui/#/candidate/{ids[hosts[2]]}")
        wait(d, EC.text_to_be_present_in_element((By.ID, "view"), "may view, not review"),
             "the viewer's candidate page")
        check(not d.find_elements(By.CSS_SELECTOR, "button[data-status]"), "review buttons for a viewer")
        shot(d, "10-viewer")
        got = d.execute_async_script(
            "fetch('/ui/api/session').then(r => r.json()).then(s => fetch(arguments[0],"
            " {method: 'POST', headers: {'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json'},"
            " body: JSON.stringify({status: 'confirmed', note: 'forged'})}))"
            ".then(r => arguments[1](r.status))",
            f"/api/v1/candidates/{ids[hosts[2]]}/review")
        check(got == 403, f"a review forged with a viewer's session: {got}")
        check(api(c, f"/api/v1/candidates/{ids[hosts[2]]}")["status"] == "new", "viewer changed it")
        seen += requests_made(d)
    finally:
        d.quit()
        shutil.rmtree(profile, True)
    for u in seen:
        parts = urllib.parse.urlsplit(u)
        # chrome:, data:, about: are the browser's own, not the network
        check(parts.scheme not in ("http", "https", "ws", "wss", "ftp") or
              parts.hostname == "127.0.0.1", f"a request left loopback: {u}")
    check(len(seen) > 10, f"the network log saw only {len(seen)} requests")
    print(f"ok: login, filter, review, audit, export, XSS as text, no links, viewer refused, "
          f"cross-origin refused, logout; {len(seen)} requests, all to loopback")


if __name__ == "__main__":
    main()
