#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""check_events.py - checks the dataplane's JSON lines against what the
e2e test fetched.

  check_events.py --events FILE --digests FILE --fetched FILE
                  [--expected FILE] [--client-ip IP]... [--host HOST]...
                  [--bodies DIR] [--no-content FILE]... [--stats]

--digests is `http_server --digests` output (digest, ref = object number,
path and size of every object); --fetched lists the object numbers fetched,
one a line (an object fetched twice is there twice).  Asserts:
  - one complete `object` event per fetch, with the right path, size and
    xxh3-128 digest, and no other object event;
  - one `match` event per line "SET N" of --expected (the test writes one
    per fetch of an object listed in a set that was active then, from the
    set lists it built), with the right host, path, digest, set, category
    and ref, and no other match;
  - every event's `client` is a 32-hex-digit pseudonym, and no client
    address (--client-ip, in every textual form) appears anywhere;
  - no 31-byte run of any fetched body (--bodies DIR/<n>.bin), raw or in
    hex (and no 32-byte slice in base64), appears in the events or in any
    --no-content file;
  - with --stats: the last line is a stats event whose objects, matches
    and objects_complete counters equal the events'.
Prints one line per failed check and exits 1, or prints a summary and
exits 0.
"""
import argparse
import base64
import collections
import ipaddress
import json
import os
import re
import sys

errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL:", msg, file=sys.stderr)


def load_digests(path):
    objs = {}
    pat = re.compile(r"^xxh3-128 ([0-9a-f]{32}) 1 (\d+)\s+# (/obj/\d+\.bin) (\d+)$")
    with open(path) as f:
        for line in f:
            m = pat.match(line.strip())
            if not m:
                sys.exit(f"check_events: {path}: bad line {line!r}")
            objs[int(m.group(2))] = {"digest": m.group(1), "path": m.group(3),
                                     "size": int(m.group(4))}
    return objs


def load_events(path):
    events = []
    with open(path, "rb") as f:
        raw = f.read()
    for i, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as e:
            fail(f"{path}:{i}: not JSON ({e})")
    return raw, events


def check_objects(events, objs, fetched, hosts):
    got = collections.Counter()
    for e in (e for e in events if e.get("event") == "object"):
        m = re.fullmatch(r"/obj/(\d+)\.bin", e.get("path", ""))
        n = int(m.group(1)) if m else None
        if n is None or n not in fetched:
            fail(f"object event for something not fetched: {e.get('path')}")
            continue
        got[n] += 1
        want = objs[n]
        if not e.get("complete") or e.get("outcome") != "complete":
            fail(f"{want['path']}: not complete ({e.get('outcome')})")
        if e.get("size") != want["size"]:
            fail(f"{want['path']}: size {e.get('size')}, served {want['size']}")
        if e.get("digests", {}).get("xxh3-128") != want["digest"]:
            fail(f"{want['path']}: xxh3-128 {e.get('digests')} != {want['digest']}")
        if e.get("host") not in hosts:
            fail(f"{want['path']}: host {e.get('host')!r} not one of {sorted(hosts)}")
        if e.get("status") != 200 or e.get("method") != "GET":
            fail(f"{want['path']}: status {e.get('status')} method {e.get('method')}")
    for n, c in fetched.items():
        if got[n] != c:
            fail(f"/obj/{n}.bin fetched {c} times, {got[n]} object events")
    return sum(got.values())


def check_matches(events, objs, want, hosts):
    got = collections.Counter()
    for e in (e for e in events if e.get("event") == "match"):
        m = re.fullmatch(r"/obj/(\d+)\.bin", e.get("path", ""))
        n = int(m.group(1)) if m else -1
        key = (e.get("set"), n)
        got[key] += 1
        if key not in want:
            fail(f"unexpected match: set {key[0]} path {e.get('path')}")
            continue
        o = objs[n]
        for field, value in (("digest", o["digest"]), ("algo", "xxh3-128"),
                             ("category", 1), ("ref", n)):
            if e.get(field) != value:
                fail(f"match {key}: {field} {e.get(field)!r}, want {value!r}")
        if e.get("host") not in hosts:
            fail(f"match {key}: host {e.get('host')!r} not one of {sorted(hosts)}")
    for key, c in want.items():
        if got[key] != c:
            fail(f"set {key[0]} /obj/{key[1]}.bin: {got[key]} match events, want {c}")
    return sum(got.values())


def ip_forms(ip):
    a = ipaddress.ip_address(ip)
    forms = {str(a), a.exploded}
    if a.version == 4:
        forms |= {f"::ffff:{a}", a.packed.hex(), ipaddress.IPv6Address(f"::ffff:{a}").exploded}
    else:
        forms |= {a.packed.hex(), a.exploded.replace(":", "")}
    return forms


def check_clients(raw, events, client_ips):
    text = raw.decode("utf-8", "replace").lower()
    for ip in client_ips:
        for form in ip_forms(ip):
            if re.search(r"(?<![0-9a-f.:])" + re.escape(form.lower()) + r"(?![0-9a-f])", text):
                fail(f"client address {ip} appears in plain ({form})")
    pseudonyms = set()
    for e in events:
        if e.get("event") in ("object", "match"):
            c = e.get("client", "")
            if not re.fullmatch(r"[0-9a-f]{32}", c):
                fail(f"client field {c!r} is not a pseudonym")
            pseudonyms.add(c)
    if len(pseudonyms) > len(client_ips):
        fail(f"{len(pseudonyms)} pseudonyms for {len(client_ips)} client addresses")


def check_no_content(bodies, files, fetched):
    """Any run of 31 or more body bytes, raw or in hex, holds one of the
    body's 16-byte aligned blocks: look every block up among each file's
    16-byte windows (and 32-digit hex windows); base64 for three slices."""
    index = {}
    for path in files:
        with open(path, "rb") as f:
            b = f.read()
        low = b.lower()
        index[path] = (b, {b[i:i + 16] for i in range(len(b) - 15)},
                       {low[i:i + 32] for i in range(len(low) - 31)})
    for n in fetched:
        with open(os.path.join(bodies, f"{n}.bin"), "rb") as f:
            body = f.read()
        blocks = [(off, body[off:off + 16]) for off in range(0, len(body) - 15, 16)]
        b64 = [base64.b64encode(body[off:off + 32])[:40]
               for off in {0, len(body) // 2, len(body) - 32} if len(body) >= 32]
        for path, (blob, raw_w, hex_w) in index.items():
            leaked = [off for off, blk in blocks if blk in raw_w or blk.hex().encode() in hex_w]
            if leaked or any(x in blob for x in b64):
                fail(f"{path}: holds bytes of /obj/{n}.bin (offset {leaked[:1] or 'b64'})")


def check_stats(events, n_obj, n_match):
    last = events[-1] if events else {}
    if last.get("event") != "stats":
        fail("the last event is not a stats event")
        return
    complete = sum(1 for e in events if e.get("event") == "object" and e.get("complete"))
    for name, value in (("objects", n_obj), ("matches", n_match), ("objects_complete", complete)):
        if last.get(name) != value:
            fail(f"stats {name} = {last.get(name)}, events say {value}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", required=True)
    ap.add_argument("--digests", required=True)
    ap.add_argument("--fetched", required=True)
    ap.add_argument("--expected")
    ap.add_argument("--client-ip", action="append", default=[])
    ap.add_argument("--host", action="append", default=[])
    ap.add_argument("--bodies")
    ap.add_argument("--no-content", action="append", default=[])
    ap.add_argument("--stats", action="store_true")
    a = ap.parse_args()

    objs = load_digests(a.digests)
    with open(a.fetched) as f:
        fetched = collections.Counter(int(x) for x in f.read().split())
    want = collections.Counter()
    if a.expected:
        with open(a.expected) as f:
            want.update((s, int(n)) for s, n in (line.split() for line in f))
    raw, events = load_events(a.events)
    n_obj = check_objects(events, objs, fetched, set(a.host))
    n_match = check_matches(events, objs, want, set(a.host))
    check_clients(raw, events, a.client_ip)
    if a.bodies:
        check_no_content(a.bodies, [a.events] + a.no_content, fetched)
    if a.stats:
        check_stats(events, n_obj, n_match)
    if errors:
        print(f"check_events: {len(errors)} failed checks", file=sys.stderr)
        return 1
    print(f"check_events: ok: {n_obj} objects, {n_match} matches, "
          f"{len(events)} events, {sum(fetched.values())} fetches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
