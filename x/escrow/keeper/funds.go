package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// Payment is one output of a release (see types.Payment).
type Payment = types.Payment

// lockSpec describes a new escrow.
type lockSpec struct {
	ownerModule string
	payer       sdk.AccAddress
	payee       sdk.AccAddress // may be nil for module-owned escrows
	arbiter     sdk.AccAddress
	amount      sdk.Coins
	expires     int64
	reference   string
}

// lock moves the payer's coins into the module account and records the
// escrow. Every check comes first; the transfer and the writes last.
func (k Keeper) lock(ctx context.Context, s lockSpec) (uint64, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	if err := types.ValidateAmount("amount", s.amount, params); err != nil {
		return 0, err
	}
	if len(s.reference) > types.MaxReferenceLength {
		return 0, errorsmod.Wrapf(types.ErrFieldTooLong, "reference is %d bytes, at most %d", len(s.reference), types.MaxReferenceLength)
	}
	if s.payee != nil {
		if err := k.checkPayee(s.payer, s.payee); err != nil {
			return 0, err
		}
	}
	if err := k.bank.SendCoinsFromAccountToModule(ctx, s.payer, types.ModuleName, s.amount); err != nil {
		// Too little balance, or a spend cap on the payer: the escrow
		// module's own refusal, with the bank's explanation.
		return 0, errorsmod.Wrapf(types.ErrLockRefused, "lock %s from %s: %s", s.amount, s.payer, err)
	}
	id, err := k.nextID(ctx)
	if err != nil {
		return 0, err
	}
	e := types.Escrow{
		Id:            id,
		OwnerModule:   s.ownerModule,
		Payer:         s.payer.String(),
		Amount:        s.amount,
		Released:      sdk.NewCoins(),
		Refunded:      sdk.NewCoins(),
		Status:        types.ESCROW_STATUS_LOCKED,
		ExpiresHeight: s.expires,
		Reference:     s.reference,
		CreatedHeight: sdk.UnwrapSDKContext(ctx).BlockHeight(),
	}
	if s.payee != nil {
		e.Payee = s.payee.String()
	}
	if s.arbiter != nil {
		e.Arbiter = s.arbiter.String()
	}
	// A fresh id: nothing stored to unindex.
	if err := k.Escrows.Insert(ctx, id, e); err != nil {
		return 0, err
	}
	if err := k.addHeld(ctx, s.amount); err != nil {
		return 0, err
	}
	if e.IsDirect() && e.ExpiresHeight > 0 {
		if err := k.ExpiryQueue.Set(ctx, collections.Join(e.ExpiresHeight, id)); err != nil {
			return 0, err
		}
	}
	if err := typedevent.Emit(ctx, &types.EventEscrowCreated{
		EscrowId: id, OwnerModule: e.OwnerModule, Payer: e.Payer, Payee: e.Payee, Amount: e.Amount,
		Arbiter: e.Arbiter, ExpiresHeight: e.ExpiresHeight, Reference: e.Reference,
	}); err != nil {
		return 0, err
	}
	return id, nil
}

// checkPayee refuses a payee that is the payer, or that may not receive
// coins (module accounts and other blocked addresses): a release there
// would fail or vanish.
func (k Keeper) checkPayee(payer, payee sdk.AccAddress) error {
	if payee.Equals(payer) {
		return errorsmod.Wrapf(types.ErrSelfEscrow, "%s", payer)
	}
	if k.bank.BlockedAddr(payee) {
		return errorsmod.Wrapf(types.ErrInvalidPayee, "%s may not receive coins (a module account or blocked address)", payee)
	}
	return nil
}

// payOut releases payments out of an escrow; together they must fit in what
// remains. Payments count as released. The escrow closes when empty.
func (k Keeper) payOut(ctx context.Context, e *types.Escrow, payments []Payment) error {
	total := sdk.NewCoins()
	for _, p := range payments {
		if err := p.Amount.Validate(); err != nil {
			return errorsmod.Wrapf(types.ErrInvalidAmount, "payment %s: %s", p.Amount, err)
		}
		if (p.Module == "") == (p.Recipient == nil) {
			return errorsmod.Wrap(types.ErrInvalidPayee, "a payment goes to an account or to a module, exactly one")
		}
		total = total.Add(p.Amount...)
	}
	if total.IsZero() {
		return nil
	}
	remaining := e.Remaining()
	if !total.IsAllLTE(remaining) {
		return errorsmod.Wrapf(types.ErrInsufficientEscrow, "paying %s, escrow %d holds %s", total, e.Id, remaining)
	}
	outputs, err := k.send(ctx, payments)
	if err != nil {
		return err
	}
	e.Released = e.Released.Add(total...)
	if err := k.subHeld(ctx, total); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventEscrowReleased{EscrowId: e.Id, Outputs: outputs, Remaining: e.Remaining()}); err != nil {
		return err
	}
	return k.save(ctx, e)
}

// send moves payments out of the module account (the caller has checked
// they fit in what it holds) and returns them as event outputs.
func (k Keeper) send(ctx context.Context, payments []Payment) ([]types.Output, error) {
	outputs := make([]types.Output, 0, len(payments))
	for _, p := range payments {
		if p.Amount.IsZero() {
			continue
		}
		switch {
		case p.Module != "":
			if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, p.Module, p.Amount); err != nil {
				return nil, err
			}
			outputs = append(outputs, types.Output{Address: authtypes.NewModuleAddress(p.Module).String(), Amount: p.Amount})
		case p.Recipient != nil:
			if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, p.Recipient, p.Amount); err != nil {
				return nil, err
			}
			outputs = append(outputs, types.Output{Address: p.Recipient.String(), Amount: p.Amount})
		default:
			return nil, errorsmod.Wrap(types.ErrInvalidPayee, "a payment goes to an account or to a module")
		}
	}
	return outputs, nil
}

// refund returns amount (at most what remains) to the payer.
func (k Keeper) refund(ctx context.Context, e *types.Escrow, amount sdk.Coins, cause string) error {
	if amount.IsZero() {
		return nil
	}
	remaining := e.Remaining()
	if !amount.IsAllLTE(remaining) {
		return errorsmod.Wrapf(types.ErrInsufficientEscrow, "refunding %s, escrow %d holds %s", amount, e.Id, remaining)
	}
	payer, err := k.addressCodec.StringToBytes(e.Payer)
	if err != nil {
		return err
	}
	if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, payer, amount); err != nil {
		return err
	}
	e.Refunded = e.Refunded.Add(amount...)
	if err := k.subHeld(ctx, amount); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventEscrowRefunded{EscrowId: e.Id, Payer: e.Payer, Amount: amount, Cause: cause, Remaining: e.Remaining()}); err != nil {
		return err
	}
	return k.save(ctx, e)
}

// split settles an escrow: fees first, then the payee's share of the rest
// (rounded down per denom), then whatever is left back to the payer.
func (k Keeper) split(ctx context.Context, e *types.Escrow, payeeShareBps uint32, fees []Payment, resolvedBy string) error {
	if e.Payee == "" {
		return errorsmod.Wrapf(types.ErrNoPayee, "escrow %d", e.Id)
	}
	feeTotal := sdk.NewCoins()
	for _, f := range fees {
		feeTotal = feeTotal.Add(f.Amount...)
	}
	payeeAmt, payerAmt, err := types.SplitShare(e.Remaining(), feeTotal, payeeShareBps)
	if err != nil {
		return err
	}
	payee, err := k.addressCodec.StringToBytes(e.Payee)
	if err != nil {
		return err
	}
	payments := append(append([]Payment{}, fees...), Payment{Recipient: payee, Amount: payeeAmt})
	if err := k.payOut(ctx, e, payments); err != nil {
		return err
	}
	if err := k.refund(ctx, e, payerAmt, "split"); err != nil {
		return err
	}
	if e.Dispute != nil {
		e.Dispute.PayeeShareBps = payeeShareBps
		e.Dispute.ResolvedBy = resolvedBy
	}
	if err := typedevent.Emit(ctx, &types.EventEscrowResolved{
		EscrowId: e.Id, PayeeShareBps: payeeShareBps, PayeeAmount: payeeAmt, PayerAmount: payerAmt,
		Fees: feeTotal, ResolvedBy: resolvedBy,
	}); err != nil {
		return err
	}
	return k.save(ctx, e)
}

// save writes an escrow, closing it (and leaving every queue) once it holds
// nothing. e comes from the store and only save changes its status (or its
// payee: SetPayee writes by itself), so e as it enters holds the stored
// index keys, and the indexes move from it without reading it back (the
// escrow/indexes invariant checks them).
func (k Keeper) save(ctx context.Context, e *types.Escrow) error {
	was := *e
	if e.Status != types.ESCROW_STATUS_CLOSED && e.Remaining().IsZero() {
		e.Status = types.ESCROW_STATUS_CLOSED
		e.ClosedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
		if err := k.dequeue(ctx, e); err != nil {
			return err
		}
		if e.IsDirect() {
			// A direct escrow waits for its retention window (prune.go).
			if err := k.PruneQueue.Set(ctx, collections.Join(e.ClosedHeight, e.Id)); err != nil {
				return err
			}
		}
		if err := typedevent.Emit(ctx, &types.EventEscrowClosed{EscrowId: e.Id}); err != nil {
			return err
		}
	}
	return k.Escrows.Update(ctx, e.Id, was, *e)
}

// dequeue removes the escrow from the queues it may be in.
func (k Keeper) dequeue(ctx context.Context, e *types.Escrow) error {
	if e.ExpiresHeight > 0 {
		if err := k.ExpiryQueue.Remove(ctx, collections.Join(e.ExpiresHeight, e.Id)); err != nil {
			return err
		}
	}
	if e.Dispute != nil {
		if err := k.DisputeQueue.Remove(ctx, collections.Join(e.Dispute.DeadlineHeight, e.Id)); err != nil {
			return err
		}
	}
	return nil
}
