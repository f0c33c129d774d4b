#!/usr/bin/env bash
# Runs a single-validator agentchain devnet in the foreground (`make start`).
#
# The network comes from config.yml and lives in $DEVNET_DIR (default .devnet),
# which is kept between runs so the next start resumes the chain; RESET=1 wipes
# it first. Ctrl-C stops the node cleanly.
#
# Environment: BIN (agentchaind binary), CONFIG (config.yml), DEVNET_DIR, RESET,
# LOG_LEVEL, and the ports of a new devnet: P2P_PORT RPC_PORT GRPC_PORT API_PORT
# PPROF_PORT (defaults 26656 26657 9090 1317 6060).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/agentchaind}
CONFIG=${CONFIG:-$ROOT/config.yml}
DEVNET_DIR=${DEVNET_DIR:-$ROOT/.devnet}
NODE_HOME=$DEVNET_DIR/node0

if [ "${RESET:-0}" = 1 ]; then
  echo "RESET=1: removing $DEVNET_DIR"
  rm -rf "$DEVNET_DIR"
fi

if [ ! -f "$NODE_HOME/config/genesis.json" ]; then
  rm -rf "$DEVNET_DIR"
  "$BIN" testnet init-files \
    --config "$CONFIG" --output-dir "$DEVNET_DIR" --validators 1 \
    --p2p-port "${P2P_PORT:-26656}" --rpc-port "${RPC_PORT:-26657}" \
    --grpc-port "${GRPC_PORT:-9090}" --api-port "${API_PORT:-1317}" \
    --pprof-port "${PPROF_PORT:-6060}" >/dev/null
  echo "new devnet written to $DEVNET_DIR from $CONFIG"
else
  echo "resuming the devnet in $DEVNET_DIR (make start RESET=1 starts over)"
  if [ "$CONFIG" -nt "$NODE_HOME/config/genesis.json" ]; then
    echo "note: $CONFIG changed after this devnet was created; RESET=1 applies it"
  fi
fi

"$BIN" testnet describe --output-dir "$DEVNET_DIR"
cat <<MSG
CLI:     $BIN --home $NODE_HOME <command>
         e.g. $BIN --home $NODE_HOME query bank balances \$($BIN --home $NODE_HOME keys show bob -a)
Stop:    Ctrl-C (the next make start resumes this chain)

MSG

exec "$BIN" start --home "$NODE_HOME" --log_level "${LOG_LEVEL:-info}"
