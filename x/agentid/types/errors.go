package types

import errorsmod "cosmossdk.io/errors"

// Errors of the agentid module. Codes start at 2 (1 is reserved) and never
// change; a retired code is left out, never reused. Every message is unique
// across agentchain's modules, so a refusal names its rule even without its
// codespace.
var (
	ErrAgentNotFound       = errorsmod.Register(ModuleName, 2, "agent not found")
	ErrNameTaken           = errorsmod.Register(ModuleName, 3, "agent name already taken")
	ErrInvalidName         = errorsmod.Register(ModuleName, 4, "invalid agent name")
	ErrAddressTaken        = errorsmod.Register(ModuleName, 5, "agent address already bound to an agent")
	ErrInvalidKeyProof     = errorsmod.Register(ModuleName, 6, "invalid key proof")
	ErrNonceUsed           = errorsmod.Register(ModuleName, 7, "key proof nonce already used")
	ErrNotOwner            = errorsmod.Register(ModuleName, 8, "signer is not the agent's owner")
	ErrAgentDeactivated    = errorsmod.Register(ModuleName, 9, "agent is deactivated")
	ErrInvalidStatus       = errorsmod.Register(ModuleName, 10, "invalid agent status change")
	ErrInvalidCapability   = errorsmod.Register(ModuleName, 11, "invalid agent capability")
	ErrTooManyCapabilities = errorsmod.Register(ModuleName, 12, "too many capabilities")
	ErrInvalidEndpoint     = errorsmod.Register(ModuleName, 13, "invalid endpoint")
	ErrTooManyEndpoints    = errorsmod.Register(ModuleName, 14, "too many endpoints")
	ErrFieldTooLong        = errorsmod.Register(ModuleName, 15, "agent or attestation field too long")
	ErrInvalidHash         = errorsmod.Register(ModuleName, 16, "invalid card or claim hash: want 32 bytes of sha256")
	ErrNotAttester         = errorsmod.Register(ModuleName, 17, "signer is not an approved attester")
	ErrAttestationNotFound = errorsmod.Register(ModuleName, 18, "attestation not found")
	ErrInvalidClaimType    = errorsmod.Register(ModuleName, 19, "invalid claim type")
	ErrSpendCapExceeded    = errorsmod.Register(ModuleName, 20, "agent spend cap exceeded")
	ErrInvalidSpendPolicy  = errorsmod.Register(ModuleName, 21, "invalid spend policy")
	ErrCappedDelegation    = errorsmod.Register(ModuleName, 22, "delegation from a spend-capped agent address")
	ErrInvalidAuthority    = errorsmod.Register(ModuleName, 23, "agentid params are set by the governance authority only")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 24, "invalid agentid params")
	ErrInvalidAddress      = errorsmod.Register(ModuleName, 25, "invalid address in an agentid message")
	ErrInvalidExpiry       = errorsmod.Register(ModuleName, 26, "invalid attestation expiry height")
	ErrInvalidURI          = errorsmod.Register(ModuleName, 27, "invalid card, endpoint or claim URI")
	// 28 (agent is not active) and 29 (invalid genesis state) were never returned.
	ErrSpendPolicyNotFound   = errorsmod.Register(ModuleName, 30, "spend policy not found")
	ErrNothingToUpdate       = errorsmod.Register(ModuleName, 31, "agent update changes nothing")
	ErrMsgNestingTooDeep     = errorsmod.Register(ModuleName, 32, "messages nested too deep")
	ErrDepositFailed         = errorsmod.Register(ModuleName, 33, "registration deposit could not be taken")
	ErrCappedWithdrawAddress = errorsmod.Register(ModuleName, 34, "reward withdraw address of a spend-capped agent address")
)
