package devnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/viper"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/agentchain/agentchain/app"
)

// Ports are the ports of node 0; node i uses each of them plus i*Stride.
type Ports struct {
	P2P, RPC, GRPC, API, Pprof int
	Stride                     int
}

// DefaultPorts are the usual Cosmos ports, so that a single-node devnet
// answers where wallets and tools look first; further nodes step by 10.
func DefaultPorts() Ports {
	return Ports{P2P: 26656, RPC: 26657, GRPC: 9090, API: 1317, Pprof: 6060, Stride: 10}
}

// Encoding is what the generator needs of the application's codecs.
type Encoding struct {
	Codec    codec.Codec
	TxConfig client.TxConfig
}

// Options say which network to write.
type Options struct {
	Config    *Config
	OutputDir string
	// NumValidators is the number of nodes, all validators. Zero means one
	// per validator in Config. Extra validators beyond Config's are generated
	// (validator<i>), bonding what the last configured validator bonds.
	NumValidators int
	// ChainID overrides genesis.chain_id of Config when set.
	ChainID string
	Ports   Ports
	// BlockTime sets consensus.timeout_commit when positive (it overrides
	// Config). TimeoutPropose likewise sets consensus.timeout_propose.
	BlockTime      time.Duration
	TimeoutPropose time.Duration
	// MinGasPrices is written into app.toml.
	MinGasPrices string
	// BaseDenom and DisplayDenom describe the native token in bank metadata.
	BaseDenom, DisplayDenom string
	DenomExponent           uint32
	Encoding                Encoding
	DefaultGenesis          map[string]json.RawMessage
	// ValidateGenesis, when set, checks the app state after the overrides.
	ValidateGenesis func(map[string]json.RawMessage) error
	GenesisTime     time.Time
}

// IndexedEvents are the event attributes a generated node's tx indexer
// keeps (app.toml index-events).
var IndexedEvents = []string{"message.sender", "message.action", "transfer.recipient"}

// IAVLCacheSize is the IAVL node cache a generated node keeps (the SDK's
// default is 781,250 nodes). The cache fills the heap with pointer-dense
// nodes the Go GC scans every cycle: in make loadtest, with 50,000 and
// GOGC=200 (agentchaind's default), the node's CPU per tx rose 1.12× over
// 10^5 txs (2.40 → 2.69 ms) instead of 1.23–1.33× (docs/validators.md).
const IAVLCacheSize = 50_000

// GCPercent is agentchaind's Go GC target when GOGC is not set: a node's
// heap holds caches (IAVL nodes, leveldb blocks) the GC scans every cycle,
// and 200 halves the cycles for a larger heap. In make loadtest it kept
// the node's CPU per tx within 1.12× over 10^5 txs (with IAVLCacheSize);
// docs/validators.md.
const GCPercent = 200

// Node is one node of a generated network.
type Node struct {
	Moniker   string `json:"moniker"`
	Home      string `json:"home"`
	NodeID    string `json:"node_id"`
	Validator string `json:"validator_operator"`
	P2P       string `json:"p2p"`
	RPC       string `json:"rpc"`
	GRPC      string `json:"grpc"`
	API       string `json:"api"`
	Pprof     string `json:"pprof"`
}

// AccountInfo is a funded genesis account of a generated network.
type AccountInfo struct {
	Name      string `json:"name"`
	Address   string `json:"address"`
	Coins     string `json:"coins"`
	Bonded    string `json:"bonded,omitempty"`
	Mnemonic  string `json:"mnemonic,omitempty"`
	InKeyring bool   `json:"in_keyring"`
}

// Network is the summary written to <output>/network.json.
type Network struct {
	ChainID  string        `json:"chain_id"`
	Nodes    []Node        `json:"nodes"`
	Accounts []AccountInfo `json:"accounts"`
}

// SummaryFile is the name of the network summary inside the output folder.
const SummaryFile = "network.json"

type keyedAccount struct {
	Account
	addr     sdk.AccAddress
	mnemonic string
	coins    sdk.Coins
}

// Generate writes the files of a network into opts.OutputDir, which must not
// exist yet or be empty, and returns its summary.
func Generate(opts Options) (*Network, error) {
	if opts.Config == nil {
		return nil, errors.New("no config")
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(opts.OutputDir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("output folder %s is not empty", opts.OutputDir)
	}
	cfg := opts.Config
	numVals := opts.NumValidators
	if numVals <= 0 {
		numVals = len(cfg.Validators)
	}
	if opts.Ports.Stride <= 0 && numVals > 1 {
		return nil, errors.New("port stride must be positive for several nodes")
	}

	chainID := opts.ChainID
	if chainID == "" {
		if s, ok := cfg.Genesis["chain_id"].(string); ok {
			chainID = s
		}
	}
	if chainID == "" {
		return nil, errors.New("no chain id: set genesis.chain_id in config.yml or pass one")
	}

	// Accounts, with keys derived or generated once so that every node's
	// keyring holds the same keys.
	accounts := make([]*keyedAccount, 0, len(cfg.Accounts)+numVals)
	byName := map[string]*keyedAccount{}
	for _, acc := range cfg.Accounts {
		coins, err := acc.ParsedCoins()
		if err != nil {
			return nil, err
		}
		ka := &keyedAccount{Account: acc, coins: coins}
		accounts = append(accounts, ka)
		byName[acc.Name] = ka
	}
	validators := make([]Validator, 0, numVals)
	for i := 0; i < numVals; i++ {
		if i < len(cfg.Validators) {
			validators = append(validators, cfg.Validators[i])
			continue
		}
		last := cfg.Validators[len(cfg.Validators)-1]
		bond, err := last.ParsedBond()
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("validator%d", i)
		if _, taken := byName[name]; taken {
			return nil, fmt.Errorf("generated validator name %q is already an account", name)
		}
		// A generated validator holds its bond plus 1,000 AGNT for fees.
		spare := sdk.NewCoin(bond.Denom, sdkmath.NewInt(1_000_000_000))
		ka := &keyedAccount{
			Account: Account{Name: name},
			coins:   sdk.NewCoins(bond).Add(spare),
		}
		accounts = append(accounts, ka)
		byName[name] = ka
		validators = append(validators, Validator{Name: name, Bonded: last.Bonded, App: last.App, Config: last.Config})
	}
	for _, ka := range accounts {
		if err := ka.resolveKey(opts.Encoding.Codec); err != nil {
			return nil, err
		}
	}

	genesisTime := opts.GenesisTime
	if genesisTime.IsZero() {
		genesisTime = time.Now().UTC()
	}
	baseGenesis, err := buildGenesis(opts, chainID, accounts, genesisTime)
	if err != nil {
		return nil, err
	}

	gentxsDir := filepath.Join(opts.OutputDir, "gentxs")
	if err := os.MkdirAll(gentxsDir, 0o750); err != nil {
		return nil, err
	}

	net := &Network{ChainID: chainID}
	cmtConfigs := make([]*cmtcfg.Config, numVals)
	for i, val := range validators {
		node, cmtConf, err := writeNode(opts, i, val, chainID, accounts, byName[val.Name], gentxsDir)
		if err != nil {
			return nil, fmt.Errorf("node %d (%s): %w", i, val.Name, err)
		}
		net.Nodes = append(net.Nodes, node)
		cmtConfigs[i] = cmtConf
	}

	// Every node collects the same gentxs into the same genesis; each one
	// also learns its persistent peers (all the others) from their memos.
	for i, cmtConf := range cmtConfigs {
		genesis := *baseGenesis
		if err := genesis.SaveAs(cmtConf.GenesisFile()); err != nil {
			return nil, err
		}
		_, pubKey, err := genutil.InitializeNodeValidatorFiles(cmtConf)
		if err != nil {
			return nil, err
		}
		initCfg := genutiltypes.NewInitConfig(chainID, gentxsDir, net.Nodes[i].NodeID, pubKey)
		if _, err := genutil.GenAppStateFromConfig(
			opts.Encoding.Codec, opts.Encoding.TxConfig, cmtConf, initCfg, &genesis,
			banktypes.GenesisBalancesIterator{}, genutiltypes.DefaultMessageValidator,
			opts.Encoding.TxConfig.SigningContext().ValidatorAddressCodec(),
		); err != nil {
			return nil, fmt.Errorf("collect gentxs for %s: %w", net.Nodes[i].Moniker, err)
		}
		// Config overrides from config.yml are applied last, over what the
		// collection step wrote.
		if err := applyTOMLOverrides(cmtConf, validators[i], opts); err != nil {
			return nil, err
		}
	}

	for _, ka := range accounts {
		info := AccountInfo{
			Name:      ka.Name,
			Address:   ka.addr.String(),
			Coins:     ka.coins.String(),
			Mnemonic:  ka.mnemonic,
			InKeyring: ka.mnemonic != "",
		}
		for _, v := range validators {
			if v.Name == ka.Name {
				info.Bonded = v.Bonded
			}
		}
		net.Accounts = append(net.Accounts, info)
	}
	bz, err := json.MarshalIndent(net, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(opts.OutputDir, SummaryFile), bz, 0o600); err != nil {
		return nil, err
	}
	return net, nil
}

// resolveKey gives the account its address and, unless it is address-only,
// a mnemonic (generated when config.yml has none).
func (ka *keyedAccount) resolveKey(cdc codec.Codec) error {
	if ka.Address != "" {
		addr, err := sdk.AccAddressFromBech32(ka.Address)
		if err != nil {
			return err
		}
		ka.addr = addr
		return nil
	}
	kr := keyring.NewInMemory(cdc)
	path := sdk.GetConfig().GetFullBIP44Path()
	var rec *keyring.Record
	var err error
	if ka.Mnemonic != "" {
		rec, err = kr.NewAccount(ka.Name, ka.Mnemonic, "", path, hd.Secp256k1)
		ka.mnemonic = ka.Mnemonic
	} else {
		rec, ka.mnemonic, err = kr.NewMnemonic(ka.Name, keyring.English, path, "", hd.Secp256k1)
	}
	if err != nil {
		return fmt.Errorf("key of %s: %w", ka.Name, err)
	}
	ka.addr, err = rec.GetAddress()
	return err
}

// buildGenesis returns the genesis before gentxs: default module states,
// the accounts and balances, the native token's metadata and config.yml's
// overrides merged over all of it.
func buildGenesis(opts Options, chainID string, accounts []*keyedAccount, genesisTime time.Time) (*genutiltypes.AppGenesis, error) {
	cdc := opts.Encoding.Codec
	state := make(map[string]json.RawMessage, len(opts.DefaultGenesis))
	for k, v := range opts.DefaultGenesis {
		state[k] = v
	}

	var authGen authtypes.GenesisState
	if err := cdc.UnmarshalJSON(state[authtypes.ModuleName], &authGen); err != nil {
		return nil, err
	}
	var bankGen banktypes.GenesisState
	if err := cdc.UnmarshalJSON(state[banktypes.ModuleName], &bankGen); err != nil {
		return nil, err
	}
	genAccounts := make([]authtypes.GenesisAccount, 0, len(accounts))
	seen := map[string]bool{}
	for _, ka := range accounts {
		if seen[ka.addr.String()] {
			return nil, fmt.Errorf("account %s: address %s is funded twice", ka.Name, ka.addr)
		}
		seen[ka.addr.String()] = true
		genAccounts = append(genAccounts, authtypes.NewBaseAccount(ka.addr, nil, 0, 0))
		bankGen.Balances = append(bankGen.Balances, banktypes.Balance{Address: ka.addr.String(), Coins: ka.coins})
	}
	packed, err := authtypes.PackAccounts(genAccounts)
	if err != nil {
		return nil, err
	}
	authGen.Accounts = append(authGen.Accounts, packed...)
	if opts.BaseDenom != "" && opts.DisplayDenom != "" {
		bankGen.DenomMetadata = append(bankGen.DenomMetadata, banktypes.Metadata{
			Description: "The native token of agentchain: fees, staking and agent payments.",
			DenomUnits: []*banktypes.DenomUnit{
				{Denom: opts.BaseDenom, Exponent: 0},
				{Denom: opts.DisplayDenom, Exponent: opts.DenomExponent},
			},
			Base:    opts.BaseDenom,
			Display: opts.DisplayDenom,
			Name:    opts.DisplayDenom,
			Symbol:  opts.DisplayDenom,
		})
	}
	if state[authtypes.ModuleName], err = cdc.MarshalJSON(&authGen); err != nil {
		return nil, err
	}
	if state[banktypes.ModuleName], err = cdc.MarshalJSON(&bankGen); err != nil {
		return nil, err
	}

	// Overrides: config.yml's genesis section is merged into the genesis
	// file; chain_id and app_state are the keys agentchain reads.
	var overrides map[string]any
	for k, v := range opts.Config.Genesis {
		switch k {
		case "chain_id":
		case "app_state":
			m, ok := v.(map[string]any)
			if !ok {
				return nil, errors.New("genesis.app_state must be a map")
			}
			overrides = m
		default:
			return nil, fmt.Errorf("genesis.%s: only chain_id and app_state can be overridden", k)
		}
	}
	appState, err := mergeAppState(state, overrides)
	if err != nil {
		return nil, err
	}
	// Catch a typo in the overrides now rather than at the first block.
	var decoded map[string]json.RawMessage
	if err := json.Unmarshal(appState, &decoded); err != nil {
		return nil, err
	}
	for name, raw := range decoded {
		if _, known := opts.DefaultGenesis[name]; !known {
			return nil, fmt.Errorf("genesis.app_state.%s: no such module", name)
		}
		decoded[name] = raw
	}
	if opts.ValidateGenesis != nil {
		if err := opts.ValidateGenesis(decoded); err != nil {
			return nil, fmt.Errorf("genesis after config.yml overrides: %w", err)
		}
	}

	return &genutiltypes.AppGenesis{
		ChainID:       chainID,
		GenesisTime:   genesisTime,
		InitialHeight: 1,
		AppState:      appState,
		Consensus:     genutiltypes.NewConsensusGenesis(cmttypes.DefaultConsensusParams().ToProto(), nil),
	}, nil
}

func mergeAppState(state map[string]json.RawMessage, overrides map[string]any) (json.RawMessage, error) {
	generic := make(map[string]any, len(state))
	for k, raw := range state {
		var v any
		if len(raw) == 0 { // modules without genesis state (consensus)
			generic[k] = nil
			continue
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		generic[k] = v
	}
	merged := deepMerge(generic, overrides)
	return json.MarshalIndent(merged, "", "  ")
}

// deepMerge returns dst with src merged in: maps merge key by key, any other
// value in src replaces dst's.
func deepMerge(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = deepMerge(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
	return dst
}

// writeNode writes one node's home: CometBFT and app configuration, node and
// validator keys, a test keyring with every keyed account, and its gentx.
func writeNode(
	opts Options, i int, val Validator, chainID string, accounts []*keyedAccount, operator *keyedAccount, gentxsDir string,
) (Node, *cmtcfg.Config, error) {
	home, err := filepath.Abs(filepath.Join(opts.OutputDir, fmt.Sprintf("node%d", i)))
	if err != nil {
		return Node{}, nil, err
	}
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o750); err != nil {
		return Node{}, nil, err
	}
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o750); err != nil {
		return Node{}, nil, err
	}

	p := opts.Ports
	off := i * p.Stride
	node := Node{
		Moniker: val.Name,
		Home:    home,
		P2P:     fmt.Sprintf("127.0.0.1:%d", p.P2P+off),
		RPC:     fmt.Sprintf("127.0.0.1:%d", p.RPC+off),
		GRPC:    fmt.Sprintf("127.0.0.1:%d", p.GRPC+off),
		API:     fmt.Sprintf("127.0.0.1:%d", p.API+off),
		Pprof:   fmt.Sprintf("127.0.0.1:%d", p.Pprof+off),
	}

	conf := cmtcfg.DefaultConfig()
	conf.SetRoot(home)
	conf.Moniker = val.Name
	conf.P2P.ListenAddress = "tcp://" + node.P2P
	// Several nodes share 127.0.0.1: let them peer with each other.
	conf.P2P.AllowDuplicateIP = true
	conf.P2P.AddrBookStrict = false
	conf.RPC.ListenAddress = "tcp://" + node.RPC
	conf.RPC.PprofListenAddress = node.Pprof
	// Every agentkit client streams its own txs' events over one websocket
	// subscription: CometBFT's default of 100 subscribing clients is too
	// few for a node that serves many agents.
	conf.RPC.MaxSubscriptionClients = 1000
	// The ABCI app runs in-process; this socket is only listened on in
	// standalone mode, but a distinct value keeps nodes from colliding there too.
	conf.ProxyApp = fmt.Sprintf("tcp://127.0.0.1:%d", p.Pprof+off+1)
	// Written explicitly: the SDK would turn CometBFT's default 1 s into 5 s
	// when it writes config.toml itself.
	conf.Consensus.TimeoutCommit = time.Second
	// CometBFT's 3 s default stalls a stopped validator's proposer turns
	// for long on a local network; 1 s is plenty on loopback.
	conf.Consensus.TimeoutPropose = time.Second
	if opts.BlockTime > 0 {
		conf.Consensus.TimeoutCommit = opts.BlockTime
	}
	if opts.TimeoutPropose > 0 {
		conf.Consensus.TimeoutPropose = opts.TimeoutPropose
	}

	nodeID, valPubKey, err := genutil.InitializeNodeValidatorFiles(conf)
	if err != nil {
		return Node{}, nil, err
	}
	node.NodeID = nodeID
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), conf)

	appConf := serverconfig.DefaultConfig()
	appConf.MinGasPrices = opts.MinGasPrices
	appConf.API.Enable = true
	appConf.API.Address = "tcp://" + node.API
	appConf.GRPC.Enable = true
	appConf.GRPC.Address = node.GRPC
	appConf.Telemetry.Enabled = false
	// The tx indexer writes a key for every indexed event attribute of
	// every tx, and its database's compactions grow with it: index only
	// what clients search by (a wallet's txs: message.sender and
	// transfer.recipient; the kind of message). Lookups by hash (GetTx)
	// and the event stream need no indexed attribute. docs/validators.md
	// has the settings for validators and RPC nodes.
	appConf.IndexEvents = IndexedEvents
	appConf.IAVLCacheSize = IAVLCacheSize
	appPath := filepath.Join(home, "config", "app.toml")
	serverconfig.WriteConfigFile(appPath, appConf)
	// agentchain's own section, with its defaults.
	if err := appendFile(appPath, app.ConfigSection(app.DefaultVerifiedSignatureCache)); err != nil {
		return Node{}, nil, err
	}

	if err := writeClientConfig(home, chainID, "tcp://"+node.RPC); err != nil {
		return Node{}, nil, err
	}

	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, opts.Encoding.Codec)
	if err != nil {
		return Node{}, nil, err
	}
	path := sdk.GetConfig().GetFullBIP44Path()
	for _, ka := range accounts {
		if ka.mnemonic == "" {
			continue
		}
		if _, err := kr.NewAccount(ka.Name, ka.mnemonic, "", path, hd.Secp256k1); err != nil {
			return Node{}, nil, fmt.Errorf("keyring: %w", err)
		}
	}

	node.Validator = sdk.ValAddress(operator.addr).String()
	if err := writeGentx(opts, kr, chainID, val, operator, valPubKey, node, gentxsDir); err != nil {
		return Node{}, nil, err
	}
	return node, conf, nil
}

func writeGentx(
	opts Options, kr keyring.Keyring, chainID string, val Validator, operator *keyedAccount,
	valPubKey cryptotypes.PubKey, node Node, gentxsDir string,
) error {
	bond, err := val.ParsedBond()
	if err != nil {
		return err
	}
	// Commission: 10% now, at most 20%, changing by at most 1% a day.
	msg, err := stakingtypes.NewMsgCreateValidator(
		node.Validator, valPubKey, bond,
		stakingtypes.NewDescription(val.Name, "", "", "", ""),
		stakingtypes.NewCommissionRates(
			sdkmath.LegacyNewDecWithPrec(10, 2), sdkmath.LegacyNewDecWithPrec(20, 2), sdkmath.LegacyNewDecWithPrec(1, 2),
		),
		sdkmath.OneInt(),
	)
	if err != nil {
		return err
	}
	memo := fmt.Sprintf("%s@%s", node.NodeID, node.P2P)
	txb := opts.Encoding.TxConfig.NewTxBuilder()
	if err := txb.SetMsgs(msg); err != nil {
		return err
	}
	txb.SetGasLimit(300_000)
	txb.SetMemo(memo)
	txf := tx.Factory{}.
		WithChainID(chainID).
		WithMemo(memo).
		WithKeybase(kr).
		WithTxConfig(opts.Encoding.TxConfig)
	if err := tx.Sign(context.Background(), txf, operator.Name, txb, true); err != nil {
		return fmt.Errorf("sign gentx: %w", err)
	}
	bz, err := opts.Encoding.TxConfig.TxJSONEncoder()(txb.GetTx())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(gentxsDir, val.Name+".json"), bz, 0o600)
}

const clientTemplate = `# agentchaind client settings for this node (written by agentchaind testnet init-files).
chain-id = %q
keyring-backend = "test"
keyring-default-keyname = ""
output = "text"
node = %q
broadcast-mode = "sync"
`

// appendFile appends text to the file at path.
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func writeClientConfig(home, chainID, node string) error {
	return os.WriteFile(filepath.Join(home, "config", "client.toml"),
		[]byte(fmt.Sprintf(clientTemplate, chainID, node)), 0o600)
}

// applyTOMLOverrides applies config.yml's per-validator config (config.toml)
// and app (app.toml) maps, then re-applies the flags that override config.yml.
func applyTOMLOverrides(conf *cmtcfg.Config, val Validator, opts Options) error {
	home := conf.RootDir
	cmtPath := filepath.Join(home, "config", "config.toml")
	if len(val.Config) > 0 || opts.BlockTime > 0 || opts.TimeoutPropose > 0 {
		v := viper.New()
		v.SetConfigFile(cmtPath)
		if err := v.ReadInConfig(); err != nil {
			return err
		}
		for k, value := range flatten("", val.Config) {
			v.Set(k, value)
		}
		if opts.BlockTime > 0 {
			v.Set("consensus.timeout_commit", opts.BlockTime.String())
		}
		if opts.TimeoutPropose > 0 {
			v.Set("consensus.timeout_propose", opts.TimeoutPropose.String())
		}
		out := cmtcfg.DefaultConfig()
		if err := v.Unmarshal(out); err != nil {
			return fmt.Errorf("config.toml overrides: %w", err)
		}
		out.SetRoot(home)
		if err := out.ValidateBasic(); err != nil {
			return fmt.Errorf("config.toml overrides: %w", err)
		}
		cmtcfg.WriteConfigFile(cmtPath, out)
	}
	if len(val.App) > 0 {
		appPath := filepath.Join(home, "config", "app.toml")
		v := viper.New()
		v.SetConfigFile(appPath)
		if err := v.ReadInConfig(); err != nil {
			return err
		}
		for k, value := range flatten("", val.App) {
			v.Set(k, value)
		}
		appConf, err := serverconfig.ParseConfig(v)
		if err != nil {
			return fmt.Errorf("app.toml overrides: %w", err)
		}
		if err := appConf.ValidateBasic(); err != nil {
			return fmt.Errorf("app.toml overrides: %w", err)
		}
		serverconfig.WriteConfigFile(appPath, appConf)
		size := app.DefaultVerifiedSignatureCache
		if v.IsSet(app.FlagVerifiedSignatureCache) {
			size = v.GetInt(app.FlagVerifiedSignatureCache)
		}
		if err := appendFile(appPath, app.ConfigSection(size)); err != nil {
			return err
		}
	}
	return nil
}

// flatten turns nested maps into dotted viper keys, in a stable order.
func flatten(prefix string, m map[string]any) map[string]any {
	out := map[string]any{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		full := k
		if prefix != "" {
			full = prefix + "." + k
		}
		if sub, ok := m[k].(map[string]any); ok {
			for sk, sv := range flatten(full, sub) {
				out[sk] = sv
			}
			continue
		}
		out[full] = m[k]
	}
	return out
}

// LoadSummary reads the network.json of a generated network.
func LoadSummary(outputDir string) (*Network, error) {
	bz, err := os.ReadFile(filepath.Join(outputDir, SummaryFile))
	if err != nil {
		return nil, err
	}
	var n Network
	if err := json.Unmarshal(bz, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// Describe renders the endpoints and funded accounts of a network.
func (n *Network) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chain id: %s\n", n.ChainID)
	for _, node := range n.Nodes {
		fmt.Fprintf(&b, "node %s (home %s)\n", node.Moniker, node.Home)
		fmt.Fprintf(&b, "  CometBFT RPC  http://%s   (websocket ws://%s/websocket)\n", node.RPC, node.RPC)
		fmt.Fprintf(&b, "  gRPC          %s\n", node.GRPC)
		fmt.Fprintf(&b, "  REST          http://%s\n", node.API)
	}
	fmt.Fprintf(&b, "funded accounts (keys in the test keyring of every node home):\n")
	for _, acc := range n.Accounts {
		role := ""
		if acc.Bonded != "" {
			role = " validator, bonded " + acc.Bonded
		}
		if !acc.InKeyring {
			role += " (address only, no key)"
		}
		fmt.Fprintf(&b, "  %-12s %s  %s%s\n", acc.Name, acc.Address, acc.Coins, role)
	}
	return b.String()
}
