package agentkit

import (
	"context"
	"flag"
	"fmt"
	"os"

	sdkmath "cosmossdk.io/math"
)

// Flags are the command-line flags an agent program takes to reach a node
// and load its key:
//
//	var f agentkit.Flags
//	f.Register(flag.CommandLine)
//	flag.Parse()
//	c, err := f.Dial(ctx)
type Flags struct {
	Config Config
	Key    KeySource
}

// Register adds --grpc, --rpc, --chain-id, --gas-price, --mnemonic (default
// $AGENT_MNEMONIC), --keyring-dir, --keyring-backend and --key to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Config.GRPC, "grpc", "127.0.0.1:9090", "node gRPC address")
	fs.StringVar(&f.Config.RPC, "rpc", "http://127.0.0.1:26657", "node CometBFT RPC address (events)")
	fs.StringVar(&f.Config.ChainID, "chain-id", "", "chain id (default: read from the node)")
	fs.StringVar(&f.Config.GasPrice, "gas-price", "", "gas price (default 0.0025uagnt)")
	fs.StringVar(&f.Key.Mnemonic, "mnemonic", os.Getenv("AGENT_MNEMONIC"), "the agent key's BIP-39 mnemonic (default $AGENT_MNEMONIC)")
	fs.StringVar(&f.Key.KeyringDir, "keyring-dir", "", "use a key of this agentchaind keyring instead of a mnemonic")
	fs.StringVar(&f.Key.KeyringBackend, "keyring-backend", "test", "keyring backend (test, file, os)")
	fs.StringVar(&f.Key.KeyName, "key", "", "name of the key in the keyring")
}

// Dial loads the key and connects.
func (f *Flags) Dial(ctx context.Context) (*Client, error) {
	key, err := LoadKey(f.Key)
	if err != nil {
		return nil, err
	}
	return Dial(ctx, f.Config, key)
}

// FormatScore prints a 0-100 reputation score with one decimal, truncated
// (72.5), for logs and people; the chain's score has 18 decimals.
func FormatScore(score sdkmath.LegacyDec) string {
	if score.IsNil() {
		return "0.0"
	}
	tenths := score.MulInt64(10).TruncateInt64()
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
}
