#!/usr/bin/env python3
# gen_http2_seeds.py - write the seeds of the http2 fuzz target
# (fuzz_http2.c's record format) into corpus/http2/: valid exchanges with
# hand-encoded HPACK (static table indexes, literals, a table size update),
# padding, CONTINUATION, RST_STREAM, several streams, and a few broken
# ones.  Run from this folder: ./gen_http2_seeds.py corpus/http2
import os
import struct
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(t, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([t, flags]) + struct.pack(">I", sid) + payload


def lit(name_idx, value):  # literal with incremental indexing, indexed name
    return bytes([0x40 | name_idx, len(value)]) + value


def req(path=b"/a.jpg"):  # :method GET, :scheme https, :authority, :path
    return b"\x82\x87" + lit(1, b"www.example") + bytes([0x44, len(path)]) + path


def records(c2s, s2c, piece=100):
    out = b""
    for data, bit in ((c2s, 0), (s2c, 0x80)):
        for i in range(0, len(data), piece):
            chunk = data[i:i + piece]
            out += bytes([bit | len(chunk)]) + chunk
    return out


def seeds():
    body = bytes((i * 37) & 0xff for i in range(700))
    settings = frame(4, 0, 0)
    cli = PREFACE + settings + frame(1, 5, 1, req())
    srv = settings + frame(1, 4, 1, b"\x88") + frame(0, 0, 1, body[:300]) + \
        frame(0, 9, 1, b"\x04" + body[300:] + b"\0" * 4)
    yield "get-padded", records(cli, srv)
    yield "get-1byte", records(cli, srv, 1)
    blk = req(b"/continued/path")
    cli2 = PREFACE + settings + frame(1, 1, 1, blk[:5]) + frame(9, 0, 1, blk[5:9]) + frame(9, 4, 1, blk[9:])
    yield "continuation", records(cli2, srv)
    many_c = PREFACE + settings + b"".join(frame(1, 5, 2 * i + 1, req(b"/%d" % i)) for i in range(6))
    many_s = settings + b"".join(frame(1, 4, 2 * i + 1, b"\x88") for i in range(6)) + \
        b"".join(frame(0, 1, 2 * i + 1, body[:50]) for i in range(6))
    yield "six-streams", records(many_c, many_s)
    rst = settings + frame(1, 4, 1, b"\x88") + frame(0, 0, 1, body[:10]) + frame(3, 0, 1, b"\0\0\0\x08")
    yield "rst-stream", records(cli, rst)
    tbl = frame(4, 0, 0, struct.pack(">HI", 1, 8192))
    yield "table-size", records(PREFACE + tbl + frame(1, 5, 1, b"\x3f\xe1\x1f" + req()), tbl + srv[9:])
    push = settings + frame(5, 4, 1, b"\0\0\0\x02" + req(b"/pushed")) + frame(1, 4, 2, b"\x88") + \
        frame(0, 1, 2, body[:20]) + srv[9:]
    yield "push-promise", records(cli, push)
    hole = records(cli, srv[:60]) + b"\xff\x20" + records(b"", srv[60 + 32:])
    yield "hole-in-data", hole
    yield "bad-preface", records(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", b"")
    yield "data-on-stream-0", records(cli, settings + frame(0, 0, 0, b"x"))
    yield "goaway-ping-window", records(cli, settings + frame(6, 0, 0, b"12345678") +
                                        frame(8, 0, 1, b"\0\0\x10\0") + frame(7, 0, 0, b"\0\0\0\x01\0\0\0\0debug"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "corpus/http2"
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


main()
