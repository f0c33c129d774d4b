// Package sims_test runs agentchain's simulations (the SDK's simsx): random
// genesis, then blocks of random transactions from every module's message
// factories — the SDK modules' and agentchain's, refusals included —
// through the real ante handler, with every invariant checked after every
// block. Also the standard app tests: determinism (the same seed twice
// gives the same app hash at every height), import/export (a simulated
// state exported and imported is equal store by store), and simulation
// after a zero-height import.
//
// `make test` runs short simulations (the defaults below); `make sim` runs
// long ones, e.g. -NumBlocks=500 -BlockSize=100 -Seeds=1,2,3,4,5.
package sims_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"
	storetypes "cosmossdk.io/store/types"
	"cosmossdk.io/x/feegrant"

	"github.com/cosmos/cosmos-sdk/baseapp"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	authzkeeper "github.com/cosmos/cosmos-sdk/x/authz/keeper"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	simcli "github.com/cosmos/cosmos-sdk/x/simulation/client/cli"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/agentchain/agentchain/app"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

var flagSeeds = flag.String("Seeds", "", "comma-separated seeds to simulate (each test has its own default)")

func init() {
	simcli.GetSimulatorFlags()
	// Short runs by default; `make sim` passes longer ones.
	simcli.FlagNumBlocksValue = 50
	simcli.FlagBlockSizeValue = 40
	// A fixed genesis time: a run is the same in every process.
	simcli.FlagGenesisTimeValue = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
}

// seeds returns the -Seeds flag's seeds, or the test's defaults.
func seeds(t *testing.T, defaults ...int64) []int64 {
	if *flagSeeds == "" {
		return defaults
	}
	var out []int64
	for _, s := range strings.Split(*flagSeeds, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			t.Fatalf("-Seeds %q: %v", *flagSeeds, err)
		}
		out = append(out, n)
	}
	return out
}

// checker runs after every block (as the app's precommiter, on the block's
// state before it is committed): every module invariant, the bank's total
// supply against every balance, and supply growth against the block's mint.
// It also records the app hash of every height, for determinism.
type checker struct {
	app *app.App
	// msgs counts the messages executed, by type (refused ones included).
	msgs       map[string]int
	blocks     int
	checks     int
	hashes     [][]byte
	prevSupply sdk.Coins
	prevMint   *minttypes.Params
}

var checkers sync.Map // *app.App → *checker

func checkerOf(a *app.App) *checker {
	c, _ := checkers.Load(a)
	return c.(*checker)
}

// newApp is app.New with the checker installed.
func newApp(logger log.Logger, db dbm.DB, trace io.Writer, load bool, opts servertypes.AppOptions, baseOpts ...func(*baseapp.BaseApp)) *app.App {
	c := &checker{msgs: map[string]int{}}
	baseOpts = append(baseOpts, func(b *baseapp.BaseApp) { b.SetPrecommiter(c.precommit) })
	a := app.New(logger, db, trace, load, opts, baseOpts...)
	c.app = a
	a.MsgServiceRouter().SetCircuit(c)
	checkers.Store(a, c)
	return a
}

// IsAllowed counts every message the router executes (it allows all).
func (c *checker) IsAllowed(_ context.Context, typeURL string) (bool, error) {
	c.msgs[typeURL]++
	return true, nil
}

func (c *checker) precommit(ctx sdk.Context) {
	c.hashes = append(c.hashes, c.app.LastCommitID().Hash)
	view, _ := ctx.CacheContext()
	n, err := c.app.CheckInvariants(view)
	if err != nil {
		panic(fmt.Errorf("after block %d: %w", ctx.BlockHeight(), err))
	}
	if err := c.checkSupply(view); err != nil {
		panic(fmt.Errorf("after block %d: %w", ctx.BlockHeight(), err))
	}
	c.blocks++
	c.checks += n + 2
}

// checkSupply: the total supply is what all balances add up to, and it grew
// by at most what the mint module minted this block (only burns lower it).
func (c *checker) checkSupply(ctx sdk.Context) error {
	supply, balances := sdk.NewCoins(), sdk.NewCoins()
	c.app.BankKeeper.IterateTotalSupply(ctx, func(coin sdk.Coin) bool {
		supply = supply.Add(coin)
		return false
	})
	c.app.BankKeeper.IterateAllBalances(ctx, func(_ sdk.AccAddress, coin sdk.Coin) bool {
		balances = balances.Add(coin)
		return false
	})
	if !supply.Equal(balances) {
		return fmt.Errorf("total supply %s, balances add up to %s", supply, balances)
	}
	minter, err := c.app.MintKeeper.Minter.Get(ctx)
	if err != nil {
		return err
	}
	params, err := c.app.MintKeeper.Params.Get(ctx)
	if err != nil {
		return err
	}
	if c.prevSupply != nil && c.prevMint != nil {
		// This block minted with the params it began with: last block's.
		minted := minter.BlockProvision(*c.prevMint)
		if allowed := c.prevSupply.Add(minted); !supply.IsAllLTE(allowed) {
			return fmt.Errorf("supply went from %s to %s; the block minted %s", c.prevSupply, supply, minted)
		}
	}
	c.prevSupply, c.prevMint = supply, &params
	return nil
}

func setupStateFactory(a *app.App) simsx.SimStateFactory {
	return simsx.SimStateFactory{
		Codec:         a.AppCodec(),
		AppStateFn:    simtestutil.AppStateFn(a.AppCodec(), a.SimulationManager(), a.DefaultGenesis()),
		BlockedAddr:   app.BlockedAddresses(),
		AccountSource: a.AccountKeeper,
		BalanceSource: a.BankKeeper,
	}
}

func report(tb testing.TB, ti simsx.TestInstance[*app.App], _ []simtypes.Account) {
	c := checkerOf(ti.App)
	total, ours := 0, []string{}
	for _, url := range slices.Sorted(maps.Keys(c.msgs)) {
		total += c.msgs[url]
		if strings.HasPrefix(url, "/agentchain.") {
			ours = append(ours, fmt.Sprintf("%s %d", strings.TrimPrefix(url, "/agentchain."), c.msgs[url]))
		}
	}
	// Jobs made, and those pruned after their retention.
	ctx := ti.App.NewContext(true)
	next, _ := ti.App.MarketKeeper.JobSeq.Peek(ctx)
	inState := 0
	_ = ti.App.MarketKeeper.Jobs.Walk(ctx, nil, func(uint64, markettypes.Job) (bool, error) { inState++; return false, nil })
	made := max(int(next), 1) - 1
	nextEscrow, _ := ti.App.EscrowKeeper.EscrowSeq.Peek(ctx)
	escrows := 0
	_ = ti.App.EscrowKeeper.Escrows.Walk(ctx, nil, func(uint64, escrowtypes.Escrow) (bool, error) { escrows++; return false, nil })
	madeEscrows := max(int(nextEscrow), 1) - 1
	nextRequest, _ := ti.App.MarketKeeper.RequestSeq.Peek(ctx)
	requests := 0
	_ = ti.App.MarketKeeper.Requests.Walk(ctx, nil, func(uint64, markettypes.Request) (bool, error) { requests++; return false, nil })
	madeRequests := max(int(nextRequest), 1) - 1
	tb.Logf("seed %d: %d blocks simulated up to height %d, %d messages executed, %d invariant checks passed; %d jobs made, %d pruned; %d requests made, %d pruned; %d escrows made, %d pruned; agentchain messages: %s",
		ti.Cfg.Seed, c.blocks, ti.App.LastBlockHeight(), total, c.checks, made, made-inState, madeRequests, madeRequests-requests, madeEscrows, madeEscrows-escrows, strings.Join(ours, ", "))
	if c.blocks < ti.Cfg.NumBlocks {
		tb.Fatalf("only %d of %d blocks ran", c.blocks, ti.Cfg.NumBlocks)
	}
}

func config() simtypes.Config {
	cfg := simcli.NewConfigFromFlags()
	cfg.ChainID = simsx.SimAppChainID
	return cfg
}

// TestFullAppSimulation runs every module's messages on random genesis
// states with every invariant checked after every block.
func TestFullAppSimulation(t *testing.T) {
	simsx.RunWithSeeds(t, newApp, setupStateFactory, seeds(t, 1, 2), nil, report)
}

// TestAppStateDeterminism runs each seed twice and requires the same app
// hash at every height.
func TestAppStateDeterminism(t *testing.T) {
	for _, seed := range seeds(t, 3, 4, 5) {
		var runs [2][][]byte
		for i := range runs {
			simsx.RunWithSeed(t, config(), newApp, setupStateFactory, seed, nil,
				func(tb testing.TB, ti simsx.TestInstance[*app.App], accs []simtypes.Account) {
					report(tb, ti, accs)
					runs[i] = append(append([][]byte{}, checkerOf(ti.App).hashes...), ti.App.LastCommitID().Hash)
				})
		}
		if len(runs[0]) != len(runs[1]) {
			t.Fatalf("seed %d: %d heights, then %d", seed, len(runs[0]), len(runs[1]))
		}
		for h := range runs[0] {
			if string(runs[0][h]) != string(runs[1][h]) {
				t.Fatalf("seed %d: app hash %d blocks in differs between two runs: %X vs %X", seed, h, runs[0][h], runs[1][h])
			}
		}
		t.Logf("seed %d: the same app hash at all %d heights in two runs", seed, len(runs[0]))
	}
}

// storesToSkip are the SDK's time and height queues that genesis rebuilds
// differently or not at all. agentchain's stores are compared whole.
var storesToSkip = map[string][][]byte{
	stakingtypes.StoreKey: {
		stakingtypes.UnbondingQueueKey, stakingtypes.RedelegationQueueKey, stakingtypes.ValidatorQueueKey,
		stakingtypes.HistoricalInfoKey, stakingtypes.UnbondingIDKey, stakingtypes.UnbondingIndexKey,
		stakingtypes.UnbondingTypeKey, stakingtypes.ValidatorUpdatesKey,
	},
	authzkeeper.StoreKey:   {authzkeeper.GrantQueuePrefix},
	feegrant.StoreKey:      {feegrant.FeeAllowanceQueueKeyPrefix},
	slashingtypes.StoreKey: {slashingtypes.ValidatorMissedBlockBitmapKeyPrefix},
}

// TestAppImportExport exports a simulated state, imports it into a fresh
// app and compares every store key by key.
func TestAppImportExport(t *testing.T) {
	simsx.RunWithSeeds(t, newApp, setupStateFactory, seeds(t, 6), nil, func(tb testing.TB, ti simsx.TestInstance[*app.App], accs []simtypes.Account) {
		report(tb, ti, accs)
		a := ti.App
		exported, err := a.ExportAppStateAndValidators(false, nil, nil)
		if err != nil {
			tb.Fatal(err)
		}
		var state map[string]json.RawMessage
		if err := json.Unmarshal(exported.AppState, &state); err != nil {
			tb.Fatal(err)
		}
		b := simsx.NewSimulationAppInstance(tb, ti.Cfg, newApp).App
		header := cmtproto.Header{Height: a.LastBlockHeight(), ChainID: ti.Cfg.ChainID}
		ctxA, ctxB := a.NewContextLegacy(true, header), b.NewContextLegacy(true, header)
		if err := b.UpgradeKeeper.SetModuleVersionMap(ctxB, b.ModuleManager.GetVersionMap()); err != nil {
			tb.Fatal(err)
		}
		if _, err := b.ModuleManager.InitGenesis(ctxB, b.AppCodec(), state); err != nil {
			if strings.Contains(err.Error(), "validator set is empty after InitGenesis") {
				tb.Skip("every validator left the set during the run")
			}
			tb.Fatal(err)
		}
		if err := b.StoreConsensusParams(ctxB, exported.ConsensusParams); err != nil {
			tb.Fatal(err)
		}
		keysB := b.StoreKeys()
		compared := 0
		for i, keyA := range a.StoreKeys() {
			storeA, storeB := ctxA.KVStore(keyA), ctxB.KVStore(keysB[i])
			diffA, diffB := simtestutil.DiffKVStores(storeA, storeB, storesToSkip[keyA.Name()])
			if len(diffA) > 0 || len(diffB) > 0 {
				tb.Fatalf("store %s differs after export and import:\n%s", keyA.Name(),
					simtestutil.GetSimulationLog(keyA.Name(), a.SimulationManager().StoreDecoders, diffA, diffB))
			}
			compared += countKeys(storeA)
		}
		tb.Logf("export/import: %d stores, %d keys equal", len(keysB), compared)
	})
}

func countKeys(s storetypes.KVStore) int {
	it := s.Iterator(nil, nil)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n
}

// TestAppSimulationAfterImport exports a simulated state for zero height
// (every height rebased, due timers settled), starts a new chain from it
// and simulates on.
func TestAppSimulationAfterImport(t *testing.T) {
	simsx.RunWithSeeds(t, newApp, setupStateFactory, seeds(t, 8), nil, func(tb testing.TB, ti simsx.TestInstance[*app.App], accs []simtypes.Account) {
		report(tb, ti, accs)
		exported, err := ti.App.ExportAppStateAndValidators(true, nil, nil)
		if err != nil {
			tb.Fatal(err)
		}
		if len(exported.Validators) == 0 {
			tb.Skip("no validators left to restart with")
		}
		imported := func(a *app.App) simsx.SimStateFactory {
			f := setupStateFactory(a)
			f.AppStateFn = func(_ *rand.Rand, _ []simtypes.Account, cfg simtypes.Config) (json.RawMessage, []simtypes.Account, string, time.Time) {
				return exported.AppState, accs, cfg.ChainID, time.Unix(cfg.GenesisTime, 0)
			}
			return f
		}
		// The SDK's zero-height export resets unbonding entries' creation
		// heights to 0, which MsgCancelUnbondingDelegation refuses as an
		// invalid height: the SDK's own factory for it cannot run after
		// such an import, so it is weighted out here.
		cfg := ti.Cfg
		cfg.ParamsFile = filepath.Join(tb.TempDir(), "params.json")
		if err := os.WriteFile(cfg.ParamsFile, []byte(`{"op_weight_msg_cancel_unbonding_delegation": 0}`), 0o600); err != nil {
			tb.Fatal(err)
		}
		simsx.RunWithSeed(tb, cfg, newApp, imported, cfg.Seed, nil, report)
	})
}
