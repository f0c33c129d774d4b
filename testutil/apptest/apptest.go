// Package apptest runs agentchain's real application in-process for
// integration tests and benchmarks: a genesis with one bonded validator and
// deterministic funded accounts, signed transactions, and blocks executed
// through FinalizeBlock and Commit exactly as CometBFT would drive them.
package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/codec"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/app"
)

// ChainID is the chain id of in-process test chains.
const ChainID = "agentchain-test-1"

// Account is a funded genesis account whose key the test holds.
type Account struct {
	Priv   cryptotypes.PrivKey
	Addr   sdk.AccAddress
	AccNum uint64
	Seq    uint64
}

// String returns the account's bech32 address.
func (a *Account) String() string { return a.Addr.String() }

// Options shape a test chain.
type Options struct {
	// Accounts is the number of funded accounts (default 10).
	Accounts int
	// Balance is what each account holds (default 10^12 uagnt).
	Balance sdk.Coins
	// ModifyGenesis may change the default genesis before InitChain.
	ModifyGenesis func(cdc codec.Codec, state map[string]json.RawMessage)
	// DB is the database (default: in memory).
	DB dbm.DB
	// AppState, when set, is the whole genesis app state (for example an
	// export), used instead of building one; Accounts then only lists keys.
	AppState []byte
	// AppOptions are the node's options (app.toml's keys; default none).
	AppOptions servertypes.AppOptions
	// BaseAppOptions are applied after the chain id (e.g. the IAVL cache
	// size a node's app.toml sets).
	BaseAppOptions []func(*baseapp.BaseApp)
}

// TestApp is a running in-process chain.
type TestApp struct {
	*app.App
	tb       testing.TB
	Height   int64
	Time     time.Time
	Accounts []*Account
	// Proposer is the consensus address of the single validator.
	Proposer sdk.ConsAddress
}

// New starts a chain at height 1 with one bonded validator and funded
// accounts with deterministic keys.
func New(tb testing.TB, opts Options) *TestApp {
	tb.Helper()
	if opts.Accounts <= 0 {
		opts.Accounts = 10
	}
	if opts.Balance == nil {
		opts.Balance = sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(1_000_000_000_000)))
	}
	db := opts.DB
	if db == nil {
		db = dbm.NewMemDB()
	}
	appOpts := opts.AppOptions
	if appOpts == nil {
		appOpts = sims.EmptyAppOptions{}
	}
	a := app.New(log.NewNopLogger(), db, nil, true, appOpts, append([]func(*baseapp.BaseApp){baseapp.SetChainID(ChainID)}, opts.BaseAppOptions...)...)

	// One validator with a deterministic consensus key.
	valPriv := ed25519.GenPrivKeyFromSecret([]byte("apptest-validator"))
	cmtPub, err := cryptocodec.ToCmtPubKeyInterface(valPriv.PubKey())
	if err != nil {
		tb.Fatal(err)
	}
	validator := cmttypes.NewValidator(cmtPub, 1)
	valSet := cmttypes.NewValidatorSet([]*cmttypes.Validator{validator})

	accounts := make([]*Account, opts.Accounts)
	genAccs := make([]authtypes.GenesisAccount, opts.Accounts)
	balances := make([]banktypes.Balance, opts.Accounts)
	for i := range accounts {
		priv := secp256k1.GenPrivKeyFromSecret([]byte(fmt.Sprintf("apptest-account-%d", i)))
		addr := sdk.AccAddress(priv.PubKey().Address())
		accounts[i] = &Account{Priv: priv, Addr: addr, AccNum: uint64(i)}
		genAccs[i] = authtypes.NewBaseAccount(addr, nil, uint64(i), 0)
		balances[i] = banktypes.Balance{Address: addr.String(), Coins: opts.Balance}
	}

	stateBytes := opts.AppState
	if stateBytes == nil {
		genesis := a.DefaultGenesis()
		genesis, err = sims.GenesisStateWithValSet(a.AppCodec(), genesis, valSet, genAccs, balances...)
		if err != nil {
			tb.Fatal(err)
		}
		if opts.ModifyGenesis != nil {
			opts.ModifyGenesis(a.AppCodec(), genesis)
		}
		stateBytes, err = json.Marshal(genesis)
		if err != nil {
			tb.Fatal(err)
		}
	}

	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := a.InitChain(&abci.RequestInitChain{
		ChainId:         ChainID,
		Time:            start,
		AppStateBytes:   stateBytes,
		ConsensusParams: consensusParams(),
		InitialHeight:   1,
	}); err != nil {
		tb.Fatalf("init chain: %v", err)
	}

	ta := &TestApp{
		App:      a,
		tb:       tb,
		Time:     start,
		Accounts: accounts,
		Proposer: sdk.ConsAddress(valPriv.PubKey().Address()),
	}
	ta.NextBlock(nil)
	return ta
}

// consensusParams are the SDK test defaults without a block gas or size
// limit low enough to cut a benchmark block of a thousand txs short (a
// devnet genesis has no block gas limit either).
func consensusParams() *cmtproto.ConsensusParams {
	p := *sims.DefaultConsensusParams
	block := *p.Block
	block.MaxGas = -1
	block.MaxBytes = 22020096
	p.Block = &block
	return &p
}

// NextBlock executes a block of raw txs at the next height and commits it.
func (ta *TestApp) NextBlock(txs [][]byte) *abci.ResponseFinalizeBlock {
	ta.tb.Helper()
	res, err := ta.FinalizeAndCommit(txs)
	if err != nil {
		ta.tb.Fatalf("block %d: %v", ta.Height+1, err)
	}
	return res
}

// FinalizeAndCommit executes and commits a block; it returns an error
// instead of failing the test, for callers that measure or expect failure.
func (ta *TestApp) FinalizeAndCommit(txs [][]byte) (*abci.ResponseFinalizeBlock, error) {
	ta.Height++
	ta.Time = ta.Time.Add(time.Second)
	res, err := ta.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height:          ta.Height,
		Time:            ta.Time,
		Txs:             txs,
		ProposerAddress: ta.Proposer,
	})
	if err != nil {
		return nil, err
	}
	if _, err := ta.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// Tx describes a transaction to sign.
type Tx struct {
	Msgs     []sdk.Msg
	Gas      uint64
	Fee      sdk.Coins
	Memo     string
	SignMode signing.SignMode
	// FeeGranter pays the fee from its x/feegrant allowance when set.
	FeeGranter sdk.AccAddress
}

// DefaultGas is the gas limit of test transactions unless a Tx says otherwise.
const DefaultGas = 400_000

// Sign signs a transaction from acc with its next sequence (which it then
// increments) and returns the encoded bytes.
func (ta *TestApp) Sign(acc *Account, tx Tx) []byte {
	ta.tb.Helper()
	bz, err := ta.SignE(acc, tx)
	if err != nil {
		ta.tb.Fatal(err)
	}
	return bz
}

// SignE is Sign returning its error.
func (ta *TestApp) SignE(acc *Account, tx Tx) ([]byte, error) {
	txCfg := ta.TxConfig()
	if tx.Gas == 0 {
		tx.Gas = DefaultGas
	}
	if tx.Fee == nil {
		// The devnet's minimum gas price, rounded up.
		tx.Fee = sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewIntFromUint64((tx.Gas*25+9999)/10000)))
	}
	if tx.SignMode == signing.SignMode_SIGN_MODE_UNSPECIFIED {
		tx.SignMode = signing.SignMode_SIGN_MODE_DIRECT
	}
	txb := txCfg.NewTxBuilder()
	if err := txb.SetMsgs(tx.Msgs...); err != nil {
		return nil, err
	}
	txb.SetGasLimit(tx.Gas)
	txb.SetFeeAmount(tx.Fee)
	txb.SetMemo(tx.Memo)
	if tx.FeeGranter != nil {
		txb.SetFeeGranter(tx.FeeGranter)
	}
	pub := acc.Priv.PubKey()
	// First an empty signature, so that the signer info is in the signed bytes.
	if err := txb.SetSignatures(signing.SignatureV2{
		PubKey:   pub,
		Data:     &signing.SingleSignatureData{SignMode: tx.SignMode},
		Sequence: acc.Seq,
	}); err != nil {
		return nil, err
	}
	sig, err := clienttx.SignWithPrivKey(context.Background(), tx.SignMode, authsigning.SignerData{
		ChainID:       ChainID,
		AccountNumber: acc.AccNum,
		Sequence:      acc.Seq,
		PubKey:        pub,
		Address:       acc.Addr.String(),
	}, txb, acc.Priv, txCfg, acc.Seq)
	if err != nil {
		return nil, err
	}
	if err := txb.SetSignatures(sig); err != nil {
		return nil, err
	}
	acc.Seq++
	return txCfg.TxEncoder()(txb.GetTx())
}

// Deliver signs msgs from acc, executes them alone in a new block and
// returns the tx's result. A tx whose message fails still consumes acc's
// sequence (the ante handler's writes stand); one refused by the ante handler
// does not. After a failure the local sequence is re-read from state.
func (ta *TestApp) Deliver(acc *Account, msgs ...sdk.Msg) *abci.ExecTxResult {
	ta.tb.Helper()
	return ta.DeliverTx(acc, Tx{Msgs: msgs})
}

// DeliverTx is Deliver with full control of the transaction.
func (ta *TestApp) DeliverTx(acc *Account, tx Tx) *abci.ExecTxResult {
	ta.tb.Helper()
	bz := ta.Sign(acc, tx)
	res := ta.NextBlock([][]byte{bz})
	r := res.TxResults[0]
	if r.Code != 0 {
		ta.resyncSeq(acc)
	}
	return r
}

// resyncSeq reads acc's sequence from state, so that tests stay in step
// whatever stage a refused tx reached.
func (ta *TestApp) resyncSeq(acc *Account) {
	ctx := ta.Ctx()
	if a := ta.AccountKeeper.GetAccount(ctx, acc.Addr); a != nil {
		acc.Seq = a.GetSequence()
	}
}

// Ctx returns a context reading the latest committed state. Writes through
// it go straight to the committed stores: tests use it to read, or to set up
// state directly when that is the point of the test.
func (ta *TestApp) Ctx() sdk.Context {
	return ta.NewUncachedContext(false, cmtproto.Header{
		ChainID: ChainID, Height: ta.Height, Time: ta.Time,
	})
}

// Balance returns an address's balance of the native denom.
func (ta *TestApp) Balance(addr sdk.AccAddress) sdkmath.Int {
	return ta.BankKeeper.GetBalance(ta.Ctx(), addr, app.BaseDenom).Amount
}

// MustOK fails the test unless the tx succeeded.
func MustOK(tb testing.TB, r *abci.ExecTxResult) {
	tb.Helper()
	if r.Code != 0 {
		tb.Fatalf("tx failed: code %d (%s): %s", r.Code, r.Codespace, r.Log)
	}
}

// NewAccount returns a new unfunded account with a deterministic key.
func NewAccount(seed string) *Account {
	priv := secp256k1.GenPrivKeyFromSecret([]byte(seed))
	return &Account{Priv: priv, Addr: sdk.AccAddress(priv.PubKey().Address())}
}

// Register reads an account's number from state after it has been created
// on chain (for example by receiving coins), so that it can sign.
func (ta *TestApp) Register(acc *Account) {
	ta.tb.Helper()
	a := ta.AccountKeeper.GetAccount(ta.Ctx(), acc.Addr)
	if a == nil {
		ta.tb.Fatalf("account %s does not exist on chain", acc.Addr)
	}
	acc.AccNum = a.GetAccountNumber()
	acc.Seq = a.GetSequence()
}
