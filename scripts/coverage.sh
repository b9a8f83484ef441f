#!/usr/bin/env bash
# coverage.sh: run the tests with statement coverage, print a table and fail
# when a package is below MIN_COVERAGE percent. Examples and internal test
# helpers (internal/*test) are reported but not enforced.
set -euo pipefail
min=${MIN_COVERAGE:-80}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -count=1 -cover ./... >"$out" 2>&1 || { cat "$out"; exit 1; }

fail=0
printf '%-55s %8s  %s\n' package coverage verdict
while read -r line; do
	pkg=$(awk '{for (i=1;i<=NF;i++) if ($i ~ /^github.com\//) {print $i; exit}}' <<<"$line")
	[ -n "$pkg" ] || continue
	pct=$(grep -o 'coverage: [0-9.]*%' <<<"$line" | grep -o '[0-9.]*' || true)
	if grep -q 'no test files' <<<"$line"; then pct=${pct:-0.0}; fi
	[ -n "$pct" ] || continue
	rel=${pkg#github.com/tunekit/tunekit}
	rel=${rel#/}
	verdict=ok
	case "$rel" in
	examples/* | internal/*test) verdict=exempt ;;
	*) if awk -v p="$pct" -v m="$min" 'BEGIN{exit !(p < m)}'; then verdict="FAIL (< $min%)"; fail=1; fi ;;
	esac
	printf '%-55s %7s%%  %s\n' "${rel:-.}" "$pct" "$verdict"
done <"$out"
exit $fail
