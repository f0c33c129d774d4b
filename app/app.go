// Package app wires agentchain's state machine: the standard Cosmos SDK
// modules and agentchain's own, explicitly, without dependency injection.
package app

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cast"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
	reflectionv1 "cosmossdk.io/api/cosmos/reflection/v1"
	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/log"
	storetypes "cosmossdk.io/store/types"
	"cosmossdk.io/x/evidence"
	evidencekeeper "cosmossdk.io/x/evidence/keeper"
	evidencetypes "cosmossdk.io/x/evidence/types"
	"cosmossdk.io/x/feegrant"
	feegrantkeeper "cosmossdk.io/x/feegrant/keeper"
	feegrantmodule "cosmossdk.io/x/feegrant/module"
	"cosmossdk.io/x/tx/signing"
	"cosmossdk.io/x/upgrade"
	upgradekeeper "cosmossdk.io/x/upgrade/keeper"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	runtimeservices "github.com/cosmos/cosmos-sdk/runtime/services"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/server/api"
	"github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/std"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/version"
	"github.com/cosmos/cosmos-sdk/x/auth"
	authcodec "github.com/cosmos/cosmos-sdk/x/auth/codec"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	"github.com/cosmos/cosmos-sdk/x/auth/posthandler"
	authsims "github.com/cosmos/cosmos-sdk/x/auth/simulation"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/auth/vesting"
	vestingtypes "github.com/cosmos/cosmos-sdk/x/auth/vesting/types"
	"github.com/cosmos/cosmos-sdk/x/authz"
	authzkeeper "github.com/cosmos/cosmos-sdk/x/authz/keeper"
	authzmodule "github.com/cosmos/cosmos-sdk/x/authz/module"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/consensus"
	consensuskeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distr "github.com/cosmos/cosmos-sdk/x/distribution"
	distrkeeper "github.com/cosmos/cosmos-sdk/x/distribution/keeper"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/cosmos-sdk/x/gov"
	govclient "github.com/cosmos/cosmos-sdk/x/gov/client"
	govkeeper "github.com/cosmos/cosmos-sdk/x/gov/keeper"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1beta1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1beta1"
	"github.com/cosmos/cosmos-sdk/x/mint"
	mintkeeper "github.com/cosmos/cosmos-sdk/x/mint/keeper"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	"github.com/cosmos/cosmos-sdk/x/slashing"
	slashingkeeper "github.com/cosmos/cosmos-sdk/x/slashing/keeper"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/agentchain/agentchain/docs/openapi"
	"github.com/agentchain/agentchain/internal/simutil"
	"github.com/agentchain/agentchain/x/agentid"
	agentidkeeper "github.com/agentchain/agentchain/x/agentid/keeper"
	agentidsim "github.com/agentchain/agentchain/x/agentid/simulation"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/escrow"
	escrowkeeper "github.com/agentchain/agentchain/x/escrow/keeper"
	escrowsim "github.com/agentchain/agentchain/x/escrow/simulation"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	"github.com/agentchain/agentchain/x/market"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	marketsim "github.com/agentchain/agentchain/x/market/simulation"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation"
	reputationkeeper "github.com/agentchain/agentchain/x/reputation/keeper"
	reputationsim "github.com/agentchain/agentchain/x/reputation/simulation"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

// DefaultNodeHome is where agentchaind keeps its configuration and data
// unless --home says otherwise.
var DefaultNodeHome = func() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".agentchain"
	}
	return filepath.Join(home, ".agentchain")
}()

// maccPerms lists every module account and what it may do. Which of them hold
// users' funds, and why, is documented at BlockedAddresses.
var maccPerms = map[string][]string{
	authtypes.FeeCollectorName:     nil,
	distrtypes.ModuleName:          nil,
	minttypes.ModuleName:           {authtypes.Minter},
	stakingtypes.BondedPoolName:    {authtypes.Burner, authtypes.Staking},
	stakingtypes.NotBondedPoolName: {authtypes.Burner, authtypes.Staking},
	govtypes.ModuleName:            {authtypes.Burner},
	// agentid holds registration deposits until the agent is deactivated.
	agentidtypes.ModuleName: nil,
	// escrow holds every escrowed coin until it is released or refunded.
	escrowtypes.ModuleName: nil,
}

var (
	_ runtime.AppI            = (*App)(nil)
	_ servertypes.Application = (*App)(nil)
)

// App is agentchain's ABCI application.
type App struct {
	*baseapp.BaseApp

	// comet is the node's in-process CometBFT client (set when the node
	// serves gRPC or REST), for the TxResults service.
	comet client.CometRPC

	// sigCache holds the signatures CheckTx verified (nil: none kept).
	sigCache *SigCache

	legacyAmino       *codec.LegacyAmino
	appCodec          codec.Codec
	txConfig          client.TxConfig
	interfaceRegistry types.InterfaceRegistry

	keys  map[string]*storetypes.KVStoreKey
	tkeys map[string]*storetypes.TransientStoreKey

	// standard keepers
	AccountKeeper         authkeeper.AccountKeeper
	BankKeeper            bankkeeper.BaseKeeper
	StakingKeeper         *stakingkeeper.Keeper
	SlashingKeeper        slashingkeeper.Keeper
	MintKeeper            mintkeeper.Keeper
	DistrKeeper           distrkeeper.Keeper
	GovKeeper             govkeeper.Keeper
	UpgradeKeeper         *upgradekeeper.Keeper
	AuthzKeeper           authzkeeper.Keeper
	EvidenceKeeper        evidencekeeper.Keeper
	FeeGrantKeeper        feegrantkeeper.Keeper
	ConsensusParamsKeeper consensuskeeper.Keeper

	// agentchain keepers
	AgentIDKeeper    agentidkeeper.Keeper
	EscrowKeeper     escrowkeeper.Keeper
	MarketKeeper     marketkeeper.Keeper
	ReputationKeeper reputationkeeper.Keeper

	// ModuleManager runs the modules' genesis, block hooks and services;
	// BasicModuleManager carries their codecs and default genesis.
	ModuleManager      *module.Manager
	BasicModuleManager module.BasicManager

	configurator module.Configurator
	// sm runs the modules' simulations (simsx); see SimulationManager.
	sm *module.SimulationManager
}

// New returns agentchain's application, with its stores loaded at the latest
// version when loadLatest is set.
func New(
	logger log.Logger,
	db dbm.DB,
	traceStore io.Writer,
	loadLatest bool,
	appOpts servertypes.AppOptions,
	baseAppOptions ...func(*baseapp.BaseApp),
) *App {
	// The merged registry links every file's imports. proto.HybridResolver
	// does not do that for gogoproto files registered before the files they
	// import (x/<m>/types/tx.pb.go initialises before types.pb.go), and
	// nested messages of our own packages then resolve to empty
	// placeholders: amino JSON sign bytes would leave out their contents.
	protoFiles, err := proto.MergedRegistry()
	if err != nil {
		panic(err)
	}
	interfaceRegistry, err := types.NewInterfaceRegistryWithOptions(types.InterfaceRegistryOptions{
		ProtoFiles: protoFiles,
		SigningOptions: signing.Options{
			AddressCodec:          address.Bech32Codec{Bech32Prefix: Bech32PrefixAccAddr},
			ValidatorAddressCodec: address.Bech32Codec{Bech32Prefix: Bech32PrefixValAddr},
		},
	})
	if err != nil {
		panic(err)
	}
	appCodec := codec.NewProtoCodec(interfaceRegistry)
	legacyAmino := codec.NewLegacyAmino()
	txConfig := authtx.NewTxConfig(appCodec, authtx.DefaultSignModes)

	if err := interfaceRegistry.SigningContext().Validate(); err != nil {
		panic(err)
	}

	std.RegisterLegacyAminoCodec(legacyAmino)
	std.RegisterInterfaces(interfaceRegistry)

	bApp := baseapp.NewBaseApp(AppName, logger, db, txConfig.TxDecoder(), baseAppOptions...)
	bApp.SetCommitMultiStoreTracer(traceStore)
	bApp.SetVersion(version.Version)
	bApp.SetInterfaceRegistry(interfaceRegistry)
	bApp.SetTxEncoder(txConfig.TxEncoder())

	keys := storetypes.NewKVStoreKeys(
		authtypes.StoreKey, banktypes.StoreKey, stakingtypes.StoreKey,
		minttypes.StoreKey, distrtypes.StoreKey, slashingtypes.StoreKey,
		govtypes.StoreKey, consensustypes.StoreKey, upgradetypes.StoreKey,
		feegrant.StoreKey, evidencetypes.StoreKey, authzkeeper.StoreKey,
		agentidtypes.StoreKey, escrowtypes.StoreKey, markettypes.StoreKey, reputationtypes.StoreKey,
	)
	tkeys := storetypes.NewTransientStoreKeys()

	app := &App{
		BaseApp:           bApp,
		legacyAmino:       legacyAmino,
		appCodec:          appCodec,
		txConfig:          txConfig,
		interfaceRegistry: interfaceRegistry,
		keys:              keys,
		tkeys:             tkeys,
	}

	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()

	app.ConsensusParamsKeeper = consensuskeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[consensustypes.StoreKey]), authority, runtime.EventService{},
	)
	bApp.SetParamStore(app.ConsensusParamsKeeper.ParamsStore)

	app.AccountKeeper = authkeeper.NewAccountKeeper(
		appCodec, runtime.NewKVStoreService(keys[authtypes.StoreKey]), authtypes.ProtoBaseAccount,
		maccPerms, authcodec.NewBech32Codec(Bech32PrefixAccAddr), Bech32PrefixAccAddr, authority,
		// Agent programs submit many transactions; unordered transactions
		// (ADR-070) let one key have several in flight without sequence juggling.
		authkeeper.WithUnorderedTransactions(true),
	)

	app.BankKeeper = bankkeeper.NewBaseKeeper(
		appCodec, runtime.NewKVStoreService(keys[banktypes.StoreKey]), app.AccountKeeper,
		BlockedAddresses(), authority, logger,
	)

	app.StakingKeeper = stakingkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[stakingtypes.StoreKey]), app.AccountKeeper, app.BankKeeper,
		authority, authcodec.NewBech32Codec(Bech32PrefixValAddr), authcodec.NewBech32Codec(Bech32PrefixConsAddr),
	)

	app.MintKeeper = mintkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[minttypes.StoreKey]), app.StakingKeeper,
		app.AccountKeeper, app.BankKeeper, authtypes.FeeCollectorName, authority,
	)

	app.DistrKeeper = distrkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[distrtypes.StoreKey]), app.AccountKeeper, app.BankKeeper,
		app.StakingKeeper, authtypes.FeeCollectorName, authority,
	)

	app.SlashingKeeper = slashingkeeper.NewKeeper(
		appCodec, legacyAmino, runtime.NewKVStoreService(keys[slashingtypes.StoreKey]), app.StakingKeeper, authority,
	)

	app.FeeGrantKeeper = feegrantkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[feegrant.StoreKey]), app.AccountKeeper,
	)

	// Staking hooks must be set before the staking module is built.
	app.StakingKeeper.SetHooks(
		stakingtypes.NewMultiStakingHooks(app.DistrKeeper.Hooks(), app.SlashingKeeper.Hooks()),
	)

	app.AuthzKeeper = authzkeeper.NewKeeper(
		runtime.NewKVStoreService(keys[authzkeeper.StoreKey]), appCodec, app.MsgServiceRouter(), app.AccountKeeper,
	)

	// Upgrade plans are written under the node's home, so the keeper needs it.
	skipUpgradeHeights := map[int64]bool{}
	for _, h := range cast.ToIntSlice(appOpts.Get(server.FlagUnsafeSkipUpgrades)) {
		skipUpgradeHeights[int64(h)] = true
	}
	homePath := cast.ToString(appOpts.Get("home"))
	if homePath == "" {
		homePath = DefaultNodeHome
	}
	app.UpgradeKeeper = upgradekeeper.NewKeeper(
		skipUpgradeHeights, runtime.NewKVStoreService(keys[upgradetypes.StoreKey]), appCodec, homePath, app.BaseApp, authority,
	)

	govConfig := govtypes.DefaultConfig()
	govKeeper := govkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[govtypes.StoreKey]), app.AccountKeeper, app.BankKeeper,
		app.StakingKeeper, app.DistrKeeper, app.MsgServiceRouter(), govConfig, authority,
	)
	// Legacy v1beta1 text proposals only; everything else goes through gov v1 messages.
	govRouter := govv1beta1.NewRouter()
	govRouter.AddRoute(govtypes.RouterKey, govv1beta1.ProposalHandler)
	govKeeper.SetLegacyRouter(govRouter)
	app.GovKeeper = *govKeeper.SetHooks(govtypes.NewMultiGovHooks())

	evidenceKeeper := evidencekeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[evidencetypes.StoreKey]), app.StakingKeeper, app.SlashingKeeper,
		app.AccountKeeper.AddressCodec(), runtime.ProvideCometInfoService(),
	)
	app.EvidenceKeeper = *evidenceKeeper

	app.AgentIDKeeper = agentidkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[agentidtypes.StoreKey]), app.AccountKeeper, app.BankKeeper,
		authority, logger,
	)
	// Spend caps: every SendCoins out of an agent address passes through
	// agentid (see agentid keeper.SendRestriction).
	app.BankKeeper.AppendSendRestriction(app.AgentIDKeeper.SendRestriction)

	app.EscrowKeeper = escrowkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[escrowtypes.StoreKey]), app.AccountKeeper, app.BankKeeper,
		authority, logger,
	)

	// The market holds no coins: prices and budgets sit in market-owned
	// escrows; the take goes to the fee collector.
	app.MarketKeeper = marketkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[markettypes.StoreKey]), app.AccountKeeper.AddressCodec(),
		app.AgentIDKeeper, app.EscrowKeeper, app.BankKeeper, authtypes.FeeCollectorName, authority, logger,
	)

	// Reputation learns from the market through the market's own hook
	// interfaces; the market never imports it.
	app.ReputationKeeper = reputationkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[reputationtypes.StoreKey]), app.AccountKeeper.AddressCodec(),
		app.AgentIDKeeper, app.MarketKeeper, authority, logger,
	)
	app.MarketKeeper.SetHooks(app.ReputationKeeper.Hooks())
	app.MarketKeeper.SetReputationReader(app.ReputationKeeper)

	app.ModuleManager = module.NewManager(
		genutil.NewAppModule(app.AccountKeeper, app.StakingKeeper, app, txConfig),
		auth.NewAppModule(appCodec, app.AccountKeeper, nil, nil),
		vesting.NewAppModule(app.AccountKeeper, app.BankKeeper),
		bank.NewAppModule(appCodec, app.BankKeeper, app.AccountKeeper, nil),
		feegrantmodule.NewAppModule(appCodec, app.AccountKeeper, app.BankKeeper, app.FeeGrantKeeper, app.interfaceRegistry),
		gov.NewAppModule(appCodec, &app.GovKeeper, app.AccountKeeper, app.BankKeeper, nil),
		mint.NewAppModule(appCodec, app.MintKeeper, app.AccountKeeper, nil, nil),
		slashing.NewAppModule(appCodec, app.SlashingKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper, nil, app.interfaceRegistry),
		distr.NewAppModule(appCodec, app.DistrKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper, nil),
		staking.NewAppModule(appCodec, app.StakingKeeper, app.AccountKeeper, app.BankKeeper, nil),
		upgrade.NewAppModule(app.UpgradeKeeper, app.AccountKeeper.AddressCodec()),
		evidence.NewAppModule(app.EvidenceKeeper),
		authzmodule.NewAppModule(appCodec, app.AuthzKeeper, app.AccountKeeper, app.BankKeeper, app.interfaceRegistry),
		consensus.NewAppModule(appCodec, app.ConsensusParamsKeeper),
		agentid.NewAppModule(appCodec, app.AgentIDKeeper),
		escrow.NewAppModule(appCodec, app.EscrowKeeper),
		market.NewAppModule(appCodec, app.MarketKeeper),
		reputation.NewAppModule(appCodec, app.ReputationKeeper),
	)

	app.BasicModuleManager = module.NewBasicManagerFromManager(
		app.ModuleManager,
		map[string]module.AppModuleBasic{
			genutiltypes.ModuleName: genutil.NewAppModuleBasic(genutiltypes.DefaultMessageValidator),
			govtypes.ModuleName:     gov.NewAppModuleBasic([]govclient.ProposalHandler{}),
		},
	)
	app.BasicModuleManager.RegisterLegacyAminoCodec(legacyAmino)
	app.BasicModuleManager.RegisterInterfaces(interfaceRegistry)

	// v0.53: upgrade first (it may change the binary's expectations), then
	// auth, whose pre-blocker prunes expired unordered-transaction nonces.
	app.ModuleManager.SetOrderPreBlockers(
		upgradetypes.ModuleName,
		authtypes.ModuleName,
	)
	// Mint before distribution (it fills the fee collector), distribution
	// before slashing (so no rewards are left to a validator being slashed).
	app.ModuleManager.SetOrderBeginBlockers(
		minttypes.ModuleName,
		distrtypes.ModuleName,
		slashingtypes.ModuleName,
		evidencetypes.ModuleName,
		stakingtypes.ModuleName,
		genutiltypes.ModuleName,
		authz.ModuleName,
	)
	app.ModuleManager.SetOrderEndBlockers(
		govtypes.ModuleName,
		stakingtypes.ModuleName,
		genutiltypes.ModuleName,
		feegrant.ModuleName,
		escrowtypes.ModuleName,
		markettypes.ModuleName,
		agentidtypes.ModuleName,
		reputationtypes.ModuleName,
	)

	// genutil runs after staking and bank so the gentxs find funded accounts
	// and a staking pool to bond into.
	genesisModuleOrder := []string{
		authtypes.ModuleName,
		banktypes.ModuleName,
		distrtypes.ModuleName,
		stakingtypes.ModuleName,
		slashingtypes.ModuleName,
		govtypes.ModuleName,
		minttypes.ModuleName,
		genutiltypes.ModuleName,
		evidencetypes.ModuleName,
		authz.ModuleName,
		feegrant.ModuleName,
		upgradetypes.ModuleName,
		vestingtypes.ModuleName,
		consensustypes.ModuleName,
		// agentchain modules after bank: they check their module accounts'
		// balances against their books at genesis.
		agentidtypes.ModuleName,
		escrowtypes.ModuleName,
		markettypes.ModuleName,
		reputationtypes.ModuleName,
	}
	app.ModuleManager.SetOrderInitGenesis(genesisModuleOrder...)
	app.ModuleManager.SetOrderExportGenesis(genesisModuleOrder...)

	// Simulations: the SDK modules' own factories, and ours, which read more
	// than their own keeper and sign with agent keys the simulation holds.
	// auth is overridden only to generate random genesis accounts.
	simKeys := simutil.NewKeyring()
	ac := app.AccountKeeper.AddressCodec()
	app.sm = module.NewSimulationManagerFromAppModules(app.ModuleManager.Modules, map[string]module.AppModuleSimulation{
		authtypes.ModuleName: auth.NewAppModule(appCodec, app.AccountKeeper, authsims.RandomGenesisAccounts, nil),
		agentidtypes.ModuleName: agentidsim.NewModule(app.AgentIDKeeper, agentidsim.Deps{
			Accounts: app.AccountKeeper, Bank: app.BankKeeper, Codec: ac, Keys: simKeys,
		}),
		escrowtypes.ModuleName: escrowsim.NewModule(app.EscrowKeeper),
		markettypes.ModuleName: marketsim.NewModule(app.MarketKeeper, marketsim.Deps{
			Agents: app.AgentIDKeeper, Accounts: app.AccountKeeper, Bank: app.BankKeeper, Codec: ac, Keys: simKeys,
		}),
		reputationtypes.ModuleName: reputationsim.NewModule(app.ReputationKeeper, reputationsim.Deps{
			Agents: app.AgentIDKeeper, Market: app.MarketKeeper, Accounts: app.AccountKeeper, Bank: app.BankKeeper, Codec: ac, Keys: simKeys,
		}),
	})
	app.sm.RegisterStoreDecoders()

	app.configurator = module.NewConfigurator(app.appCodec, app.MsgServiceRouter(), app.GRPCQueryRouter())
	if err := app.ModuleManager.RegisterServices(app.configurator); err != nil {
		panic(err)
	}

	app.setUpgradeHandlers()

	autocliv1.RegisterQueryServer(app.GRPCQueryRouter(), runtimeservices.NewAutoCLIQueryService(app.ModuleManager.Modules))
	reflectionSvc, err := runtimeservices.NewReflectionService()
	if err != nil {
		panic(err)
	}
	reflectionv1.RegisterReflectionServiceServer(app.GRPCQueryRouter(), reflectionSvc)

	app.MountKVStores(keys)
	app.MountTransientStores(tkeys)

	app.SetInitChainer(app.InitChainer)
	app.SetPreBlocker(app.PreBlocker)
	app.SetBeginBlocker(app.BeginBlocker)
	app.SetEndBlocker(app.EndBlocker)

	app.sigCache = NewSigCache(VerifiedSignatureCacheSize(appOpts))
	anteHandler, err := NewAnteHandler(HandlerOptions{
		SigCache:        app.sigCache,
		AccountKeeper:   app.AccountKeeper,
		BankKeeper:      app.BankKeeper,
		FeegrantKeeper:  app.FeeGrantKeeper,
		SignModeHandler: txConfig.SignModeHandler(),
		GuardDecorators: []sdk.AnteDecorator{
			agentidkeeper.NewSpendGuardDecorator(app.AgentIDKeeper),
			agentidkeeper.NewSpendCapFeeDecorator(app.AgentIDKeeper),
		},
		FeeSpendCheck: app.AgentIDKeeper.CheckSpend,
	})
	if err != nil {
		panic(fmt.Errorf("ante handler: %w", err))
	}
	app.SetAnteHandler(anteHandler)

	postHandler, err := posthandler.NewPostHandler(posthandler.HandlerOptions{})
	if err != nil {
		panic(err)
	}
	app.SetPostHandler(postHandler)

	// Every Msg service of our modules must carry its signer annotation:
	// fail at start, not at the first transaction.
	if _, err := validateOwnMsgServices(protoFiles); err != nil {
		panic(err)
	}

	if loadLatest {
		if err := app.LoadLatestVersion(); err != nil {
			panic(fmt.Errorf("load latest version: %w", err))
		}
	}

	return app
}

// Name returns the application's name.
func (app *App) Name() string { return app.BaseApp.Name() }

// PreBlocker runs the modules' pre-blockers (upgrade, auth).
func (app *App) PreBlocker(ctx sdk.Context, _ *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	return app.ModuleManager.PreBlock(ctx)
}

// BeginBlocker runs the modules' begin-blockers.
func (app *App) BeginBlocker(ctx sdk.Context) (sdk.BeginBlock, error) {
	return app.ModuleManager.BeginBlock(ctx)
}

// EndBlocker runs the modules' end-blockers.
func (app *App) EndBlocker(ctx sdk.Context) (sdk.EndBlock, error) {
	return app.ModuleManager.EndBlock(ctx)
}

// InitChainer initialises every module from the genesis app state.
func (app *App) InitChainer(ctx sdk.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	var genesisState map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &genesisState); err != nil {
		return nil, fmt.Errorf("decode genesis app state: %w", err)
	}
	if err := app.UpgradeKeeper.SetModuleVersionMap(ctx, app.ModuleManager.GetVersionMap()); err != nil {
		return nil, err
	}
	return app.ModuleManager.InitGenesis(ctx, app.appCodec, genesisState)
}

// LoadHeight loads the state at a given height.
func (app *App) LoadHeight(height int64) error {
	return app.LoadVersion(height)
}

// LegacyAmino returns the amino codec, used by amino JSON signing.
func (app *App) LegacyAmino() *codec.LegacyAmino { return app.legacyAmino }

// AppCodec returns the application's protobuf codec.
func (app *App) AppCodec() codec.Codec { return app.appCodec }

// InterfaceRegistry returns the application's interface registry.
func (app *App) InterfaceRegistry() types.InterfaceRegistry { return app.interfaceRegistry }

// TxConfig returns the application's transaction config.
func (app *App) TxConfig() client.TxConfig { return app.txConfig }

// DefaultGenesis returns the default genesis state of every module.
func (app *App) DefaultGenesis() map[string]json.RawMessage {
	return app.BasicModuleManager.DefaultGenesis(app.appCodec)
}

// GetKey returns the KV store key of a module; for tests.
func (app *App) GetKey(storeKey string) *storetypes.KVStoreKey { return app.keys[storeKey] }

// StoreKeys returns every module's KV store key, sorted by name (for tests
// that compare whole stores).
func (app *App) StoreKeys() []*storetypes.KVStoreKey {
	out := make([]*storetypes.KVStoreKey, 0, len(app.keys))
	for _, name := range slices.Sorted(maps.Keys(app.keys)) {
		out = append(out, app.keys[name])
	}
	return out
}

// SimulationManager returns the simulation manager of the SDK's
// simulations (simsx): `make sim`, and the short runs in `make test`.
func (app *App) SimulationManager() *module.SimulationManager { return app.sm }

// AutoCliOpts returns the autocli options for every module, so that the CLI
// has a tx and a query command for each Msg and Query method.
func (app *App) AutoCliOpts() autocli.AppOptions {
	modules := make(map[string]appmodule.AppModule)
	for _, m := range app.ModuleManager.Modules {
		if moduleWithName, ok := m.(module.HasName); ok {
			if appModule, ok := moduleWithName.(appmodule.AppModule); ok {
				modules[moduleWithName.Name()] = appModule
			}
		}
	}
	return autocli.AppOptions{
		Modules:               modules,
		ModuleOptions:         runtimeservices.ExtractAutoCLIOptions(app.ModuleManager.Modules),
		AddressCodec:          authcodec.NewBech32Codec(Bech32PrefixAccAddr),
		ValidatorAddressCodec: authcodec.NewBech32Codec(Bech32PrefixValAddr),
		ConsensusAddressCodec: authcodec.NewBech32Codec(Bech32PrefixConsAddr),
	}
}

// RegisterAPIRoutes registers the REST (grpc-gateway) routes of every module.
func (app *App) RegisterAPIRoutes(apiSvr *api.Server, _ config.APIConfig) {
	clientCtx := apiSvr.ClientCtx
	authtx.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	cmtservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	nodeservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	app.BasicModuleManager.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	// The OpenAPI document of our modules' REST routes.
	apiSvr.Router.HandleFunc(openapi.Path, openapi.Handler).Methods(http.MethodGet)
}

// RegisterTxService registers the tx gRPC service (simulate, get, broadcast).
func (app *App) RegisterTxService(clientCtx client.Context) {
	app.comet = clientCtx.Client
	authtx.RegisterTxService(app.GRPCQueryRouter(), clientCtx, app.Simulate, app.interfaceRegistry)
}

// RegisterTendermintService registers the CometBFT gRPC query service.
func (app *App) RegisterTendermintService(clientCtx client.Context) {
	cmtservice.RegisterTendermintService(clientCtx, app.GRPCQueryRouter(), app.interfaceRegistry, app.Query)
}

// RegisterNodeService registers the node gRPC service (config, status).
func (app *App) RegisterNodeService(clientCtx client.Context, cfg config.Config) {
	nodeservice.RegisterNodeService(clientCtx, app.GRPCQueryRouter(), cfg)
}

// ModuleAccountAddrs returns the address of every module account.
func ModuleAccountAddrs() map[string]bool {
	addrs := make(map[string]bool, len(maccPerms))
	for name := range maccPerms {
		addrs[authtypes.NewModuleAddress(name).String()] = true
	}
	return addrs
}

// BlockedAddresses returns the addresses that may not receive coins through
// bank sends. Every module account is blocked: the fee collector, distribution,
// the staking pools and gov hold users' stake, rewards and deposits, and
// agentchain's own modules hold deposits and escrowed payments whose balances
// must equal their books exactly. A send straight to any of them would break
// that accounting or be lost.
func BlockedAddresses() map[string]bool {
	return ModuleAccountAddrs()
}

// GetMaccPerms returns a copy of the module account permissions.
func GetMaccPerms() map[string][]string {
	return maps.Clone(maccPerms)
}
