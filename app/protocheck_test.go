package app

import (
	"testing"

	"github.com/cosmos/gogoproto/proto"
)

// TestOwnMsgServicesAreAnnotated: the start-up check sees the Msg services
// of all four modules (so it is not vacuous) and finds them annotated.
func TestOwnMsgServicesAreAnnotated(t *testing.T) {
	files, err := proto.MergedRegistry()
	if err != nil {
		t.Fatal(err)
	}
	n, err := validateOwnMsgServices(files)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("checked %d Msg services of agentchain's modules, want 4", n)
	}
}
