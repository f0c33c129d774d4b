package agentkit

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// packagesBefore is how many packages agentkit linked when it imported the
// node's app (go list -deps ./agentkit, November 2026).
const packagesBefore = 1587

// An agent program that imports agentkit links the client, the modules'
// message types and the SDK types they need, and nothing of the node: no
// app, keeper, module, simulation or test package, and at most half of the
// packages it linked when it imported the app.
func TestAgentkitDoesNotLinkTheNode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	pkgs := strings.Fields(string(out))
	forbidden := regexp.MustCompile(`^github\.com/agentchain/agentchain/(app|internal/.*|x/[^/]+|x/[^/]+/(keeper|simulation|client/.*))$` +
		`|^github\.com/agentchain/agentchain/testutil` +
		`|/simulation$|/testutil(/|$)|/keeper$` +
		`|^github\.com/cosmos/cosmos-sdk/((baseapp|server|x/auth/tx|x/auth/types|x/bank/types|client/grpc)(/|$)|client$)`)
	for _, p := range pkgs {
		if forbidden.MatchString(p) {
			t.Errorf("agentkit links %s", p)
		}
	}
	if len(pkgs) > packagesBefore/2 {
		t.Errorf("agentkit links %d packages; at most %d (half of %d)", len(pkgs), packagesBefore/2, packagesBefore)
	}
	t.Logf("agentkit links %d packages (%d before)", len(pkgs), packagesBefore)
}

// Importing agentkit changes none of the SDK's global settings: a program
// that also talks to another chain keeps its own prefixes and denom.
func TestImportingAgentkitLeavesTheSDKConfigAlone(t *testing.T) {
	if p := sdk.GetConfig().GetBech32AccountAddrPrefix(); p != sdk.Bech32MainPrefix {
		t.Fatalf("the account prefix is %q after importing agentkit", p)
	}
	if sdk.DefaultBondDenom != "stake" {
		t.Fatalf("sdk.DefaultBondDenom is %q after importing agentkit", sdk.DefaultBondDenom)
	}
}
