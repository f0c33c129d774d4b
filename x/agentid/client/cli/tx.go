// Package cli holds the agentid commands that autocli cannot generate:
// those that sign a key proof with the agent's key.
package cli

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/agentchain/agentchain/x/agentid/types"
)

const (
	flagAgentKey      = "agent-key"
	flagAgentAddress  = "agent-address"
	flagProof         = "proof"
	flagNonce         = "nonce"
	flagPayoutAddress = "payout-address"
	flagCardURI       = "card-uri"
	flagCardHash      = "card-hash"
	flagCapabilities  = "capabilities"
	flagEndpoint      = "endpoint"
)

// TxCmd returns the module's tx command; autocli adds the generated ones.
func TxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Agent identities: register, update, rotate keys, cap spending, attest",
		DisableFlagParsing:         false,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(RegisterAgentCmd(), RotateAgentKeyCmd(), SignKeyProofCmd())
	return cmd
}

// RegisterAgentCmd registers an agent owned by --from.
func RegisterAgentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "register-agent [name]",
		Short: "Register an agent owned by --from, binding its key with a key proof",
		Long: `Registers an agent named [name], owned by the --from account, which pays the
registration deposit (see 'query agentid params').

The agent address is bound with a proof that its key agrees:
  --agent-key NAME      a key in this keyring: the proof is signed here
  --agent-address ADDR --proof FILE
                        a key held elsewhere: its holder ran 'sign-key-proof' there
  neither               the owner's own address is the agent address (no proof needed)`,
		Example: `agentchaind tx agentid register-agent summarizer --agent-key summarizer-hot \
  --capabilities summarize,translate --endpoint a2a=https://sum.example/a2a \
  --card-uri https://sum.example/card.json --card-hash <sha256 hex> --from owner`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			owner := clientCtx.GetFromAddress()
			agentAddr, proof, err := bindingFromFlags(cmd, clientCtx, owner)
			if err != nil {
				return err
			}
			payout, _ := cmd.Flags().GetString(flagPayoutAddress)
			cardURI, _ := cmd.Flags().GetString(flagCardURI)
			cardHash, err := hashFlag(cmd, flagCardHash)
			if err != nil {
				return err
			}
			caps, _ := cmd.Flags().GetStringSlice(flagCapabilities)
			endpoints, err := endpointsFlag(cmd)
			if err != nil {
				return err
			}
			msg := &types.MsgRegisterAgent{
				Owner:         owner.String(),
				Name:          args[0],
				AgentAddress:  agentAddr.String(),
				Proof:         proof,
				PayoutAddress: payout,
				CardUri:       cardURI,
				CardHash:      cardHash,
				Capabilities:  caps,
				Endpoints:     endpoints,
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	addBindingFlags(cmd)
	cmd.Flags().String(flagPayoutAddress, "", "address the market pays (default: the agent address)")
	cmd.Flags().String(flagCardURI, "", "URI of the agent card (A2A-style JSON)")
	cmd.Flags().String(flagCardHash, "", "sha256 of the agent card, hex")
	cmd.Flags().StringSlice(flagCapabilities, nil, "capability tags, comma-separated")
	cmd.Flags().StringArray(flagEndpoint, nil, "endpoint as protocol=url (protocols: a2a, mcp, https); repeatable")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// RotateAgentKeyCmd binds a new agent address.
func RotateAgentKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotate-agent-key [agent-id]",
		Short: "Bind a new agent address to an agent, with a key proof (owner)",
		Long: `Replaces the agent address of [agent-id]. The new key proves it agrees, as for
register-agent: --agent-key NAME (signed here), or --agent-address ADDR --proof FILE
(signed elsewhere with sign-key-proof), or neither to use the owner's own address.`,
		Example: `agentchaind tx agentid rotate-agent-key 1 --agent-key summarizer-hot-2 --from owner`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			var id uint64
			if _, err := fmt.Sscan(args[0], &id); err != nil {
				return fmt.Errorf("agent id %q: %w", args[0], err)
			}
			owner := clientCtx.GetFromAddress()
			agentAddr, proof, err := bindingFromFlags(cmd, clientCtx, owner)
			if err != nil {
				return err
			}
			msg := &types.MsgRotateAgentKey{
				Owner: owner.String(), AgentId: id, NewAgentAddress: agentAddr.String(), Proof: proof,
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	addBindingFlags(cmd)
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// SignKeyProofCmd prints a key proof for an agent key held in this keyring,
// for an owner who registers or rotates from elsewhere.
func SignKeyProofCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign-key-proof [owner-address]",
		Short: "Sign, with the --from key, a proof that it agrees to be bound to an agent of [owner-address]",
		Long: `Prints the JSON key proof that the owner passes to register-agent or rotate-agent-key
with --agent-address and --proof. Nothing is broadcast. The proof is valid on this chain id,
for this owner only, once: its nonce must exceed the last one used for the agent address
(queried from the node unless --nonce is given).`,
		Example: `agentchaind tx agentid sign-key-proof agent1owner... --from summarizer-hot > proof.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			owner, err := sdk.AccAddressFromBech32(args[0])
			if err != nil {
				return fmt.Errorf("owner address: %w", err)
			}
			agentAddr := clientCtx.GetFromAddress()
			nonce, err := nonceFor(cmd, clientCtx, agentAddr)
			if err != nil {
				return err
			}
			proof, err := SignKeyProof(clientCtx.Keyring, clientCtx.GetFromName(), clientCtx.ChainID, owner, agentAddr, nonce)
			if err != nil {
				return err
			}
			out := proofFile{AgentAddress: agentAddr.String(), PubKey: hex.EncodeToString(proof.PubKey), Nonce: proof.Nonce, Signature: hex.EncodeToString(proof.Signature)}
			bz, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), string(bz))
			return err
		},
	}
	cmd.Flags().Uint64(flagNonce, 0, "proof nonce (default: the last nonce used for the address, plus one)")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// proofFile is the JSON that sign-key-proof prints and --proof reads.
type proofFile struct {
	AgentAddress string `json:"agent_address"`
	PubKey       string `json:"pub_key"`
	Nonce        uint64 `json:"nonce"`
	Signature    string `json:"signature"`
}

func addBindingFlags(cmd *cobra.Command) {
	cmd.Flags().String(flagAgentKey, "", "keyring key to bind as the agent address (signs the key proof here)")
	cmd.Flags().String(flagAgentAddress, "", "agent address whose key signed --proof elsewhere")
	cmd.Flags().String(flagProof, "", "file with the JSON key proof printed by sign-key-proof")
	cmd.Flags().Uint64(flagNonce, 0, "proof nonce (default: the last nonce used for the address, plus one)")
}

// bindingFromFlags returns the agent address to bind and its proof.
func bindingFromFlags(cmd *cobra.Command, clientCtx client.Context, owner sdk.AccAddress) (sdk.AccAddress, *types.KeyProof, error) {
	keyName, _ := cmd.Flags().GetString(flagAgentKey)
	addrStr, _ := cmd.Flags().GetString(flagAgentAddress)
	proofPath, _ := cmd.Flags().GetString(flagProof)
	switch {
	case keyName != "" && (addrStr != "" || proofPath != ""):
		return nil, nil, errors.New("give --agent-key, or --agent-address with --proof, not both")
	case keyName != "":
		rec, err := clientCtx.Keyring.Key(keyName)
		if err != nil {
			return nil, nil, fmt.Errorf("agent key %q: %w", keyName, err)
		}
		addr, err := rec.GetAddress()
		if err != nil {
			return nil, nil, err
		}
		if addr.Equals(owner) {
			return addr, nil, nil
		}
		nonce, err := nonceFor(cmd, clientCtx, addr)
		if err != nil {
			return nil, nil, err
		}
		proof, err := SignKeyProof(clientCtx.Keyring, keyName, clientCtx.ChainID, owner, addr, nonce)
		return addr, proof, err
	case addrStr != "" || proofPath != "":
		if addrStr == "" || proofPath == "" {
			return nil, nil, errors.New("--agent-address and --proof go together")
		}
		addr, err := sdk.AccAddressFromBech32(addrStr)
		if err != nil {
			return nil, nil, fmt.Errorf("--agent-address: %w", err)
		}
		proof, err := readProofFile(proofPath, addr)
		return addr, proof, err
	default:
		return owner, nil, nil
	}
}

func readProofFile(path string, addr sdk.AccAddress) (*types.KeyProof, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pf proofFile
	if err := json.Unmarshal(bz, &pf); err != nil {
		return nil, fmt.Errorf("proof file: %w", err)
	}
	if pf.AgentAddress != addr.String() {
		return nil, fmt.Errorf("the proof is for %s, not %s", pf.AgentAddress, addr)
	}
	pub, err := hex.DecodeString(pf.PubKey)
	if err != nil {
		return nil, fmt.Errorf("proof pub_key: %w", err)
	}
	sig, err := hex.DecodeString(pf.Signature)
	if err != nil {
		return nil, fmt.Errorf("proof signature: %w", err)
	}
	return &types.KeyProof{PubKey: pub, Nonce: pf.Nonce, Signature: sig}, nil
}

// nonceFor returns --nonce, or the chain's last nonce for addr plus one.
func nonceFor(cmd *cobra.Command, clientCtx client.Context, addr sdk.AccAddress) (uint64, error) {
	if n, _ := cmd.Flags().GetUint64(flagNonce); n > 0 {
		return n, nil
	}
	if clientCtx.Offline || clientCtx.GenerateOnly {
		return 0, errors.New("offline: pass --nonce (greater than the last nonce used for the agent address)")
	}
	res, err := types.NewQueryClient(clientCtx).BindingNonce(cmd.Context(), &types.QueryBindingNonceRequest{Address: addr.String()})
	if err != nil {
		return 0, fmt.Errorf("query the last binding nonce: %w", err)
	}
	return res.Nonce + 1, nil
}

// SignKeyProof signs the binding digest with a keyring key. The key must be
// a secp256k1 key (the usual Cosmos account key).
func SignKeyProof(kr keyring.Keyring, keyName, chainID string, owner, agent sdk.AccAddress, nonce uint64) (*types.KeyProof, error) {
	if chainID == "" {
		return nil, errors.New("no chain id: pass --chain-id or set it in client.toml")
	}
	digest := types.BindingDigest(chainID, owner, agent, nonce)
	sig, pub, err := kr.Sign(keyName, digest, signing.SignMode_SIGN_MODE_DIRECT)
	if err != nil {
		return nil, fmt.Errorf("sign key proof with %q: %w", keyName, err)
	}
	secp, ok := pub.(*secp256k1.PubKey)
	if !ok {
		return nil, fmt.Errorf("key %q is a %s key; agent keys must be secp256k1", keyName, pub.Type())
	}
	return &types.KeyProof{PubKey: secp.Key, Nonce: nonce, Signature: sig}, nil
}

func hashFlag(cmd *cobra.Command, name string) ([]byte, error) {
	s, _ := cmd.Flags().GetString(name)
	if s == "" {
		return nil, nil
	}
	bz, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		return nil, fmt.Errorf("--%s: want hex: %w", name, err)
	}
	return bz, nil
}

func endpointsFlag(cmd *cobra.Command) ([]types.Endpoint, error) {
	raw, _ := cmd.Flags().GetStringArray(flagEndpoint)
	out := make([]types.Endpoint, 0, len(raw))
	for _, r := range raw {
		proto, url, ok := strings.Cut(r, "=")
		if !ok {
			return nil, fmt.Errorf("--endpoint %q: want protocol=url", r)
		}
		out = append(out, types.Endpoint{Protocol: proto, Url: url})
	}
	return out, nil
}
