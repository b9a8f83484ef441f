#!/usr/bin/env bash
# coverage.sh [GO_TEST_OUTPUT]: print a per-package statement-coverage table
# and fail when a package is below MIN_COVERAGE percent. Examples and internal
# test helpers (internal/*test) are reported but not enforced. Without an
# argument it runs the tests (with -race) itself; with one it reads the output
# of an earlier `go test -cover ./...` run.
set -euo pipefail
min=${MIN_COVERAGE:-80}
out=${1:-}
if [ -z "$out" ]; then
	out=$(mktemp)
	trap 'rm -f "$out"' EXIT
	${GO:-go} test -race -count=1 -cover ./... >"$out" 2>&1 || { cat "$out"; exit 1; }
fi

fail=0
printf '%-45s %8s  %s\n' package coverage verdict
while read -r line; do
	pkg=$(awk '{for (i=1;i<=NF;i++) if ($i ~ /^github.com\/tunekit\//) {print $i; exit}}' <<<"$line")
	[ -n "$pkg" ] || continue
	pct=$(grep -o 'coverage: [0-9.]*%' <<<"$line" | grep -o '[0-9.]*' || true)
	[ -n "$pct" ] || continue
	rel=${pkg#github.com/tunekit/tunekit}
	rel=${rel#/}
	verdict=ok
	case "$rel" in
	examples/* | internal/*test) verdict=exempt ;;
	*) if awk -v p="$pct" -v m="$min" 'BEGIN{exit !(p < m)}'; then verdict="FAIL (< $min%)"; fail=1; fi ;;
	esac
	printf '%-45s %7s%%  %s\n' "${rel:-.}" "$pct" "$verdict"
done <"$out"
exit $fail
