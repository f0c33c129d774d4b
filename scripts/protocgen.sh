#!/usr/bin/env bash
# Regenerates every *.pb.go and *.pb.gw.go from proto/agentchain, offline, and
# the TypeScript client's generated sources (ts/src/gen and the tables beside it).
#
#   protocgen.sh           write the generated code into the module tree
#   protocgen.sh --check   fail if the committed code differs from a fresh generation
#
# Imported protos come from the Go module cache at the versions in go.mod and are
# copied into third_party/proto (git-ignored). Needs buf, protoc-gen-gocosmos,
# protoc-gen-grpc-gateway and protoc-gen-swagger on PATH (make tools installs
# them into tools/bin). Also writes the OpenAPI document of the REST routes,
# docs/openapi/agentchain.swagger.json.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
MODULE=github.com/agentchain/agentchain
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

for tool in buf protoc-gen-gocosmos protoc-gen-grpc-gateway protoc-gen-swagger node npm; do
  command -v "$tool" >/dev/null || { echo "protocgen: $tool not on PATH (run make tools; node and npm for TypeScript)" >&2; exit 1; }
done
# ts-proto, at the version ts/package-lock.json pins.
if [ ! -x ts/node_modules/.bin/protoc-gen-ts_proto ]; then
  npm ci --prefix ts --no-audit --no-fund >/dev/null
fi

go mod download github.com/cosmos/cosmos-sdk github.com/cosmos/gogoproto github.com/cosmos/cosmos-proto github.com/grpc-ecosystem/grpc-gateway
moddir() { go list -m -f '{{.Dir}}' "$1"; }
SDK=$(moddir github.com/cosmos/cosmos-sdk)
GOGO=$(moddir github.com/cosmos/gogoproto)
COSMOS_PROTO=$(moddir github.com/cosmos/cosmos-proto)
GATEWAY=$(moddir github.com/grpc-ecosystem/grpc-gateway)

rm -rf third_party/proto
mkdir -p third_party/proto/gogoproto third_party/proto/cosmos_proto third_party/proto/google/api
cp -r "$SDK/proto/cosmos" "$SDK/proto/amino" "$SDK/proto/tendermint" third_party/proto/
cp "$GOGO/gogoproto/gogo.proto" third_party/proto/gogoproto/
cp "$COSMOS_PROTO/proto/cosmos_proto/cosmos.proto" third_party/proto/cosmos_proto/
cp "$GATEWAY/third_party/googleapis/google/api/annotations.proto" \
  "$GATEWAY/third_party/googleapis/google/api/http.proto" third_party/proto/google/api/
chmod -R u+w third_party/proto

mapfile -t PKGS < <(find proto/agentchain -name '*.proto' -exec dirname {} \; 2>/dev/null | sort -u)
if [ "${#PKGS[@]}" -eq 0 ]; then
  echo "protocgen: no proto packages under proto/agentchain"
  exit 0
fi

buf lint --path proto/agentchain

# The generated files committed in the tree.
committed() {
  find x types -type f \( -name '*.pb.go' -o -name '*.pb.gw.go' \) 2>/dev/null || true
}

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for pkg in "${PKGS[@]}"; do
  buf generate --template buf.gen.gogo.yaml --path "$pkg" -o "$OUT"
done
GEN="$OUT/$MODULE"

# TypeScript (ts/src/gen, with every import), the registry of messages, and
# the amino and event tables read from the descriptors (a buf image as JSON).
TS_TABLES=(registry.ts amino-schema.ts event-types.ts)
buf generate --template buf.gen.ts.yaml --path proto/agentchain --include-imports -o "$OUT"
node scripts/ts-registry.mjs "$OUT/ts/src/gen" "$OUT/ts/src/registry.ts"
buf build --path proto/agentchain -o "$OUT/image.json"
node scripts/ts-descriptors.mjs "$OUT/image.json" "$OUT/ts/src"

# One OpenAPI document for every query service's REST routes.
OPENAPI=docs/openapi/agentchain.swagger.json
mapfile -t QUERIES < <(find proto/agentchain -name query.proto | sort)
buf generate --template buf.gen.swagger.yaml $(printf -- '--path %s ' "${QUERIES[@]}") -o "$OUT"
# A title, and operation ids unique across modules (agentid_Params, ...).
sed -e 's|"title": "agentchain/[a-z]*/v1/query.proto"|"title": "agentchain REST API (gRPC gateway)"|' \
  -e 's|"version": "version not set"|"version": "v1"|' "$OUT/$OPENAPI" |
  awk '/^    "\/agentchain\// { split($0, p, "/"); mod = p[3] }
       /"operationId": "Query_/ { sub(/"Query_/, "\"" mod "_") }
       { print }' >"$OUT/openapi.json"

if [ "$CHECK" = 0 ]; then
  # Remove generated files whose proto is gone, then copy the fresh ones in.
  committed | while read -r f; do
    [ -f "$GEN/$f" ] || { echo "removing stale $f"; rm -f "$f"; }
  done
  cp -r "$GEN"/. .
  mkdir -p "$(dirname "$OPENAPI")"
  cp "$OUT/openapi.json" "$OPENAPI"
  rm -rf ts/src/gen && mkdir -p ts/src
  cp -r "$OUT/ts/src/gen" ts/src/gen
  for f in "${TS_TABLES[@]}"; do cp "$OUT/ts/src/$f" "ts/src/$f"; done
  echo "protocgen: generated ${#PKGS[@]} package(s), $OPENAPI and ts/src (TypeScript)"
  exit 0
fi

status=0
while read -r f; do
  rel=${f#"$GEN"/}
  if [ ! -f "$rel" ]; then
    echo "proto-check: $rel is not committed"
    status=1
  elif ! cmp -s "$f" "$rel"; then
    echo "proto-check: $rel differs from a fresh generation"
    status=1
  fi
done < <(find "$GEN" -type f)
while read -r f; do
  [ -f "$GEN/$f" ] || { echo "proto-check: $f has no proto source"; status=1; }
done < <(committed)
if ! cmp -s "$OUT/openapi.json" "$OPENAPI"; then
  echo "proto-check: $OPENAPI differs from a fresh generation"
  status=1
fi
if ! diff -r -q "$OUT/ts/src/gen" ts/src/gen >/dev/null 2>&1; then
  diff -r -q "$OUT/ts/src/gen" ts/src/gen 2>&1 | sed 's/^/proto-check: /' | head -20
  echo "proto-check: ts/src/gen (TypeScript) differs from a fresh generation"
  status=1
fi
for f in "${TS_TABLES[@]}"; do
  if ! cmp -s "$OUT/ts/src/$f" "ts/src/$f"; then
    echo "proto-check: ts/src/$f differs from a fresh generation"
    status=1
  fi
done
if [ "$status" = 0 ]; then
  echo "proto-check: generated code is up to date (${#PKGS[@]} package(s))"
else
  echo "proto-check: run make proto-gen and commit the result" >&2
fi
exit "$status"
