package app

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	txsigning "cosmossdk.io/x/tx/signing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// HandlerOptions are the dependencies of agentchain's ante handler.
type HandlerOptions struct {
	AccountKeeper   ante.AccountKeeper
	BankKeeper      authtypes.BankKeeper
	FeegrantKeeper  ante.FeegrantKeeper
	SignModeHandler *txsigning.HandlerMap

	// GuardDecorators run after the stateless checks and before any fee is
	// taken: they refuse transactions that the modules' rules forbid outright
	// (for example a delegation from a spend-capped agent address), so that a
	// refused transaction costs its sender nothing and changes nothing.
	GuardDecorators []sdk.AnteDecorator

	// FeeSpendCheck is the check a GuardDecorator makes of a fee before it
	// is taken (x/agentid's spend caps); a simulation without a fee runs it
	// too, so that its gas is counted (see simulatedFeeGasDecorator).
	FeeSpendCheck func(ctx context.Context, from, to sdk.AccAddress, amt sdk.Coins) error

	// SigCache, when set, lets FinalizeBlock skip the signature checks
	// this node already made in CheckTx (see SigCache); nil verifies every
	// signature every time.
	SigCache *SigCache
}

// NewAnteHandler returns the ante handler: the SDK's standard checks
// (signatures, sequences or unordered nonces, memo and tx-size gas), fee
// deduction that honours x/feegrant allowances and, in CheckTx, the node's
// minimum gas prices from app.toml.
func NewAnteHandler(opts HandlerOptions) (sdk.AnteHandler, error) {
	if opts.AccountKeeper == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "account keeper is required for the ante handler")
	}
	if opts.BankKeeper == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "bank keeper is required for the ante handler")
	}
	if opts.SignModeHandler == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "sign mode handler is required for the ante handler")
	}

	decorators := []sdk.AnteDecorator{
		ante.NewSetUpContextDecorator(), // first: sets the gas meter every later decorator charges
		ante.NewExtensionOptionsDecorator(nil),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(opts.AccountKeeper),
	}
	decorators = append(decorators, opts.GuardDecorators...)
	decorators = append(decorators,
		ante.NewConsumeGasForTxSizeDecorator(opts.AccountKeeper),
		// nil fee checker: the SDK's default, which enforces the validator's
		// minimum gas prices in CheckTx and takes priority from the fee.
		ante.NewDeductFeeDecorator(opts.AccountKeeper, opts.BankKeeper, opts.FeegrantKeeper, nil),
		simulatedFeeGasDecorator{bank: opts.BankKeeper, spendCheck: opts.FeeSpendCheck},
		ante.NewSetPubKeyDecorator(opts.AccountKeeper), // before every signature check
		ante.NewValidateSigCountDecorator(opts.AccountKeeper),
		ante.NewSigGasConsumeDecorator(opts.AccountKeeper, ante.DefaultSigVerificationGasConsumer),
		verifyOnceDecorator{
			inner: ante.NewSigVerificationDecorator(opts.AccountKeeper, opts.SignModeHandler),
			ak:    opts.AccountKeeper, handler: opts.SignModeHandler, cache: opts.SigCache,
		},
		ante.NewIncrementSequenceDecorator(opts.AccountKeeper),
	)
	return sdk.ChainAnteDecorators(decorators...), nil
}

// simulatedFeeGasDecorator charges a simulated tx that carries no fee the gas
// that taking a fee costs when the tx is delivered. Wallets simulate a tx
// before they know its fee (CosmJS and Keplr send none) and multiply the gas
// it used by a margin, often 1.3 to 1.5; the SDK's fee decorator skips the
// deduction of a zero fee, so such a simulation came out about 18,000 gas
// short of the delivered tx, more than that margin for small messages (a
// MsgRevokeAttestation: 34,000 simulated, 51,000 used). The deduction of one
// base-denom unit from the payer (or the fee granter) to the fee collector
// runs in a branch of the state that is dropped, after the same spend-cap
// check a fee gets (HandlerOptions.FeeSpendCheck), so the gas is measured on
// the same stores rather than guessed, whatever its outcome; a fee grant's
// own bookkeeping is not counted. Only simulations take this path: CheckTx
// and FinalizeBlock never run with simulate set.
type simulatedFeeGasDecorator struct {
	bank       authtypes.BankKeeper
	spendCheck func(ctx context.Context, from, to sdk.AccAddress, amt sdk.Coins) error
}

// AnteHandle implements sdk.AnteDecorator.
func (d simulatedFeeGasDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	feeTx, ok := tx.(sdk.FeeTx)
	if !simulate || !ok || !feeTx.GetFee().IsZero() {
		return next(ctx, tx, simulate)
	}
	from := sdk.AccAddress(feeTx.FeePayer())
	if granter := feeTx.FeeGranter(); granter != nil {
		from = granter
	}
	branch, _ := ctx.CacheContext() // shares the gas meter; its writes are never committed
	// The outcome does not matter (the payer may hold no base denom): only
	// the gas the attempt takes, as the delivered tx's deduction would.
	fee := sdk.NewCoins(sdk.NewInt64Coin(BaseDenom, 1))
	if d.spendCheck != nil {
		_ = d.spendCheck(branch, from, authtypes.NewModuleAddress(authtypes.FeeCollectorName), fee)
	}
	_ = d.bank.SendCoinsFromAccountToModule(branch, from, authtypes.FeeCollectorName, fee)
	return next(ctx, tx, simulate)
}
