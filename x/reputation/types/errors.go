package types

import errorsmod "cosmossdk.io/errors"

// Errors of the reputation module. Codes start at 2 (1 is reserved) and
// never change; a retired code is left out, never reused. Every message is
// unique across agentchain's modules, so a refusal names its rule even
// without its codespace.
var (
	ErrJobNotSettled        = errorsmod.Register(ModuleName, 2, "job is not settled")
	ErrNotAParty            = errorsmod.Register(ModuleName, 3, "signer is not a party of the job")
	ErrAlreadyRated         = errorsmod.Register(ModuleName, 4, "this party already rated this job")
	ErrInvalidScore         = errorsmod.Register(ModuleName, 5, "invalid feedback score: 0 to 100")
	ErrFeedbackWindowClosed = errorsmod.Register(ModuleName, 6, "the feedback window of this job has closed")
	ErrClientNotAgent       = errorsmod.Register(ModuleName, 7, "the client is not an agent, so it cannot be rated")
	ErrFeedbackNotFound     = errorsmod.Register(ModuleName, 8, "feedback not found")
	ErrNotSubject           = errorsmod.Register(ModuleName, 9, "signer does not speak for the rated agent")
	ErrAlreadyResponded     = errorsmod.Register(ModuleName, 10, "the rated agent already responded")
	ErrNotRater             = errorsmod.Register(ModuleName, 11, "signer is not the feedback's rater")
	ErrAlreadyRevoked       = errorsmod.Register(ModuleName, 12, "feedback already revoked")
	ErrInvalidTags          = errorsmod.Register(ModuleName, 13, "invalid feedback tags")
	ErrInvalidURI           = errorsmod.Register(ModuleName, 14, "invalid comment or response URI")
	ErrInvalidHash          = errorsmod.Register(ModuleName, 15, "invalid comment or response hash: want 32 bytes of sha256")
	ErrFieldTooLong         = errorsmod.Register(ModuleName, 16, "comment or response URI too long")
	ErrInvalidAuthority     = errorsmod.Register(ModuleName, 17, "reputation params are set by the governance authority only")
	ErrInvalidParams        = errorsmod.Register(ModuleName, 18, "invalid reputation params")
	ErrInvalidAddress       = errorsmod.Register(ModuleName, 19, "invalid address in a reputation message")
	ErrInvalidRole          = errorsmod.Register(ModuleName, 20, "invalid rater role")
	ErrJobNotFound          = errorsmod.Register(ModuleName, 21, "rated job not found")
	ErrAgentNotFound        = errorsmod.Register(ModuleName, 22, "rated agent not found")
	ErrRulingFinal          = errorsmod.Register(ModuleName, 23, "a dispute's ruling is on record for good and cannot be revoked")
)
