package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/authz"
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
// amount is added to what the agent spent in the current window
// (height / window_blocks); if that would pass the cap the whole send is
// refused and nothing moves.
func (k Keeper) SendRestriction(ctx context.Context, from, to sdk.AccAddress, amt sdk.Coins) (sdk.AccAddress, error) {
	if amt.IsZero() {
		return to, nil
	}
	agentID, err := k.Agents.Indexes.Address.MatchExact(ctx, from)
	if errors.Is(err, collections.ErrNotFound) {
		return to, nil // not an agent address: no policy
	}
	if err != nil {
		return to, err
	}
	agent, err := k.Agents.Get(ctx, agentID)
	if err != nil {
		return to, err
	}
	if owner, err := k.addressCodec.StringToBytes(agent.Owner); err == nil && to.Equals(sdk.AccAddress(owner)) {
		return to, nil
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	for _, coin := range amt {
		key := collections.Join(agentID, coin.Denom)
		limit, err := k.SpendLimits.Get(ctx, key)
		if errors.Is(err, collections.ErrNotFound) {
			continue
		}
		if err != nil {
			return to, err
		}
		window := uint64(height) / limit.WindowBlocks // heights are positive
		spent := limit.Spent
		if limit.Window != window {
			spent = sdkmath.ZeroInt()
		}
		total := spent.Add(coin.Amount)
		if total.GT(limit.Cap) {
			next := int64(window+1) * int64(limit.WindowBlocks) // bounded by MaxWindowBlocks and the height
			return to, errorsmod.Wrapf(types.ErrSpendCapExceeded,
				"agent %d (%s) may send at most %s%s per %d blocks; %s%s already sent in this window, so %s%s more would exceed the cap (next window starts at height %d)",
				agentID, agent.Name, limit.Cap, coin.Denom, limit.WindowBlocks, spent, coin.Denom, coin.Amount, coin.Denom, next)
		}
		limit.Window, limit.Spent = window, total
		if err := k.SpendLimits.Set(ctx, key, limit); err != nil {
			return to, err
		}
	}
	return to, nil
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
// capped agent could move its whole balance into stake and out again.
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
