package agentmcp

import (
	"fmt"
	"regexp"
	"strings"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Amounts as a model reads and writes them: AGNT as a decimal ("2.5",
// "2.5 AGNT") or micro-units with their denom ("2500000uagnt"); other
// denoms as an integer and a denom ("100uusdc"). One AGNT is 10^6 uagnt.

const (
	baseDenom   = "uagnt"
	displayUnit = "AGNT"
	decimals    = 6
)

var (
	microRe   = regexp.MustCompile(`^([0-9]+)\s*([a-z][a-z0-9/:._-]{2,127})$`)
	decimalRe = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?\s*(?i:agnt)?$`)
)

// Amount is a coin as shown to a model.
type Amount struct {
	Text   string `json:"text" jsonschema:"the amount for people, e.g. 2.5 AGNT"`
	AGNT   string `json:"agnt,omitempty" jsonschema:"the amount in AGNT as a decimal (uagnt amounts only)"`
	Amount string `json:"amount" jsonschema:"the amount in the denom's smallest unit, an integer"`
	Denom  string `json:"denom" jsonschema:"the denom, e.g. uagnt"`
}

// ParseAmount reads an amount a model wrote. It refuses negative amounts,
// amounts finer than 1 uagnt, zero when !allowZero, and anything else it
// cannot read, saying what to write instead.
func ParseAmount(field, s string, allowZero bool) (sdk.Coin, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return sdk.Coin{}, fmt.Errorf("%s is empty: write an amount such as \"2.5\" (AGNT) or \"2500000uagnt\"", field)
	}
	if strings.HasPrefix(t, "-") {
		return sdk.Coin{}, fmt.Errorf("%s %q is negative: amounts are zero or more", field, s)
	}
	var coin sdk.Coin
	if m := microRe.FindStringSubmatch(t); m != nil && !strings.EqualFold(m[2], "agnt") {
		n, ok := sdkmath.NewIntFromString(m[1])
		if !ok {
			return sdk.Coin{}, fmt.Errorf("%s %q: %q is not an integer", field, s, m[1])
		}
		coin = sdk.Coin{Denom: m[2], Amount: n}
	} else if m := decimalRe.FindStringSubmatch(t); m != nil {
		frac := m[2]
		if len(frac) > decimals {
			if strings.TrimRight(frac[decimals:], "0") != "" {
				return sdk.Coin{}, fmt.Errorf("%s %q is finer than 1 uagnt: AGNT takes at most %d decimals", field, s, decimals)
			}
			frac = frac[:decimals]
		}
		frac += strings.Repeat("0", decimals-len(frac))
		n := sdkmath.ZeroInt()
		if digits := strings.TrimLeft(m[1]+frac, "0"); digits != "" {
			var ok bool
			if n, ok = sdkmath.NewIntFromString(digits); !ok {
				return sdk.Coin{}, fmt.Errorf("%s %q is not an amount", field, s)
			}
		}
		coin = sdk.Coin{Denom: baseDenom, Amount: n}
	} else {
		return sdk.Coin{}, fmt.Errorf("%s %q is not an amount: write AGNT as a decimal (\"2.5\" or \"2.5 AGNT\") or micro-units with their denom (\"2500000uagnt\")", field, s)
	}
	if coin.Amount.BigInt().BitLen() > 128 {
		return sdk.Coin{}, fmt.Errorf("%s %q is too large", field, s)
	}
	if coin.Amount.IsZero() && !allowZero {
		return sdk.Coin{}, fmt.Errorf("%s is zero: give an amount above zero", field)
	}
	return coin, nil
}

// ShowAmount is a coin as a model reads it.
func ShowAmount(c sdk.Coin) Amount {
	amt := c.Amount
	if amt.IsNil() {
		amt = sdkmath.ZeroInt()
	}
	a := Amount{Amount: amt.String(), Denom: c.Denom}
	if c.Denom != baseDenom {
		a.Text = amt.String() + c.Denom
		return a
	}
	a.AGNT = agntDecimal(amt)
	a.Text = a.AGNT + " " + displayUnit
	return a
}

// ShowAmounts shows several coins.
func ShowAmounts(cs sdk.Coins) []Amount {
	out := make([]Amount, 0, len(cs))
	for _, c := range cs {
		out = append(out, ShowAmount(c))
	}
	return out
}

// agntDecimal writes uagnt as AGNT: 2500000 → "2.5", 1 → "0.000001".
func agntDecimal(micro sdkmath.Int) string {
	s := micro.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	whole, frac := s[:len(s)-decimals], strings.TrimRight(s[len(s)-decimals:], "0")
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
