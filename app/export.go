package app

import (
	"context"
	"encoding/json"
	"fmt"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// ExportAppStateAndValidators exports the application state as a genesis
// file. With forZeroHeight the state is prepared to start a new chain at
// height zero (rewards withdrawn, heights reset); jailAllowedAddrs then lists
// the only validators that stay unjailed (all of them if empty).
func (app *App) ExportAppStateAndValidators(
	forZeroHeight bool, jailAllowedAddrs, modulesToExport []string,
) (servertypes.ExportedApp, error) {
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})

	// The next chain starts at the height after the exported one, unless it
	// starts over from zero.
	height := app.LastBlockHeight() + 1
	if forZeroHeight {
		height = 0
		if err := app.prepForZeroHeightGenesis(ctx, jailAllowedAddrs); err != nil {
			return servertypes.ExportedApp{}, fmt.Errorf("prepare zero-height genesis: %w", err)
		}
	}

	genState, err := app.ModuleManager.ExportGenesisForModules(ctx, app.appCodec, modulesToExport)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	appState, err := json.MarshalIndent(genState, "", "  ")
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	validators, err := staking.WriteValidators(ctx, app.StakingKeeper)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	return servertypes.ExportedApp{
		AppState:        appState,
		Validators:      validators,
		Height:          height,
		ConsensusParams: app.GetConsensusParams(ctx),
	}, nil
}

// prepForZeroHeightGenesis settles distribution (all commission and rewards
// withdrawn, leftovers to the community pool), re-creates the distribution
// records every validator and delegation needs, and resets every stored
// height so that the state is valid at height zero.
func (app *App) prepForZeroHeightGenesis(ctx sdk.Context, jailAllowedAddrs []string) error {
	allowed := make(map[string]bool, len(jailAllowedAddrs))
	for _, addr := range jailAllowedAddrs {
		if _, err := app.StakingKeeper.ValidatorAddressCodec().StringToBytes(addr); err != nil {
			return fmt.Errorf("jail-allowed address %q: %w", addr, err)
		}
		allowed[addr] = true
	}

	validators, err := app.StakingKeeper.GetAllValidators(ctx)
	if err != nil {
		return err
	}
	valAddrs := make([]sdk.ValAddress, len(validators))
	for i, val := range validators {
		bz, err := app.StakingKeeper.ValidatorAddressCodec().StringToBytes(val.GetOperator())
		if err != nil {
			return err
		}
		valAddrs[i] = bz
	}

	// Withdraw all validator commission. A validator with nothing to withdraw
	// returns an error that is expected here.
	for _, valAddr := range valAddrs {
		_, _ = app.DistrKeeper.WithdrawValidatorCommission(ctx, valAddr)
	}

	// Withdraw all delegator rewards.
	dels, err := app.StakingKeeper.GetAllDelegations(ctx)
	if err != nil {
		return err
	}
	type delegationAddrs struct {
		del sdk.AccAddress
		val sdk.ValAddress
	}
	delAddrs := make([]delegationAddrs, len(dels))
	for i, del := range dels {
		valAddr, err := app.StakingKeeper.ValidatorAddressCodec().StringToBytes(del.ValidatorAddress)
		if err != nil {
			return err
		}
		delAddr, err := app.AccountKeeper.AddressCodec().StringToBytes(del.DelegatorAddress)
		if err != nil {
			return err
		}
		delAddrs[i] = delegationAddrs{del: delAddr, val: valAddr}
		if _, err := app.DistrKeeper.WithdrawDelegationRewards(ctx, delAddr, valAddr); err != nil {
			return fmt.Errorf("withdraw rewards of %s: %w", del.DelegatorAddress, err)
		}
	}

	app.DistrKeeper.DeleteAllValidatorSlashEvents(ctx)
	app.DistrKeeper.DeleteAllValidatorHistoricalRewards(ctx)

	// Re-create distribution records as of height zero.
	height := ctx.BlockHeight()
	ctx = ctx.WithBlockHeight(0)
	for _, valAddr := range valAddrs {
		// Rounding leftovers of the outstanding rewards go to the community pool.
		scraps, err := app.DistrKeeper.GetValidatorOutstandingRewardsCoins(ctx, valAddr)
		if err != nil {
			return err
		}
		feePool, err := app.DistrKeeper.FeePool.Get(ctx)
		if err != nil {
			return err
		}
		feePool.CommunityPool = feePool.CommunityPool.Add(scraps...)
		if err := app.DistrKeeper.FeePool.Set(ctx, feePool); err != nil {
			return err
		}
		if err := app.DistrKeeper.Hooks().AfterValidatorCreated(ctx, valAddr); err != nil {
			return err
		}
	}
	for _, d := range delAddrs {
		if err := app.DistrKeeper.Hooks().BeforeDelegationCreated(ctx, d.del, d.val); err != nil {
			return err
		}
		if err := app.DistrKeeper.Hooks().AfterDelegationModified(ctx, d.del, d.val); err != nil {
			return err
		}
	}
	ctx = ctx.WithBlockHeight(height)

	// Reset creation heights of redelegations and unbonding delegations.
	var walkErr error
	if err := app.StakingKeeper.IterateRedelegations(ctx, func(_ int64, red stakingtypes.Redelegation) bool {
		for i := range red.Entries {
			red.Entries[i].CreationHeight = 0
		}
		walkErr = app.StakingKeeper.SetRedelegation(ctx, red)
		return walkErr != nil
	}); err != nil {
		return err
	}
	if walkErr != nil {
		return walkErr
	}
	if err := app.StakingKeeper.IterateUnbondingDelegations(ctx, func(_ int64, ubd stakingtypes.UnbondingDelegation) bool {
		for i := range ubd.Entries {
			ubd.Entries[i].CreationHeight = 0
		}
		walkErr = app.StakingKeeper.SetUnbondingDelegation(ctx, ubd)
		return walkErr != nil
	}); err != nil {
		return err
	}
	if walkErr != nil {
		return walkErr
	}

	// Reset unbonding heights and jail every validator not explicitly allowed.
	for _, val := range validators {
		val.UnbondingHeight = 0
		if len(allowed) > 0 && !allowed[val.GetOperator()] {
			val.Jailed = true
		}
		if err := app.StakingKeeper.SetValidator(ctx, val); err != nil {
			return err
		}
	}
	if _, err := app.StakingKeeper.ApplyAndReturnValidatorSetUpdates(ctx); err != nil {
		return err
	}

	// agentchain's modules: apply every timer that is due (so no record
	// carries a passed deadline into the new chain), then move every stored
	// height so that block height+1 of this chain is block 1 of the next:
	// deadlines keep their distance, decaying scores and spend buckets go on
	// from where they were.
	if err := app.EscrowKeeper.SettleAllDue(ctx); err != nil {
		return err
	}
	if err := app.MarketKeeper.SettleAllDue(ctx); err != nil {
		return err
	}
	for _, m := range []interface {
		RebaseHeights(ctx context.Context, exported int64) error
	}{app.AgentIDKeeper, app.EscrowKeeper, app.MarketKeeper, app.ReputationKeeper} {
		if err := m.RebaseHeights(ctx, height); err != nil {
			return err
		}
	}

	// Reset the start height of every signing info.
	if err := app.SlashingKeeper.IterateValidatorSigningInfos(ctx, func(addr sdk.ConsAddress, info slashingtypes.ValidatorSigningInfo) bool {
		info.StartHeight = 0
		walkErr = app.SlashingKeeper.SetValidatorSigningInfo(ctx, addr, info)
		return walkErr != nil
	}); err != nil {
		return err
	}
	return walkErr
}
