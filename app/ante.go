package app

import (
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
