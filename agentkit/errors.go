package agentkit

import (
	"errors"
	"strings"

	"google.golang.org/grpc/status"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	// Register every module's errors, so that codes map back to them.
	_ "github.com/agentchain/agentchain/x/agentid/types"
	_ "github.com/agentchain/agentchain/x/escrow/types"
	_ "github.com/agentchain/agentchain/x/market/types"
	_ "github.com/agentchain/agentchain/x/reputation/types"
)

// codespaces whose registered errors a client may meet.
var codespaces = []string{"agentid", "escrow", "market", "reputation", "sdk"}

// registered lists the registered errors of a codespace (codes 2-199).
func registered(codespace string) []*errorsmod.Error {
	var out []*errorsmod.Error
	for code := uint32(2); code < 200; code++ {
		var root *errorsmod.Error
		if errors.As(errorsmod.ABCIError(codespace, code, ""), &root) && root.Error() != "unknown" {
			out = append(out, root)
		}
	}
	return out
}

// simulationError recovers the chain's registered error from a failed
// simulation. The node reports only the error's text there (no code), so
// the text is matched against registered errors: first those of the
// module of the first message, then the SDK's, then the other modules'.
func simulationError(err error, msgs []sdk.Msg) error {
	msg := simulationMessage(status.Convert(err).Message())
	order := []string{}
	if len(msgs) > 0 {
		// "/agentchain.market.v1.MsgHire" → "market"
		parts := strings.Split(strings.TrimPrefix(sdk.MsgTypeURL(msgs[0]), "/"), ".")
		if len(parts) > 1 && parts[0] == "agentchain" {
			order = append(order, parts[1])
		}
	}
	order = append(order, codespaces...)
	for _, cs := range order {
		for _, e := range registered(cs) {
			if msgHasError(msg, e.Error()) {
				return withCauses(errorsmod.Wrap(e, strings.TrimSuffix(strings.TrimSuffix(msg, e.Error()), ": ")), msg)
			}
		}
	}
	return errors.New(msg)
}

// causedError is a chain error that also matches the registered errors
// named inside its text: the causes a module wrapped into its own refusal.
type causedError struct {
	err    error
	causes []error
}

func (e *causedError) Error() string   { return e.err.Error() }
func (e *causedError) Unwrap() []error { return append([]error{e.err}, e.causes...) }

// withCauses adds to err every registered error of agentchain's modules or
// the SDK whose text appears in msg as a wrapped cause (followed by ": ").
// Every agentchain error text is unique, so a text names one error.
func withCauses(err error, msg string) error {
	var causes []error
	for _, cs := range codespaces {
		for _, e := range registered(cs) {
			if errors.Is(err, e) {
				continue
			}
			if strings.Contains(msg, ": "+e.Error()+": ") || strings.HasPrefix(msg, e.Error()+": ") {
				causes = append(causes, e)
			}
		}
	}
	if len(causes) == 0 {
		return err
	}
	return &causedError{err: err, causes: causes}
}

// msgHasError reports whether an error message is, or ends with, a
// registered error's text (errorsmod.Wrap puts it last).
func msgHasError(msg, registered string) bool {
	return msg == registered || strings.HasSuffix(msg, ": "+registered)
}

// simulationMessage strips what the node appends to a failed simulation's
// error: the gas used and the source location of the error.
func simulationMessage(msg string) string {
	for _, tail := range []string{" with gas used", " With gas wanted"} {
		if i := strings.LastIndex(msg, tail); i >= 0 {
			msg = msg[:i]
		}
	}
	msg = strings.TrimSpace(msg)
	if strings.HasSuffix(msg, "]") {
		if i := strings.LastIndex(msg, " ["); i >= 0 {
			msg = msg[:i]
		}
	}
	return strings.TrimSpace(msg)
}
