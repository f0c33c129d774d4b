package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/authz"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/agentchain/agentchain/x/agentid/types"
)

// SendRestriction enforces spend policies. The app installs it on x/bank,
// which runs it inside every SendCoins: plain sends, each output of a
// multi-send, sends executed through authz, deposits and escrow locks into
// module accounts, and fee deduction. So every way coins leave an agent's
// address passes here, except delegation (staking moves coins with
// DelegateCoins, which skips restrictions): SpendGuardDecorator refuses
// those.
//
// A transfer to the agent's owner is exempt: returning money to whoever
// answers for the agent is always safe. Otherwise, per capped denom, the
// amount is drawn from the policy's bucket (see types.SpendLimit); if the
// bucket holds less, the whole send is refused and nothing moves.
func (k Keeper) SendRestriction(ctx context.Context, from, to sdk.AccAddress, amt sdk.Coins) (sdk.AccAddress, error) {
	if amt.IsZero() {
		return to, nil
	}
	agent, capped, err := k.cappedAgent(ctx, from, to)
	if err != nil || !capped {
		return to, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	for _, coin := range amt {
		key := collections.Join(agent.Id, coin.Denom)
		limit, err := k.SpendLimits.Get(ctx, key)
		if errors.Is(err, collections.ErrNotFound) {
			continue
		}
		if err != nil {
			return to, err
		}
		drawn, ok := limit.Draw(height, coin.Amount)
		if !ok {
			return to, spendRefusal(agent, limit, height, coin)
		}
		if err := k.SpendLimits.Set(ctx, key, drawn); err != nil {
			return to, err
		}
	}
	return to, nil
}

// cappedAgent returns the agent whose address from is, unless the send
// goes to its owner (always allowed) or from is no agent's.
func (k Keeper) cappedAgent(ctx context.Context, from, to sdk.AccAddress) (types.Agent, bool, error) {
	agentID, err := k.Agents.Indexes.Address.MatchExact(ctx, from)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Agent{}, false, nil // not an agent address: no policy
	}
	if err != nil {
		return types.Agent{}, false, err
	}
	agent, err := k.Agents.Get(ctx, agentID)
	if err != nil {
		return agent, false, err
	}
	if owner, err := k.addressCodec.StringToBytes(agent.Owner); err == nil && to != nil && to.Equals(sdk.AccAddress(owner)) {
		return agent, false, nil
	}
	return agent, true, nil
}

// spendRefusal says what the policy allows now and when the amount asked
// for will be available.
func spendRefusal(agent types.Agent, limit types.SpendLimit, height int64, coin sdk.Coin) error {
	available := limit.Available(height)
	head := fmt.Sprintf("agent %d (%s) may send at most %s%s at once, refilling %s%s every %d blocks; %s%s is available now",
		agent.Id, agent.Name, limit.Cap, coin.Denom, limit.Cap, coin.Denom, limit.WindowBlocks, available, coin.Denom)
	ready := limit.ReadyAt(height, coin.Amount)
	if ready < 0 {
		return errorsmod.Wrapf(types.ErrSpendCapExceeded, "%s; %s%s is more than the cap and can never leave at once", head, coin.Amount, coin.Denom)
	}
	return errorsmod.Wrapf(types.ErrSpendCapExceeded, "%s; the %s%s asked for is available from height %d", head, coin.Amount, coin.Denom, ready)
}

// CheckSpend reports, without drawing anything, whether amt may leave from
// for to now: ErrSpendCapExceeded (with what is available and when) if a
// policy would refuse it.
func (k Keeper) CheckSpend(ctx context.Context, from, to sdk.AccAddress, amt sdk.Coins) error {
	if amt.IsZero() {
		return nil
	}
	agent, capped, err := k.cappedAgent(ctx, from, to)
	if err != nil || !capped {
		return err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	for _, coin := range amt {
		limit, err := k.SpendLimits.Get(ctx, collections.Join(agent.Id, coin.Denom))
		if errors.Is(err, collections.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if _, ok := limit.Draw(height, coin.Amount); !ok {
			return spendRefusal(agent, limit, height, coin)
		}
	}
	return nil
}

// SpendCapFeeDecorator refuses, before the fee is deducted, a transaction
// whose fee the payer's spend policy does not allow, with the spend cap's
// own error. The deduction itself is capped by SendRestriction as every
// send is; without this decorator the SDK would report the refusal as
// "insufficient funds". An owner keeps a capped agent paying gas with a
// fee grant: then the granter pays, and its own policy (if any) applies.
type SpendCapFeeDecorator struct {
	k Keeper
}

// NewSpendCapFeeDecorator returns the decorator; it goes before the SDK's
// DeductFeeDecorator.
func NewSpendCapFeeDecorator(k Keeper) SpendCapFeeDecorator { return SpendCapFeeDecorator{k: k} }

// AnteHandle implements sdk.AnteDecorator.
func (d SpendCapFeeDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	feeTx, ok := tx.(sdk.FeeTx)
	if !ok {
		return next(ctx, tx, simulate)
	}
	payer := sdk.AccAddress(feeTx.FeePayer())
	if granter := feeTx.FeeGranter(); len(granter) > 0 {
		payer = granter
	}
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	if err := d.k.CheckSpend(ctx, payer, feeCollector, feeTx.GetFee()); err != nil {
		return ctx, errorsmod.Wrap(err, "the fee")
	}
	return next(ctx, tx, simulate)
}

// hasAnySpendLimit reports whether the address is an agent's with a spend
// policy on any denom.
func (k Keeper) hasAnySpendLimit(ctx context.Context, addr sdk.AccAddress) (bool, error) {
	agentID, err := k.Agents.Indexes.Address.MatchExact(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	it, err := k.SpendLimits.Iterate(ctx, collections.NewPrefixedPairRange[uint64, string](agentID))
	if err != nil {
		return false, err
	}
	defer it.Close()
	return it.Valid(), nil
}

// hasSpendLimit reports whether the address is an agent's with a spend
// policy on denom.
func (k Keeper) hasSpendLimit(ctx context.Context, addr sdk.AccAddress, denom string) (bool, error) {
	agentID, err := k.Agents.Indexes.Address.MatchExact(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return k.SpendLimits.Has(ctx, collections.Join(agentID, denom))
}

// maxMsgNesting bounds how deep the guard looks into authz MsgExec; deeper
// nesting than any real use is refused rather than left unchecked.
const maxMsgNesting = 8

// SpendGuardDecorator is an ante decorator that refuses delegations (and
// validator self-bonds) of a capped denom from a spend-capped agent address,
// also when wrapped in authz MsgExec. Delegation moves coins with
// DelegateCoins, which bypasses the send restriction, so without this a
// capped agent could move its whole balance into stake and out again. It
// also refuses a capped agent address setting its reward withdraw address
// to another address: rewards paid there never pass the cap.
type SpendGuardDecorator struct {
	k Keeper
}

// NewSpendGuardDecorator returns the decorator.
func NewSpendGuardDecorator(k Keeper) SpendGuardDecorator {
	return SpendGuardDecorator{k: k}
}

// AnteHandle implements sdk.AnteDecorator.
func (d SpendGuardDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if err := d.checkMsgs(ctx, tx.GetMsgs(), 0); err != nil {
		return ctx, err
	}
	return next(ctx, tx, simulate)
}

func (d SpendGuardDecorator) checkMsgs(ctx sdk.Context, msgs []sdk.Msg, depth int) error {
	if depth > maxMsgNesting {
		return errorsmod.Wrapf(types.ErrMsgNestingTooDeep, "more than %d levels of MsgExec", maxMsgNesting)
	}
	for _, msg := range msgs {
		var delegator string
		var denom string
		switch m := msg.(type) {
		case *stakingtypes.MsgDelegate:
			delegator, denom = m.DelegatorAddress, m.Amount.Denom
		case *stakingtypes.MsgCreateValidator:
			valAddr, err := sdk.ValAddressFromBech32(m.ValidatorAddress)
			if err != nil {
				continue // the staking handler refuses it
			}
			delegator, denom = sdk.AccAddress(valAddr).String(), m.Value.Denom
		case *distrtypes.MsgSetWithdrawAddress:
			// Rewards withdrawn to another address would leave the agent
			// without passing its cap.
			if m.WithdrawAddress == m.DelegatorAddress {
				continue
			}
			addr, err := d.k.addressCodec.StringToBytes(m.DelegatorAddress)
			if err != nil {
				continue // the distribution handler refuses it
			}
			if capped, err := d.k.hasAnySpendLimit(ctx, addr); err != nil {
				return err
			} else if capped {
				return errorsmod.Wrapf(types.ErrCappedWithdrawAddress,
					"%s is an agent address with a spend cap; its rewards go to itself, not to %s", m.DelegatorAddress, m.WithdrawAddress)
			}
			continue
		case *authz.MsgExec:
			inner, err := m.GetMessages()
			if err != nil {
				return err
			}
			if err := d.checkMsgs(ctx, inner, depth+1); err != nil {
				return err
			}
			continue
		default:
			continue
		}
		addr, err := d.k.addressCodec.StringToBytes(delegator)
		if err != nil {
			continue // the staking handler refuses it
		}
		capped, err := d.k.hasSpendLimit(ctx, addr, denom)
		if err != nil {
			return err
		}
		if capped {
			return errorsmod.Wrapf(types.ErrCappedDelegation,
				"%s is an agent address with a spend cap on %s; delegating would bypass the cap", delegator, denom)
		}
	}
	return nil
}
