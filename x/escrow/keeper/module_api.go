package keeper

import (
	"context"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// The module API: other modules (x/market) create and move module-owned
// escrows through these calls. Each checks that the calling module owns
// the escrow, so no module can touch another's, and the direct messages,
// expiry and dispute timeout never touch a module-owned escrow.

// ownedBy loads an escrow owned by module and still open.
func (k Keeper) ownedBy(ctx context.Context, module string, id uint64) (types.Escrow, error) {
	e, err := k.GetEscrow(ctx, id)
	if err != nil {
		return e, err
	}
	if e.IsDirect() {
		return e, errorsmod.Wrapf(types.ErrWrongOwner, "escrow %d is a direct escrow, not %s's", id, module)
	}
	if e.OwnerModule != module {
		return e, errorsmod.Wrapf(types.ErrWrongOwner, "escrow %d belongs to %s, not %s", id, e.OwnerModule, module)
	}
	if e.Status != types.ESCROW_STATUS_LOCKED {
		return e, errorsmod.Wrapf(types.ErrWrongStatus, "escrow %d is %s", id, e.Status)
	}
	return e, nil
}

// Lock moves amount from payer into a new escrow owned by module. payee may
// be nil, to be set once later with SetPayee (e.g. a budget locked before a
// bid is chosen). It returns the escrow id.
func (k Keeper) Lock(ctx context.Context, module string, payer, payee sdk.AccAddress, amount sdk.Coins, reference string) (uint64, error) {
	if module == "" {
		return 0, fmt.Errorf("escrow: Lock needs the owning module's name")
	}
	return k.lock(ctx, lockSpec{ownerModule: module, payer: payer, payee: payee, amount: amount, reference: reference})
}

// SetPayee sets the payee of a module-owned escrow created without one.
func (k Keeper) SetPayee(ctx context.Context, module string, id uint64, payee sdk.AccAddress) error {
	e, err := k.ownedBy(ctx, module, id)
	if err != nil {
		return err
	}
	if e.Payee != "" {
		return errorsmod.Wrapf(types.ErrPayeeAlreadySet, "escrow %d pays %s", id, e.Payee)
	}
	payer, err := k.addressCodec.StringToBytes(e.Payer)
	if err != nil {
		return err
	}
	if err := k.checkPayee(payer, payee); err != nil {
		return err
	}
	e.Payee = payee.String()
	if err := k.Escrows.Set(ctx, id, e); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventEscrowPayeeSet{EscrowId: id, Payee: e.Payee})
}

// Release pays payeeAmount to the payee and every extra payment (the take
// to the fee collector, an arbiter's fee); all of it counts as released and
// must fit in what the escrow holds.
func (k Keeper) Release(ctx context.Context, module string, id uint64, payeeAmount sdk.Coins, extra ...Payment) error {
	e, err := k.ownedBy(ctx, module, id)
	if err != nil {
		return err
	}
	payments := append([]Payment{}, extra...)
	if !payeeAmount.IsZero() {
		if e.Payee == "" {
			return errorsmod.Wrapf(types.ErrNoPayee, "escrow %d", id)
		}
		payee, err := k.addressCodec.StringToBytes(e.Payee)
		if err != nil {
			return err
		}
		payments = append(payments, Payment{Recipient: payee, Amount: payeeAmount})
	}
	return k.payOut(ctx, &e, payments)
}

// Refund returns amount (nil: all that remains) to the payer.
func (k Keeper) Refund(ctx context.Context, module string, id uint64, amount sdk.Coins) error {
	e, err := k.ownedBy(ctx, module, id)
	if err != nil {
		return err
	}
	part, err := types.ValidatePart(amount, e.Remaining())
	if err != nil {
		return err
	}
	return k.refund(ctx, &e, part, "module")
}

// Resolve settles a module-owned escrow by a ruling: the extra payments
// (e.g. the arbiter's fee) first, then payeeShareBps of the rest to the
// payee rounded down, the remainder to the payer.
func (k Keeper) Resolve(ctx context.Context, module string, id uint64, payeeShareBps uint32, extra ...Payment) error {
	e, err := k.ownedBy(ctx, module, id)
	if err != nil {
		return err
	}
	return k.split(ctx, &e, payeeShareBps, extra, module)
}

// PruneModuleEscrow removes a closed escrow owned by module: its record and
// its index entries. A closed escrow holds nothing and waits on no queue,
// so the books do not move; its history is in its events. The owning
// module decides when (x/market: a settled job's retention window).
func (k Keeper) PruneModuleEscrow(ctx context.Context, module string, id uint64) error {
	e, err := k.GetEscrow(ctx, id)
	if err != nil {
		return err
	}
	if e.IsDirect() || e.OwnerModule != module {
		return errorsmod.Wrapf(types.ErrWrongOwner, "escrow %d belongs to %q, not %q", id, e.OwnerModule, module)
	}
	if e.Status != types.ESCROW_STATUS_CLOSED {
		return errorsmod.Wrapf(types.ErrWrongStatus, "escrow %d is %s: only a closed escrow leaves state", id, e.Status)
	}
	return k.Escrows.Remove(ctx, id)
}

// PruneModuleStream removes a closed stream owned by module, as
// PruneModuleEscrow does an escrow.
func (k Keeper) PruneModuleStream(ctx context.Context, module string, id uint64) error {
	s, err := k.GetStream(ctx, id)
	if err != nil {
		return err
	}
	if s.OwnerModule != module || module == "" {
		return errorsmod.Wrapf(types.ErrWrongOwner, "stream %d belongs to %q, not %q", id, s.OwnerModule, module)
	}
	if s.Status != types.STREAM_STATUS_CLOSED {
		return errorsmod.Wrapf(types.ErrStreamStatus, "stream %d is %s: only a closed stream leaves state", id, s.Status)
	}
	return k.Streams.Remove(ctx, id)
}
