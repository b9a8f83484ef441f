#!/usr/bin/env bash
# check.sh: the release validation behind `make check`. Runs every step even
# when one fails, then prints a summary of successes, warnings and errors and
# exits non-zero on any error. Each step's full output is shown only when it
# fails or warns.
set -uo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
STATICCHECK=${STATICCHECK:-"$GO run honnef.co/go/tools/cmd/staticcheck@v0.8.2"}
export TUNEKIT_REQUIRE_REDIS=1 TUNEKIT_REQUIRE_PROMTOOL=1

passed=() warned=() failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# step NAME COMMAND...: run COMMAND, record the outcome. A step warns when it
# succeeds but prints a line starting with the warning mark.
# With -v first, the step's output is always shown.
step() {
	local verbose=0
	[ "$1" = -v ] && { verbose=1; shift; }
	local name=$1
	shift
	printf '── %s\n' "$name"
	if "$@" >"$log" 2>&1; then
		[ $verbose = 1 ] && cat "$log"
		if grep -qE '^[[:space:]]*⚠' "$log"; then
			warned+=("$name")
			grep -E '^[[:space:]]*⚠' "$log"
		else
			passed+=("$name")
		fi
	else
		failed+=("$name")
		cat "$log"
	fi
}

gofmt_clean() {
	local out
	out=$(gofmt -l $(git ls-files '*.go'))
	[ -z "$out" ] || { echo "gofmt would change:"; echo "$out"; return 1; }
}

step "gofmt" gofmt_clean
step "go vet" $GO vet ./...
step "go mod tidy" $GO mod tidy -diff
step "go mod verify" $GO mod verify
step "staticcheck" $STATICCHECK ./...
step "secrets scan" $GO run ./internal/cmd/secretscan
step "doc.go, examples, doc comments" $GO run ./internal/cmd/doccheck
step "alert rules and dashboard (promtool)" $GO test -count=1 ./deploy/ ./internal/cmd/genrules/
# One test run serves both: race detection and the coverage table.
tests=$(mktemp)
trap 'rm -f "$log" "$tests"' EXIT
race_tests() { $GO test -race -count=1 -cover ./... >"$tests" 2>&1 || { cat "$tests"; return 1; }; }
step "race tests" race_tests
step -v "coverage >= ${MIN_COVERAGE:-80}% per package" scripts/coverage.sh "$tests"

echo
echo "Summary"
for s in "${passed[@]}"; do echo "  ✓ $s"; done
for s in "${warned[@]}"; do echo "  ⚠ $s"; done
for s in "${failed[@]}"; do echo "  ✗ $s"; done
echo "  ${#passed[@]} passed, ${#warned[@]} with warnings, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
