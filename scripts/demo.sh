#!/usr/bin/env bash
# Runs the example agents on a live chain and prints the story of the
# economy (`make demo`).
#
# With a devnet answering on $RPC (the one `make start` runs), the demo uses
# it: its agents then keep their identities and reputations across runs.
# Otherwise it starts a throwaway single-validator devnet from config.yml
# (half-second blocks) for the demo and removes it afterwards.
#
# Environment: BIN, BINDIR (the agents' binaries), CONFIG, RPC_PORT and
# GRPC_PORT (defaults 26657 and 9090), PREFIX (agent names, default demo).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/agentchaind}
BINDIR=${BINDIR:-$ROOT/build}
CONFIG=${CONFIG:-$ROOT/config.yml}
RPC_PORT=${RPC_PORT:-26657}
GRPC_PORT=${GRPC_PORT:-9090}
RPC=tcp://127.0.0.1:$RPC_PORT

if "$BIN" status --node "$RPC" >/dev/null 2>&1; then
  echo "using the devnet running at $RPC"
else
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/agentchain-demo-XXXXXX")
  NODE_PID=""
  cleanup() {
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
      kill -TERM "$NODE_PID" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$NODE_PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
  }
  trap cleanup EXIT
  echo "no devnet at $RPC: starting a throwaway one in $DIR"
  "$BIN" testnet init-files --config "$CONFIG" --output-dir "$DIR" --validators 1 \
    --block-time 500ms --rpc-port "$RPC_PORT" --grpc-port "$GRPC_PORT" \
    --p2p-port "${P2P_PORT:-26656}" --api-port "${API_PORT:-1317}" --pprof-port "${PPROF_PORT:-6060}" >/dev/null
  "$BIN" start --home "$DIR/node0" >"$DIR/node.log" 2>&1 &
  NODE_PID=$!
  for i in $(seq 1 120); do
    if "$BIN" status --node "$RPC" 2>/dev/null | grep -q '"latest_block_height":"[1-9]'; then
      break
    fi
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      echo "the devnet node exited; its log:" >&2
      tail -n 30 "$DIR/node.log" >&2
      exit 1
    fi
    [ "$i" = 120 ] && { echo "the devnet did not start within a minute" >&2; exit 1; }
    sleep 0.5
  done
fi

"$BINDIR/agent-demo" --grpc "127.0.0.1:$GRPC_PORT" --rpc "http://127.0.0.1:$RPC_PORT" \
  --config "$CONFIG" --bin-dir "$BINDIR" --prefix "${PREFIX:-demo}"
