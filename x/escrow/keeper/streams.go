package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// Streams. A stream's deposit sits in the module account with the escrows'
// coins and counts in the same books (TotalHeld): deposit - withdrawn -
// refunded per open stream. Accrual is a function of heights (see
// types.Stream); no block hook ever reads a stream.

// StreamSpec describes a new stream (see types.StreamSpec).
type StreamSpec = types.StreamSpec

// StreamFees takes a module's fees out of a stream payment (see
// types.StreamFees).
type StreamFees = types.StreamFees

// GetStream returns a stream by id.
func (k Keeper) GetStream(ctx context.Context, id uint64) (types.Stream, error) {
	s, err := k.Streams.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		if next, perr := k.StreamSeq.Peek(ctx); perr == nil && id != 0 && id < next {
			return s, errorsmod.Wrapf(types.ErrStreamNotFound, "stream %d closed and left state after the retention window; its history is in its events", id)
		}
		return s, errorsmod.Wrapf(types.ErrStreamNotFound, "stream %d", id)
	}
	return s, err
}

// StreamView returns a stream with its amounts at the current height.
func (k Keeper) StreamView(ctx context.Context, s types.Stream) types.StreamView {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	return types.StreamView{
		Stream: s, Height: h,
		Accrued:       s.AccrualAt(s.Accrued(h)),
		Withdrawable:  s.AccrualAt(s.Withdrawable(h)),
		Unaccrued:     s.AccrualAt(s.Unaccrued(h)),
		Exhausted:     s.Exhausted(h),
		RunsOutHeight: s.RunsOutHeight(),
	}
}

// openStream checks the terms, moves the deposit into escrow and records
// the stream.
func (k Keeper) openStream(ctx context.Context, spec StreamSpec) (uint64, error) {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	if spec.PeriodBlocks == 0 {
		spec.PeriodBlocks = 1
	}
	if spec.StartHeight == 0 {
		spec.StartHeight = h
	}
	if err := types.ValidateStreamTerms(spec.Rate, spec.Deposit, spec.PeriodBlocks, spec.StartHeight, spec.CliffHeight, spec.EndHeight, h, params); err != nil {
		return 0, err
	}
	if len(spec.Reference) > types.MaxReferenceLength {
		return 0, errorsmod.Wrapf(types.ErrFieldTooLong, "reference is %d bytes, at most %d", len(spec.Reference), types.MaxReferenceLength)
	}
	if err := k.checkPayee(spec.Payer, spec.Payee); err != nil {
		return 0, err
	}
	if err := k.bank.SendCoinsFromAccountToModule(ctx, spec.Payer, types.ModuleName, sdk.NewCoins(spec.Deposit)); err != nil {
		return 0, errorsmod.Wrapf(types.ErrLockRefused, "stream deposit %s from %s: %s", spec.Deposit, spec.Payer, err)
	}
	id, err := k.StreamSeq.Next(ctx)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		if id, err = k.StreamSeq.Next(ctx); err != nil {
			return 0, err
		}
	}
	zero := sdk.NewCoin(spec.Rate.Denom, sdkmath.ZeroInt())
	s := types.Stream{
		Id: id, OwnerModule: spec.OwnerModule, Payer: spec.Payer.String(), Payee: spec.Payee.String(),
		Rate: spec.Rate, PeriodBlocks: spec.PeriodBlocks, Deposit: spec.Deposit, Withdrawn: zero, Refunded: zero,
		StartHeight: spec.StartHeight, CliffHeight: spec.CliffHeight, EndHeight: spec.EndHeight,
		AccruedBefore: sdkmath.ZeroInt(), AnchorHeight: spec.StartHeight, Status: types.STREAM_STATUS_ACTIVE,
		Reference: spec.Reference, CreatedHeight: h,
	}
	// A fresh id: nothing stored to unindex.
	if err := k.Streams.Insert(ctx, id, s); err != nil {
		return 0, err
	}
	if err := k.addHeld(ctx, sdk.NewCoins(spec.Deposit)); err != nil {
		return 0, err
	}
	return id, typedevent.Emit(ctx, &types.EventStreamOpened{
		StreamId: id, OwnerModule: s.OwnerModule, Payer: s.Payer, Payee: s.Payee, Rate: s.Rate,
		PeriodBlocks: s.PeriodBlocks, Deposit: s.Deposit, StartHeight: s.StartHeight,
		CliffHeight: s.CliffHeight, EndHeight: s.EndHeight, Reference: s.Reference,
	})
}

// noteExhausted records, once, that the deposit ran out.
func (k Keeper) noteExhausted(ctx context.Context, s *types.Stream, h int64) error {
	if s.ExhaustedHeight != 0 || !s.Exhausted(h) {
		return nil
	}
	s.ExhaustedHeight = s.RunsOutHeight()
	if s.ExhaustedHeight == 0 || s.ExhaustedHeight > h {
		s.ExhaustedHeight = h
	}
	return typedevent.Emit(ctx, &types.EventStreamExhausted{StreamId: s.Id, Height: s.ExhaustedHeight})
}

// payAccrued pays what accrued by h and was not withdrawn: a module's fees
// first, the rest to the payee. It returns the amount paid in total.
func (k Keeper) payAccrued(ctx context.Context, s *types.Stream, h int64, fees StreamFees) (sdk.Coin, error) {
	due := s.AccrualAt(s.Withdrawable(h))
	if due.IsZero() {
		return due, nil
	}
	var payments []Payment
	if fees != nil {
		payments = fees(due)
	}
	feeTotal := sdk.NewCoins()
	for _, p := range payments {
		feeTotal = feeTotal.Add(p.Amount...)
	}
	if !feeTotal.IsAllLTE(sdk.NewCoins(due)) {
		return due, errorsmod.Wrapf(types.ErrInsufficientEscrow, "fees %s exceed the %s paid from stream %d", feeTotal, due, s.Id)
	}
	payee, err := k.addressCodec.StringToBytes(s.Payee)
	if err != nil {
		return due, err
	}
	payments = append(payments, Payment{Recipient: payee, Amount: sdk.NewCoins(due).Sub(feeTotal...)})
	outputs, err := k.send(ctx, payments)
	if err != nil {
		return due, err
	}
	s.Withdrawn = s.Withdrawn.Add(due)
	if err := k.subHeld(ctx, sdk.NewCoins(due)); err != nil {
		return due, err
	}
	return due, typedevent.Emit(ctx, &types.EventStreamWithdrawn{StreamId: s.Id, Outputs: outputs, Withdrawn: s.Withdrawn})
}

// withdrawStream pays what accrued; after the end height it also refunds
// what never accrued and closes the stream (nothing else can happen to it).
func (k Keeper) withdrawStream(ctx context.Context, s *types.Stream, by string, fees StreamFees) (sdk.Coin, error) {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if s.Status == types.STREAM_STATUS_CLOSED {
		return sdk.Coin{}, errorsmod.Wrapf(types.ErrStreamStatus, "stream %d is closed", s.Id)
	}
	if s.Withdrawable(h).IsZero() && !s.Ended(h) {
		cliff := ""
		if s.BeforeCliff(h) {
			cliff = fmt.Sprintf(" (its cliff is at %d)", s.CliffHeight)
		}
		return sdk.Coin{}, errorsmod.Wrapf(types.ErrNothingAccrued, "stream %d owes nothing at height %d%s; withdrawn %s", s.Id, h, cliff, s.Withdrawn)
	}
	if err := k.noteExhausted(ctx, s, h); err != nil {
		return sdk.Coin{}, err
	}
	paid, err := k.payAccrued(ctx, s, h, fees)
	if err != nil {
		return paid, err
	}
	if s.Ended(h) {
		if _, _, err := k.closeStream(ctx, s, h, by, "ended", fees); err != nil {
			return paid, err
		}
		return paid, nil
	}
	return paid, k.Streams.Set(ctx, s.Id, *s)
}

// closeStream settles a stream at h: what accrued to the payee side, the
// rest back to the payer; the stream closes.
func (k Keeper) closeStream(ctx context.Context, s *types.Stream, h int64, by, cause string, fees StreamFees) (paid, refunded sdk.Coin, err error) {
	if s.Status == types.STREAM_STATUS_CLOSED {
		return paid, refunded, errorsmod.Wrapf(types.ErrStreamStatus, "stream %d is closed", s.Id)
	}
	if err := k.noteExhausted(ctx, s, h); err != nil {
		return paid, refunded, err
	}
	if paid, err = k.payAccrued(ctx, s, h, fees); err != nil {
		return paid, refunded, err
	}
	refunded = s.AccrualAt(s.Held())
	if refunded.IsPositive() {
		payer, err := k.addressCodec.StringToBytes(s.Payer)
		if err != nil {
			return paid, refunded, err
		}
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, payer, sdk.NewCoins(refunded)); err != nil {
			return paid, refunded, err
		}
		if err := k.subHeld(ctx, sdk.NewCoins(refunded)); err != nil {
			return paid, refunded, err
		}
	}
	// Freeze what accrued: a closed stream's accrual is what it paid.
	s.AccruedBefore = s.Withdrawn.Amount
	s.Refunded = s.Refunded.Add(refunded)
	s.Status = types.STREAM_STATUS_CLOSED
	s.ClosedHeight = h
	if s.OwnerModule == "" {
		// A direct stream waits for its retention window (prune.go).
		if err := k.PruneStreams.Set(ctx, collections.Join(h, s.Id)); err != nil {
			return paid, refunded, err
		}
	}
	if err := typedevent.Emit(ctx, &types.EventStreamCancelled{
		StreamId: s.Id, By: by, Cause: cause, Paid: paid, Refunded: refunded,
	}); err != nil {
		return paid, refunded, err
	}
	return paid, refunded, k.Streams.Set(ctx, s.Id, *s)
}

// topUpStream adds amount from `from` to the deposit; newEnd (when
// positive) moves the end height. A stream that ran out starts a new
// accrual segment now: the blocks it stood empty are not charged.
func (k Keeper) topUpStream(ctx context.Context, s *types.Stream, from sdk.AccAddress, amount sdk.Coin, newEnd int64) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if s.Status == types.STREAM_STATUS_CLOSED {
		return errorsmod.Wrapf(types.ErrStreamStatus, "stream %d is closed", s.Id)
	}
	if err := amount.Validate(); err != nil || !amount.Amount.IsPositive() {
		return errorsmod.Wrapf(types.ErrInvalidAmount, "top-up %s must be a positive coin", amount)
	}
	if amount.Denom != s.Rate.Denom {
		return errorsmod.Wrapf(types.ErrInvalidAmount, "stream %d is in %s, not %s", s.Id, s.Rate.Denom, amount.Denom)
	}
	if s.Ended(h) {
		return errorsmod.Wrapf(types.ErrStreamStatus, "stream %d ended at %d; nothing more can accrue", s.Id, s.EndHeight)
	}
	if err := k.noteExhausted(ctx, s, h); err != nil {
		return err
	}
	if s.Exhausted(h) && s.Status == types.STREAM_STATUS_ACTIVE {
		s.AccruedBefore = s.Deposit.Amount
		s.AnchorHeight = h
	}
	if err := k.bank.SendCoinsFromAccountToModule(ctx, from, types.ModuleName, sdk.NewCoins(amount)); err != nil {
		return errorsmod.Wrapf(types.ErrLockRefused, "top-up %s from %s: %s", amount, from, err)
	}
	s.Deposit = s.Deposit.Add(amount)
	s.ExhaustedHeight = 0
	if newEnd > 0 {
		s.EndHeight = newEnd
	}
	if err := k.addHeld(ctx, sdk.NewCoins(amount)); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventStreamToppedUp{StreamId: s.Id, Amount: amount, Deposit: s.Deposit, EndHeight: s.EndHeight}); err != nil {
		return err
	}
	return k.Streams.Set(ctx, s.Id, *s)
}

// The module API for streams: the owning module opens and moves its own
// streams; the direct messages never touch them.

// ownedStream loads an open stream owned by module.
func (k Keeper) ownedStream(ctx context.Context, module string, id uint64) (types.Stream, error) {
	s, err := k.GetStream(ctx, id)
	if err != nil {
		return s, err
	}
	if s.OwnerModule != module || module == "" {
		return s, errorsmod.Wrapf(types.ErrWrongOwner, "stream %d belongs to %q, not %q", id, s.OwnerModule, module)
	}
	if s.Status == types.STREAM_STATUS_CLOSED {
		return s, errorsmod.Wrapf(types.ErrStreamStatus, "stream %d is closed", id)
	}
	return s, nil
}

// OpenModuleStream opens a stream owned by module.
func (k Keeper) OpenModuleStream(ctx context.Context, module string, spec StreamSpec) (uint64, error) {
	if module == "" {
		return 0, errorsmod.Wrap(types.ErrWrongOwner, "a module stream needs its module's name")
	}
	spec.OwnerModule = module
	return k.openStream(ctx, spec)
}

// WithdrawModuleStream pays what accrued (fees taken out of it).
func (k Keeper) WithdrawModuleStream(ctx context.Context, module string, id uint64, fees StreamFees) (types.Stream, sdk.Coin, error) {
	s, err := k.ownedStream(ctx, module, id)
	if err != nil {
		return s, sdk.Coin{}, err
	}
	paid, err := k.withdrawStream(ctx, &s, module, fees)
	return s, paid, err
}

// CloseModuleStream settles and closes a module stream now.
func (k Keeper) CloseModuleStream(ctx context.Context, module string, id uint64, cause string, fees StreamFees) (s types.Stream, paid, refunded sdk.Coin, err error) {
	if s, err = k.ownedStream(ctx, module, id); err != nil {
		return s, paid, refunded, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	paid, refunded, err = k.closeStream(ctx, &s, h, module, cause, fees)
	return s, paid, refunded, err
}

// TopUpModuleStream adds to a module stream's deposit and moves its end.
func (k Keeper) TopUpModuleStream(ctx context.Context, module string, id uint64, from sdk.AccAddress, amount sdk.Coin, newEnd int64) (types.Stream, error) {
	s, err := k.ownedStream(ctx, module, id)
	if err != nil {
		return s, err
	}
	return s, k.topUpStream(ctx, &s, from, amount, newEnd)
}

// PauseModuleStream stops a module stream's accrual, keeping what accrued
// in whole periods.
func (k Keeper) PauseModuleStream(ctx context.Context, module string, id uint64) (types.Stream, error) {
	s, err := k.ownedStream(ctx, module, id)
	if err != nil {
		return s, err
	}
	if s.Status != types.STREAM_STATUS_ACTIVE {
		return s, errorsmod.Wrapf(types.ErrStreamStatus, "stream %d is %s, not active", id, s.Status)
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.noteExhausted(ctx, &s, h); err != nil {
		return s, err
	}
	// What accrued in whole periods so far stays accrued (the cliff still
	// gates its withdrawal); the partial period is the payer's.
	s.AccruedBefore = s.AccruedIgnoringCliff(h)
	s.AnchorHeight = h
	s.Status = types.STREAM_STATUS_PAUSED
	if err := typedevent.Emit(ctx, &types.EventStreamPaused{StreamId: id, Accrued: s.AccrualAt(s.AccruedBefore)}); err != nil {
		return s, err
	}
	return s, k.Streams.Set(ctx, id, s)
}

// ResumeModuleStream starts a paused module stream's accrual again.
func (k Keeper) ResumeModuleStream(ctx context.Context, module string, id uint64) (types.Stream, error) {
	s, err := k.ownedStream(ctx, module, id)
	if err != nil {
		return s, err
	}
	if s.Status != types.STREAM_STATUS_PAUSED {
		return s, errorsmod.Wrapf(types.ErrStreamStatus, "stream %d is %s, not paused", id, s.Status)
	}
	s.AnchorHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	s.Status = types.STREAM_STATUS_ACTIVE
	if err := typedevent.Emit(ctx, &types.EventStreamResumed{StreamId: id}); err != nil {
		return s, err
	}
	return s, k.Streams.Set(ctx, id, s)
}
