#!/usr/bin/env bash
# The whole test suite: formatting, vet, migration numbering, and every Go
# test with the race detector on both stores (SQLite and a real
# PostgreSQL 15, which this script starts and prepares).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './vendor/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== migration numbering"
for dir in internal/store/*/migrations; do
  [ -d "$dir" ] || continue
  dups=$(ls "$dir" | sed -n 's/^\([0-9]\+\)_.*/\1/p' | sort | uniq -d)
  if [ -n "$dups" ]; then echo "duplicate migration numbers in $dir: $dups"; exit 1; fi
done

echo "== PostgreSQL"
TEST_POSTGRES_DSN=$(./scripts/test-postgres.sh | tail -n 1)
export TEST_POSTGRES_DSN TEST_POSTGRES_REQUIRED=1

echo "== go test (race detector, SQLite and PostgreSQL)"
go test -race -count=1 -timeout 80m ./...
