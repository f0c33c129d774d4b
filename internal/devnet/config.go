// Package devnet turns config.yml, the single definition of agentchain's
// local networks, into the files of a network of one or more validators on
// 127.0.0.1: each node's home (config.toml, app.toml, client.toml, keys,
// genesis.json) and a summary of the network's endpoints and accounts.
package devnet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"

	"sigs.k8s.io/yaml"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Config is the part of an Ignite CLI v1 config.yml that agentchain reads.
// Unknown top-level sections (build, faucet, client) are ignored.
type Config struct {
	Version    int            `json:"version"`
	Accounts   []Account      `json:"accounts"`
	Validators []Validator    `json:"validators"`
	Genesis    map[string]any `json:"genesis"`
}

// Account is a genesis account. With a mnemonic (or neither mnemonic nor
// address) its key is put in every node's test keyring; with an address it is
// only funded.
type Account struct {
	Name     string   `json:"name"`
	Coins    []string `json:"coins"`
	Mnemonic string   `json:"mnemonic,omitempty"`
	Address  string   `json:"address,omitempty"`
}

// Validator is a genesis validator: the account named Name self-delegates
// Bonded. App and Config override keys of that node's app.toml and
// config.toml, as nested maps (e.g. config: {consensus: {timeout_commit: 1s}}).
type Validator struct {
	Name   string         `json:"name"`
	Bonded string         `json:"bonded"`
	App    map[string]any `json:"app,omitempty"`
	Config map[string]any `json:"config,omitempty"`
}

var keyNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// Mnemonic returns the mnemonic of the named account.
func (c *Config) Mnemonic(name string) (string, error) {
	for _, a := range c.Accounts {
		if a.Name == name && a.Mnemonic != "" {
			return a.Mnemonic, nil
		}
	}
	return "", fmt.Errorf("config.yml has no mnemonic for %s", name)
}

// LoadConfig reads and validates a config.yml.
func LoadConfig(path string) (*Config, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(bz)
}

// ParseConfig parses and validates the YAML text of a config.yml.
func ParseConfig(bz []byte) (*Config, error) {
	jsonBz, err := yaml.YAMLToJSON(bz)
	if err != nil {
		return nil, fmt.Errorf("config.yml: %w", err)
	}
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(jsonBz))
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("config.yml: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config.yml: %w", err)
	}
	return &cfg, nil
}

// Validate checks that accounts and validators are well formed and that
// every validator names a funded account that can pay its bond.
func (c *Config) Validate() error {
	if c.Version != 1 {
		return fmt.Errorf("version must be 1, got %d", c.Version)
	}
	if len(c.Validators) == 0 {
		return fmt.Errorf("at least one validator is required")
	}
	accounts := make(map[string]Account, len(c.Accounts))
	for i, acc := range c.Accounts {
		if !keyNameRe.MatchString(acc.Name) {
			return fmt.Errorf("accounts[%d]: invalid name %q", i, acc.Name)
		}
		if _, dup := accounts[acc.Name]; dup {
			return fmt.Errorf("accounts[%d]: duplicate name %q", i, acc.Name)
		}
		if acc.Mnemonic != "" && acc.Address != "" {
			return fmt.Errorf("account %q: give a mnemonic or an address, not both", acc.Name)
		}
		if acc.Address != "" {
			if _, err := sdk.AccAddressFromBech32(acc.Address); err != nil {
				return fmt.Errorf("account %q: address: %w", acc.Name, err)
			}
		}
		if _, err := acc.ParsedCoins(); err != nil {
			return fmt.Errorf("account %q: %w", acc.Name, err)
		}
		accounts[acc.Name] = acc
	}
	seen := map[string]bool{}
	for i, val := range c.Validators {
		acc, ok := accounts[val.Name]
		if !ok {
			return fmt.Errorf("validators[%d]: %q is not one of the accounts", i, val.Name)
		}
		if acc.Address != "" {
			return fmt.Errorf("validator %q: its account needs a key (a mnemonic, or none to generate one), not just an address", val.Name)
		}
		if seen[val.Name] {
			return fmt.Errorf("validators[%d]: duplicate validator %q", i, val.Name)
		}
		seen[val.Name] = true
		bond, err := val.ParsedBond()
		if err != nil {
			return fmt.Errorf("validator %q: %w", val.Name, err)
		}
		coins, _ := acc.ParsedCoins()
		if coins.AmountOf(bond.Denom).LT(bond.Amount) {
			return fmt.Errorf("validator %q bonds %s but its account holds only %s", val.Name, bond, coins)
		}
	}
	return nil
}

// ParsedCoins returns the account's coins.
func (a Account) ParsedCoins() (sdk.Coins, error) {
	coins := sdk.NewCoins()
	for _, s := range a.Coins {
		c, err := sdk.ParseCoinNormalized(s)
		if err != nil {
			return nil, fmt.Errorf("coin %q: %w", s, err)
		}
		coins = coins.Add(c)
	}
	return coins, nil
}

// ParsedBond returns the validator's self-delegation.
func (v Validator) ParsedBond() (sdk.Coin, error) {
	c, err := sdk.ParseCoinNormalized(v.Bonded)
	if err != nil {
		return sdk.Coin{}, fmt.Errorf("bonded %q: %w", v.Bonded, err)
	}
	if !c.IsPositive() {
		return sdk.Coin{}, fmt.Errorf("bonded must be positive")
	}
	return c, nil
}
