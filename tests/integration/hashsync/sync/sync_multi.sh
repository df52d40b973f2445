#!/usr/bin/env bash
# sync_multi.sh - two hotlines feed one appliance, each with its own set,
# keys and push token: each installs its own set, neither can touch the
# other's (with its token or with its keys), offline verify finds the
# hotline by the signing key, and status and metrics list both sets.
source "$(dirname "$0")/sync_lib.sh"

two_hotlines_config
start_syncd "$CONFIG"
list a.txt a 20
list b.txt b 30
"$PUBLISH" snapshot --secret nl.sec --set nl --version 3 --in a.txt --out nl3.hwb >/dev/null
"$PUBLISH" snapshot --secret be.sec --set be --version 7 --in b.txt --out be7.hwb >/dev/null
"$PUBLISH" snapshot --secret be.sec --set nl --version 4 --in b.txt --out be-as-nl.hwb >/dev/null

out=$(push nl3.hwb)
expect_eq "${out%% *}" 200 "nl with nl's token"
expect_eq "$(echo "$out" | json_field dataplane)" none "hand-over without a control socket"
expect_eq "$(push be7.hwb token-be | cut -d' ' -f1)" 200 "be with be's token"
expect_eq "$(push be7.hwb | json_field error)" unknown-key "be's bundle with nl's token"
expect_eq "$(push be-as-nl.hwb | json_field error)" unknown-key "nl's set signed by be's key"
expect_eq "$(push nl3.hwb token-be | json_field error)" unknown-key "nl's bundle with be's token"
expect_eq "$("$SYNCD" verify --config "$CONFIG" be7.hwb)" \
	"refused: version-not-newer: snapshot version 7 is not newer than the installed 7" "verify picks be"
expect_eq "$("$SYNCD" status --config "$CONFIG" | grep -c '"installed_version"')" 2 "sets in status"
expect_eq "$(curl -s --cacert cert.pem "https://127.0.0.1:$PORT/metrics" | grep '^hashwall_sync_installed_version')" \
	"$(printf 'hashwall_sync_installed_version{set="nl"} 3\nhashwall_sync_installed_version{set="be"} 7')" \
	"metrics for both sets"
# A lost set file does not reopen the door to older bundles: the state
# keeps the highest version ever installed.
"$PUBLISH" snapshot --secret nl.sec --set nl --version 2 --in b.txt --out nl2.hwb >/dev/null
kill "$SYNCD_PID"
wait "$SYNCD_PID" || true
rm sets/nl.hws
start_syncd "$CONFIG"
expect_eq "$(push nl2.hwb | json_field error)" version-not-newer "an older snapshot after the set file was lost"
"$PUBLISH" snapshot --secret nl.sec --set nl --version 4 --in a.txt --out nl4.hwb >/dev/null
expect_eq "$(push nl4.hwb | cut -d' ' -f1)" 200 "a newer snapshot after the set file was lost"
echo "PASS sync_multi"
