// Package keeper holds x/escrow's state and every movement of escrowed
// coins. All of them go through lock, payOut and refund below, which keep
// the books (each escrow's released and refunded, and TotalHeld) in step
// with the module account's balance.
package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/collidx"
	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/x/escrow/types"
)

// EscrowIndexes are the secondary indexes of the escrows map.
type EscrowIndexes struct {
	// Payer lists a payer's escrows.
	Payer *collidx.Many[sdk.AccAddress, uint64, types.Escrow]
	// Payee lists a payee's escrows (none while the payee is unset).
	Payee *collidx.Many[sdk.AccAddress, uint64, types.Escrow]
	// Status lists the escrows of each status.
	Status *collidx.Many[int32, uint64, types.Escrow]
}

// IndexesList implements collections.Indexes.
func (i EscrowIndexes) IndexesList() []collections.Index[uint64, types.Escrow] {
	return []collections.Index[uint64, types.Escrow]{i.Payer, i.Payee, i.Status}
}

func newEscrowIndexes(sb *collections.SchemaBuilder, ac address.Codec) EscrowIndexes {
	return EscrowIndexes{
		Payer: collidx.NewMany(sb, types.EscrowsByPayerKey, "escrows_by_payer", sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, e types.Escrow) ([]sdk.AccAddress, error) {
				a, err := ac.StringToBytes(e.Payer)
				return []sdk.AccAddress{a}, err
			}),
		Payee: collidx.NewMany(sb, types.EscrowsByPayeeKey, "escrows_by_payee", sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, e types.Escrow) ([]sdk.AccAddress, error) {
				if e.Payee == "" {
					return nil, nil
				}
				a, err := ac.StringToBytes(e.Payee)
				return []sdk.AccAddress{a}, err
			}),
		Status: collidx.NewMany(sb, types.EscrowsByStatusKey, "escrows_by_status", collections.Int32Key, collections.Uint64Key,
			func(_ uint64, e types.Escrow) ([]int32, error) { return []int32{int32(e.Status)}, nil }),
	}
}

// StreamIndexes are the secondary indexes of the streams map.
type StreamIndexes struct {
	// Payer lists a payer's streams.
	Payer *collidx.Many[sdk.AccAddress, uint64, types.Stream]
	// Payee lists a payee's streams.
	Payee *collidx.Many[sdk.AccAddress, uint64, types.Stream]
}

// IndexesList implements collections.Indexes.
func (i StreamIndexes) IndexesList() []collections.Index[uint64, types.Stream] {
	return []collections.Index[uint64, types.Stream]{i.Payer, i.Payee}
}

func newStreamIndexes(sb *collections.SchemaBuilder, ac address.Codec) StreamIndexes {
	return StreamIndexes{
		Payer: collidx.NewMany(sb, types.StreamsByPayerKey, "streams_by_payer", sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, s types.Stream) ([]sdk.AccAddress, error) {
				a, err := ac.StringToBytes(s.Payer)
				return []sdk.AccAddress{a}, err
			}),
		Payee: collidx.NewMany(sb, types.StreamsByPayeeKey, "streams_by_payee", sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, s types.Stream) ([]sdk.AccAddress, error) {
				a, err := ac.StringToBytes(s.Payee)
				return []sdk.AccAddress{a}, err
			}),
	}
}

// QueueKey is (height, escrow id).
type QueueKey = keeperutil.QueueKey

// Keeper is x/escrow's keeper.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string
	logger       log.Logger
	bank         types.BankKeeper
	moduleAddr   sdk.AccAddress

	Schema    collections.Schema
	Params    collections.Item[types.Params]
	EscrowSeq collections.Sequence
	Escrows   *collidx.IndexedMap[uint64, types.Escrow, EscrowIndexes]
	// TotalHeld is, per denom, what open escrows hold; the module account's
	// balance must equal it exactly.
	TotalHeld collections.Map[string, sdkmath.Int]
	// ExpiryQueue holds the locked direct escrows with an expiry, keyed by
	// (expires_height, id).
	ExpiryQueue collections.KeySet[QueueKey]
	// DisputeQueue holds the disputed escrows, keyed by (deadline, id).
	DisputeQueue collections.KeySet[QueueKey]
	// StreamSeq numbers streams (their own ids, apart from escrows').
	StreamSeq collections.Sequence
	// Streams are every stream, closed ones included (until pruned).
	Streams *collidx.IndexedMap[uint64, types.Stream, StreamIndexes]
	// PruneQueue and PruneStreams hold the closed direct escrows and
	// streams by (closed height, id), oldest first (prune.go).
	PruneQueue   collections.KeySet[QueueKey]
	PruneStreams collections.KeySet[QueueKey]
}

// NewKeeper returns the keeper; authority (the gov module account) sets
// params and may resolve any direct dispute.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService store.KVStoreService,
	ak types.AccountKeeper,
	bk types.BankKeeper,
	authority string,
	logger log.Logger,
) Keeper {
	if _, err := ak.AddressCodec().StringToBytes(authority); err != nil {
		panic(fmt.Errorf("invalid escrow authority %q: %w", authority, err))
	}
	moduleAddr := ak.GetModuleAddress(types.ModuleName)
	if moduleAddr == nil {
		panic("the escrow module account is not set in the account keeper's permissions")
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:          cdc,
		addressCodec: ak.AddressCodec(),
		authority:    authority,
		logger:       logger.With("module", "x/"+types.ModuleName),
		bank:         bk,
		moduleAddr:   moduleAddr,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		EscrowSeq:    collections.NewSequence(sb, types.EscrowSeqKey, "escrow_seq"),
		Escrows: collidx.NewIndexedMap(sb, types.EscrowsKey, "escrows", collections.Uint64Key,
			codec.CollValue[types.Escrow](cdc), newEscrowIndexes(sb, ak.AddressCodec())),
		TotalHeld:    collections.NewMap(sb, types.TotalHeldKey, "total_held", collections.StringKey, sdk.IntValue),
		ExpiryQueue:  collections.NewKeySet(sb, types.ExpiryQueueKey, "expiry_queue", keeperutil.QueueKeyCodec),
		DisputeQueue: collections.NewKeySet(sb, types.DisputeQueueKey, "dispute_queue", keeperutil.QueueKeyCodec),
		StreamSeq:    collections.NewSequence(sb, types.StreamSeqKey, "stream_seq"),
		Streams: collidx.NewIndexedMap(sb, types.StreamsKey, "streams", collections.Uint64Key,
			codec.CollValue[types.Stream](cdc), newStreamIndexes(sb, ak.AddressCodec())),
		PruneQueue:   collections.NewKeySet(sb, types.PruneQueueKey, "prune_queue", keeperutil.QueueKeyCodec),
		PruneStreams: collections.NewKeySet(sb, types.PruneStreamsKey, "prune_streams", keeperutil.QueueKeyCodec),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the gov authority.
func (k Keeper) Authority() string { return k.authority }

// ModuleAddress returns the escrow module account's address.
func (k Keeper) ModuleAddress() sdk.AccAddress { return k.moduleAddr }

// GetEscrow returns an escrow by id.
func (k Keeper) GetEscrow(ctx context.Context, id uint64) (types.Escrow, error) {
	e, err := k.Escrows.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		if next, perr := k.EscrowSeq.Peek(ctx); perr == nil && id != 0 && id < next {
			return e, errorsmod.Wrapf(types.ErrEscrowNotFound, "escrow %d closed and left state after the retention window; its history is in its events", id)
		}
		return e, errorsmod.Wrapf(types.ErrEscrowNotFound, "escrow %d", id)
	}
	return e, err
}

func (k Keeper) nextID(ctx context.Context) (uint64, error) {
	id, err := k.EscrowSeq.Next(ctx)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		return k.EscrowSeq.Next(ctx)
	}
	return id, nil
}

func (k Keeper) addHeld(ctx context.Context, coins sdk.Coins) error {
	for _, c := range coins {
		cur, err := k.TotalHeld.Get(ctx, c.Denom)
		if errors.Is(err, collections.ErrNotFound) {
			cur = sdkmath.ZeroInt()
		} else if err != nil {
			return err
		}
		if err := k.TotalHeld.Set(ctx, c.Denom, cur.Add(c.Amount)); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) subHeld(ctx context.Context, coins sdk.Coins) error {
	for _, c := range coins {
		cur, err := k.TotalHeld.Get(ctx, c.Denom)
		if errors.Is(err, collections.ErrNotFound) {
			cur = sdkmath.ZeroInt()
		} else if err != nil {
			return err
		}
		next := cur.Sub(c.Amount)
		if next.IsNegative() {
			return errorsmod.Wrapf(types.ErrConservation, "books hold %s%s, paying out %s", cur, c.Denom, c.Amount)
		}
		if next.IsZero() {
			if err := k.TotalHeld.Remove(ctx, c.Denom); err != nil {
				return err
			}
			continue
		}
		if err := k.TotalHeld.Set(ctx, c.Denom, next); err != nil {
			return err
		}
	}
	return nil
}

// Held returns what open escrows hold, per denom, from the books.
func (k Keeper) Held(ctx context.Context) (sdk.Coins, error) {
	held := sdk.NewCoins()
	err := k.TotalHeld.Walk(ctx, nil, func(denom string, amt sdkmath.Int) (bool, error) {
		held = held.Add(sdk.NewCoin(denom, amt))
		return false, nil
	})
	return held, err
}

// CheckConservation returns an error unless the module account's balance
// equals, for every denom, what the books say open escrows hold. It costs a
// read per denom.
func (k Keeper) CheckConservation(ctx context.Context) error {
	held, err := k.Held(ctx)
	if err != nil {
		return err
	}
	balance := k.bank.GetAllBalances(ctx, k.moduleAddr)
	if !balance.Equal(held) {
		return errorsmod.Wrapf(types.ErrConservation, "module account holds %s, open escrows %s", balance, held)
	}
	return nil
}

// AuditConservation recomputes, from every escrow and stream, the sum over
// open escrows of amount - released - refunded plus, over streams, deposit -
// withdrawn - refunded, and checks it against both the
// books and the module account's balance. It walks every escrow: for
// tests, genesis and audits, never for block hooks.
func (k Keeper) AuditConservation(ctx context.Context) error {
	sum := sdk.NewCoins()
	err := k.Escrows.Walk(ctx, nil, func(_ uint64, e types.Escrow) (bool, error) {
		if err := e.Validate(); err != nil {
			return true, errorsmod.Wrapf(types.ErrConservation, "escrow %d: %s", e.Id, err)
		}
		if e.Status != types.ESCROW_STATUS_CLOSED {
			sum = sum.Add(e.Remaining()...)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	err = k.Streams.Walk(ctx, nil, func(_ uint64, s types.Stream) (bool, error) {
		if err := s.Validate(); err != nil {
			return true, errorsmod.Wrapf(types.ErrConservation, "stream %d: %s", s.Id, err)
		}
		if held := s.Held(); held.IsPositive() {
			sum = sum.Add(s.AccrualAt(held))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	held, err := k.Held(ctx)
	if err != nil {
		return err
	}
	if !sum.Equal(held) {
		return errorsmod.Wrapf(types.ErrConservation, "escrows hold %s, books say %s", sum, held)
	}
	return k.CheckConservation(ctx)
}

// IsDenomAllowed reports whether escrows may hold denom (for modules that
// want to refuse a price before anyone locks it).
func (k Keeper) IsDenomAllowed(ctx context.Context, denom string) (bool, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return false, err
	}
	return p.DenomAllowed(denom), nil
}
