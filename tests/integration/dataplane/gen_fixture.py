# gen_fixture.py - what the dataplane's Python integration tests share: a
# generated capture with the set of its known digests, and a fixed client
# key so that pseudonyms compare between runs.  Synthetic data only.
import os
import subprocess


def capture_with_set(tmp, gen, set_tool, scenario, seed):
    """tmp/c.pcap from hashwall-gen, tmp/k.hws (set gen-known v1) of its
    known digests, tmp/key (32 fixed bytes, mode 0600)."""
    subprocess.run([gen, "--scenario", scenario, "--seed", seed, "--out", tmp + "/c.pcap",
                    "--list", tmp + "/k.list"], capture_output=True, check=True)
    subprocess.run([set_tool, "build", "--in", tmp + "/k.list", "--out", tmp + "/k.hws",
                    "--id", "gen-known", "--version", "1"], capture_output=True, check=True)
    fd = os.open(tmp + "/key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, bytes(range(32)))
    os.close(fd)
