#!/usr/bin/env bash
# sync_modes.sh - issue 14, item 10: under umask 022, syncd gives what it
# creates its own modes (state_dir 0700 and its files 0600, set_dir 0750,
# set files 0640), the command-line tools make files as open(2) would, and
# a private key or token that group or others may read is refused with a
# message that says how to fix it.
source "$(dirname "$0")/sync_lib.sh"
umask 022

mode() { stat -c %a "$1"; }
# run_fails WHAT PATTERN CMD...: CMD fails and its stderr holds PATTERN.
run_fails() {
	local what=$1 pattern=$2 rc=0
	shift 2
	"$@" >out.txt 2>err.txt || rc=$?
	[[ $rc -ne 0 ]] || fail "$what: exit code 0"
	grep -qF -- "$pattern" err.txt || fail "$what: no '$pattern' in: $(cat err.txt)"
}

keys k1
listen_config 1 k1
sed -i "s|$WORK/state|$WORK/var/sync/state|; s|$WORK/sets|$WORK/var/sets|" "$CONFIG"
start_syncd "$CONFIG"
list l1.txt a 20
"$PUBLISH" snapshot --secret k1.sec --set nl --version 1 --in l1.txt --out s1.hwb >/dev/null
expect_eq "$(push s1.hwb | cut -d' ' -f1)" 200 "push"
expect_eq "$(mode var/sync/state)" 700 "state_dir"
expect_eq "$(mode var/sync/state/nl.state.json)" 600 "state file"
expect_eq "$(mode var/sync/state/syncd.lock)" 600 "lock file"
expect_eq "$(mode var/sets)" 750 "set_dir"
expect_eq "$(mode var/sets/nl.hws)" 640 "set file"
expect_eq "$(mode var)" 755 "a parent syncd made"
kill "$SYNCD_PID"
wait "$SYNCD_PID" || true

# The tools make files as open(2) would: 0666 less the umask.
expect_eq "$(mode s1.hwb)" 644 "bundle under umask 022"
(umask 077 && "$PUBLISH" snapshot --secret k1.sec --set nl --version 2 --in l1.txt --out s2.hwb >/dev/null)
expect_eq "$(mode s2.hwb)" 600 "bundle under umask 077"
(umask 027 && "$PUBLISH" export --dir www s1.hwb >/dev/null)
expect_eq "$(mode www/nl) $(mode www/nl/index.json)" "750 640" "export under umask 027"

# Secrets that group or others may read are refused, with the fix.
chmod 640 k1.sec
run_fails "group-readable secret key" "chmod 600 k1.sec" \
	"$PUBLISH" snapshot --secret k1.sec --set nl --version 3 --in l1.txt --out s3.hwb
chmod 600 k1.sec
chmod 644 token
run_fails "world-readable token" "chmod 600 token" \
	"$PUBLISH" push --url "https://127.0.0.1:$PORT/v1/bundles" --token-file token s1.hwb
chmod 600 token
chmod 644 key.pem
run_fails "world-readable TLS key" "chmod 600 $WORK/key.pem" "$SYNCD" run --config "$CONFIG"
echo "PASS sync_modes"
