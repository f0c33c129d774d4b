#!/usr/bin/env bash
# Runs an N-validator agentchain network on 127.0.0.1 in the background
# (`make localnet`, `make localnet-stop`).
#
#   localnet.sh start   write the network (unless it exists) and start every node
#   localnet.sh stop    stop every node (SIGTERM, then SIGKILL after 20 s)
#   localnet.sh status  print each node's height and app hash
#
# Environment: BIN, CONFIG, LOCALNET_DIR (default .localnet), VALIDATORS
# (default 4), RESET=1 to start over, BLOCK_TIME (e.g. 1s), LOG_LEVEL, and the
# ports of node 0 (P2P_PORT RPC_PORT GRPC_PORT API_PORT PPROF_PORT, defaults
# 26656 26657 9090 1317 6060); node i adds i*PORT_STRIDE (default 10).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/agentchaind}
CONFIG=${CONFIG:-$ROOT/config.yml}
DIR=${LOCALNET_DIR:-$ROOT/.localnet}
N=${VALIDATORS:-4}

stop_nodes() {
  local pids=()
  for f in "$DIR"/node*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$f"
  done
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo "localnet stopped (${#pids[@]} node(s))"
}

case "${1:-start}" in
start)
  if [ "${RESET:-0}" = 1 ]; then
    stop_nodes
    rm -rf "$DIR"
  fi
  if [ ! -f "$DIR/network.json" ]; then
    rm -rf "$DIR"
    args=(--config "$CONFIG" --output-dir "$DIR" --validators "$N"
      --p2p-port "${P2P_PORT:-26656}" --rpc-port "${RPC_PORT:-26657}"
      --grpc-port "${GRPC_PORT:-9090}" --api-port "${API_PORT:-1317}"
      --pprof-port "${PPROF_PORT:-6060}" --port-stride "${PORT_STRIDE:-10}")
    if [ -n "${BLOCK_TIME:-}" ]; then args+=(--block-time "$BLOCK_TIME"); fi
    "$BIN" testnet init-files "${args[@]}" >/dev/null
  fi
  for home in "$DIR"/node*/; do
    home=${home%/}
    name=$(basename "$home")
    if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
      echo "$name already running"
      continue
    fi
    nohup "$BIN" start --home "$home" --log_level "${LOG_LEVEL:-info}" >>"$DIR/$name.log" 2>&1 &
    echo $! >"$DIR/$name.pid"
  done
  "$BIN" testnet describe --output-dir "$DIR"
  echo "logs: $DIR/node*.log    stop: make localnet-stop"
  ;;
stop)
  stop_nodes
  ;;
status)
  for home in "$DIR"/node*/; do
    home=${home%/}
    if out=$("$BIN" --home "$home" status 2>/dev/null); then
      height=$(grep -o '"latest_block_height":"[0-9]*"' <<<"$out" | grep -o '[0-9]*')
      hash=$(grep -o '"latest_app_hash":"[0-9A-F]*"' <<<"$out" | cut -d'"' -f4)
      echo "$(basename "$home") height $height app hash $hash"
    else
      echo "$(basename "$home") not answering"
    fi
  done
  ;;
*)
  echo "usage: $0 start|stop|status" >&2
  exit 2
  ;;
esac
