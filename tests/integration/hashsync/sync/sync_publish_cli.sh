#!/usr/bin/env bash
# sync_publish_cli.sh - hashwall-publish's command-line contract: exit
# codes (0 ok, 1 refused, 2 usage, 3 failure), messages that name the bad
# input, keys that are never overwritten, and the export layout.
source "$(dirname "$0")/sync_lib.sh"

# run EXPECTED_RC ARGS...: run hashwall-publish, check its exit code.
run() {
	local want=$1 rc=0
	shift
	"$PUBLISH" "$@" >out.txt 2>err.txt || rc=$?
	expect_eq "$rc" "$want" "exit code of hashwall-publish $*"
}

run 0 keygen --secret a.sec --public a.pub
expect_eq "$(stat -c %a a.sec)" 600 "secret key mode"
expect_eq "$(cut -d' ' -f2 a.pub)" "$(cat out.txt)" "keygen prints the public key"
run 3 keygen --secret a.sec --public b.pub
expect_eq "$(grep -c 'File exists' err.txt)" 1 "keygen refuses to overwrite"
run 2 keygen --secret only.sec
run 2 frobnicate
run 2 snapshot --secret a.sec --set nl --version x --in l --out o
printf 'md5 00112233445566778899aabbccddeeff 1 7\nmd5 xyz\n' >bad.list
run 3 snapshot --secret a.sec --set nl --version 1 --in bad.list --out s.hwb
expect_eq "$(grep -c 'bad.list:2:' err.txt)" 1 "a bad list line is named"
expect_eq "$(ls s.hwb 2>/dev/null | wc -l)" 0 "nothing written for a bad list"
install -m 600 a.pub pub-as-secret
run 3 snapshot --secret pub-as-secret --set nl --version 1 --in bad.list --out s.hwb
expect_eq "$(grep -c 'not a hashwall secret key file' err.txt)" 1 "a public key is not a secret key"
run 2 snapshot --secret a.sec --set nl --version 1 --in bad.list --expires 3x --out s.hwb
run 2 delta --secret a.sec --set nl --version 3 --base 3 --add bad.list --out d.hwb
list good.list g 10
run 0 snapshot --secret a.sec --set nl --version 1 --in good.list --expires 12h --out s1.hwb
run 0 delta --secret a.sec --set nl --version 2 --base 1 --remove good.list --out d2.hwb
run 0 export --dir www s1.hwb d2.hwb
expect_eq "$(ls www/nl | tr '\n' ' ')" "1-snapshot.hwb 2-delta.hwb index.json " "export layout"
expect_eq "$(json_field latest <www/nl/index.json)" 2 "index points at the latest version"
cmp -s s1.hwb www/nl/1-snapshot.hwb || fail "exported bundle differs"
# An index that is there but not strict JSON is refused, never replaced.
cp www/nl/index.json good-index.json
printf '{"set":"nl","latest":2,"latest":2,"deltas":[],"roots":[]}' >www/nl/index.json
cp www/nl/index.json dup-index.json
run 3 export --dir www s1.hwb
expect_eq "$(grep -c 'index.json: duplicate key "latest"; fix or remove it' err.txt)" 1 "index refusal"
cmp -s dup-index.json www/nl/index.json || fail "a refused index was rewritten"
cp good-index.json www/nl/index.json
printf 'not a bundle' >junk.hwb
run 3 export --dir www junk.hwb
run 2 push --url https://127.0.0.1:1/v1/bundles s1.hwb
run 3 push --url https://127.0.0.1:1/v1/bundles --token-file token s1.hwb
echo "PASS sync_publish_cli"
