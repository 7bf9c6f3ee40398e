#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The committed JSON Schema must be exactly what tests/gen-schema makes from the table:
# a table change without a regenerated schema fails here.
set -eu
out=$(mktemp)
trap 'rm -f "$out"' EXIT
./tests/gen-schema >"$out"
if ! cmp -s "$out" "${srcdir:-.}/schemas/cgapply.schema.json"; then
	echo "schemas/cgapply.schema.json is stale; regenerate it:"
	echo "  tests/gen-schema > schemas/cgapply.schema.json"
	diff -u "${srcdir:-.}/schemas/cgapply.schema.json" "$out" | head -n 40
	exit 1
fi
echo "1 passed, 0 failed"
