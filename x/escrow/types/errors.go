package types

import errorsmod "cosmossdk.io/errors"

// Errors of the escrow module. Codes start at 2 (1 is reserved) and never
// change; a retired code is left out, never reused. Every message is unique
// across agentchain's modules, so a refusal names its rule even without its
// codespace.
var (
	ErrEscrowNotFound     = errorsmod.Register(ModuleName, 2, "escrow not found")
	ErrInvalidAmount      = errorsmod.Register(ModuleName, 3, "invalid escrow amount")
	ErrDenomNotAllowed    = errorsmod.Register(ModuleName, 4, "denom not allowed in escrows")
	ErrSelfEscrow         = errorsmod.Register(ModuleName, 5, "payer and payee are the same")
	ErrInvalidPayee       = errorsmod.Register(ModuleName, 6, "invalid escrow payee")
	ErrUnauthorized       = errorsmod.Register(ModuleName, 7, "signer may not move this escrow")
	ErrWrongStatus        = errorsmod.Register(ModuleName, 8, "escrow is not in a status that allows this")
	ErrNotDirect          = errorsmod.Register(ModuleName, 9, "escrow is owned by a module; only it can move it")
	ErrWrongOwner         = errorsmod.Register(ModuleName, 10, "escrow is owned by another module")
	ErrInsufficientEscrow = errorsmod.Register(ModuleName, 11, "amount exceeds what the escrow still holds")
	// 12 (escrow has not expired) was never returned.
	ErrInvalidExpiry    = errorsmod.Register(ModuleName, 13, "invalid escrow expiry height")
	ErrInvalidArbiter   = errorsmod.Register(ModuleName, 14, "invalid escrow arbiter")
	ErrInvalidShare     = errorsmod.Register(ModuleName, 15, "invalid payee share: basis points from 0 to 10000")
	ErrPayeeAlreadySet  = errorsmod.Register(ModuleName, 16, "escrow payee already set")
	ErrNoPayee          = errorsmod.Register(ModuleName, 17, "escrow has no payee yet")
	ErrInvalidAuthority = errorsmod.Register(ModuleName, 18, "escrow params are set by the governance authority only")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 19, "invalid escrow params")
	ErrInvalidAddress   = errorsmod.Register(ModuleName, 20, "invalid address in an escrow message")
	ErrInvalidReason    = errorsmod.Register(ModuleName, 21, "invalid dispute reason")
	ErrInvalidHash      = errorsmod.Register(ModuleName, 22, "invalid evidence hash: want 32 bytes of sha256")
	ErrFieldTooLong     = errorsmod.Register(ModuleName, 23, "escrow reference too long")
	ErrConservation     = errorsmod.Register(ModuleName, 24, "escrow conservation violated")
	ErrLockRefused      = errorsmod.Register(ModuleName, 25, "payer's coins could not be locked in escrow")
	ErrTimedOut         = errorsmod.Register(ModuleName, 26, "escrow expired or its dispute timed out")
	ErrNothingDue       = errorsmod.Register(ModuleName, 27, "no timer of this escrow is due")
)

// Errors of streams.
var (
	ErrStreamNotFound     = errorsmod.Register(ModuleName, 28, "stream not found")
	ErrInvalidStream      = errorsmod.Register(ModuleName, 29, "invalid stream terms")
	ErrStreamNotDue       = errorsmod.Register(ModuleName, 30, "stream has neither run out nor ended")
	ErrNothingAccrued     = errorsmod.Register(ModuleName, 31, "nothing has accrued to withdraw")
	ErrStreamStatus       = errorsmod.Register(ModuleName, 32, "stream is not in a status that allows this")
	ErrStreamUnauthorized = errorsmod.Register(ModuleName, 33, "signer may not move this stream")
	ErrStreamNotDirect    = errorsmod.Register(ModuleName, 34, "stream is owned by a module; only it can move it")
)
