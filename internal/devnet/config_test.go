package devnet

import (
	"strings"
	"testing"

	_ "github.com/agentchain/agentchain/app" // bech32 prefixes
)

const validConfig = `
version: 1
accounts:
  - name: alice
    coins: ["1000uagnt", "5foo"]
  - name: watcher
    coins: ["7uagnt"]
    address: agent1am058pdux3hyulcmfgj4m3hhrlfn8nzmyzg9sk
validators:
  - name: alice
    bonded: "900uagnt"
    config: {consensus: {timeout_commit: 2s}}
genesis:
  chain_id: test-1
  app_state: {staking: {params: {unbonding_time: "60s"}}}
`

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(validConfig))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Accounts) != 2 || cfg.Accounts[1].Address == "" || cfg.Validators[0].Bonded != "900uagnt" {
		t.Fatalf("parsed %+v", cfg)
	}
	coins, err := cfg.Accounts[0].ParsedCoins()
	if err != nil || coins.AmountOf("foo").Int64() != 5 {
		t.Fatalf("coins %v %v", coins, err)
	}
	flat := flatten("", cfg.Validators[0].Config)
	if flat["consensus.timeout_commit"] != "2s" {
		t.Fatalf("flattened %v", flat)
	}
}

func TestMnemonicOfAnAccount(t *testing.T) {
	cfg, err := ParseConfig([]byte(strings.Replace(validConfig, `coins: ["1000uagnt", "5foo"]`,
		`coins: ["1000uagnt", "5foo"]
    mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m, err := cfg.Mnemonic("alice"); err != nil || !strings.HasSuffix(m, " about") {
		t.Fatalf("alice: %q %v", m, err)
	}
	// An address-only account and an unknown name have none.
	for _, name := range []string{"watcher", "nobody"} {
		if _, err := cfg.Mnemonic(name); err == nil {
			t.Fatalf("%s has a mnemonic", name)
		}
	}
}

func TestParseConfigRefusals(t *testing.T) {
	base := strings.Replace(validConfig, "version: 1\n", "", 1)
	cases := map[string]string{
		"version":            "version: 2\n" + base,
		"no validators":      "version: 1\naccounts: [{name: a, coins: [1uagnt]}]\n",
		"unknown validator":  "version: 1\naccounts: [{name: a, coins: [1uagnt]}]\nvalidators: [{name: b, bonded: 1uagnt}]\n",
		"bond exceeds coins": "version: 1\naccounts: [{name: a, coins: [1uagnt]}]\nvalidators: [{name: a, bonded: 2uagnt}]\n",
		"zero bond":          "version: 1\naccounts: [{name: a, coins: [1uagnt]}]\nvalidators: [{name: a, bonded: 0uagnt}]\n",
		"bad coin":           "version: 1\naccounts: [{name: a, coins: [lots]}]\nvalidators: [{name: a, bonded: 1uagnt}]\n",
		"duplicate account":  "version: 1\naccounts: [{name: a, coins: [1uagnt]}, {name: a, coins: [1uagnt]}]\nvalidators: [{name: a, bonded: 1uagnt}]\n",
		"bad address":        "version: 1\naccounts: [{name: a, coins: [1uagnt]}, {name: b, address: cosmos1xyz}]\nvalidators: [{name: a, bonded: 1uagnt}]\n",
		"address validator":  "version: 1\naccounts: [{name: a, coins: [1uagnt], address: agent1am058pdux3hyulcmfgj4m3hhrlfn8nzmyzg9sk}]\nvalidators: [{name: a, bonded: 1uagnt}]\n",
		"bad yaml":           "version: [",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseConfig([]byte(text)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestDeepMerge(t *testing.T) {
	dst := map[string]any{"a": map[string]any{"x": 1.0, "y": 2.0}, "b": "keep"}
	src := map[string]any{"a": map[string]any{"y": 3.0}, "c": []any{1.0}}
	got := deepMerge(dst, src)
	a := got["a"].(map[string]any)
	if a["x"] != 1.0 || a["y"] != 3.0 || got["b"] != "keep" || got["c"] == nil {
		t.Fatalf("merged %v", got)
	}
}
