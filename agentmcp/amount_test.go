package agentmcp

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in, amount, denom string
	}{
		{"2.5", "2500000", "uagnt"},
		{"2.5 AGNT", "2500000", "uagnt"},
		{"2.5agnt", "2500000", "uagnt"},
		{"0.000001", "1", "uagnt"},
		{"1.500000", "1500000", "uagnt"},
		{"1.5000000", "1500000", "uagnt"}, // trailing zeros past 6 decimals are exact
		{"7", "7000000", "uagnt"},
		{"007", "7000000", "uagnt"},
		{"2500000uagnt", "2500000", "uagnt"},
		{"100 uusdc", "100", "uusdc"},
		{"0", "0", "uagnt"},
	} {
		coin, err := ParseAmount("price", c.in, true)
		if err != nil || coin.Amount.String() != c.amount || coin.Denom != c.denom {
			t.Errorf("ParseAmount(%q) = %v, %v; want %s%s", c.in, coin, err, c.amount, c.denom)
		}
	}
	for _, c := range []struct{ in, says string }{
		{"", "empty"},
		{"-1", "negative"},
		{"-0.5 AGNT", "negative"},
		{"0.0000001", "finer than 1 uagnt"},
		{"1.2345678", "finer than 1 uagnt"},
		{"two", "not an amount"},
		{"1e6", "not an amount"},
		{"1.5uagnt", "not an amount"},
		{"0", "zero"},
		{"1" + strings.Repeat("0", 60), "too large"},
	} {
		_, err := ParseAmount("price", c.in, false)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseAmount(%q): %v; want an error saying %q", c.in, err, c.says)
		}
	}
}

func TestShowAmount(t *testing.T) {
	for in, want := range map[string]string{"2500000uagnt": "2.5 AGNT", "1uagnt": "0.000001 AGNT", "3000000uagnt": "3 AGNT", "0uagnt": "0 AGNT", "12uusdc": "12uusdc"} {
		c, err := ParseAmount("x", in, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := ShowAmount(c); got.Text != want {
			t.Errorf("ShowAmount(%s) = %+v, want %s", in, got, want)
		}
	}
}

func TestParseID(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
	}{{"7", 7}, {"\t12\n", 12}, {"#3", 3}} {
		if got, err := parseID("job_id", c.in); err != nil || got != c.want {
			t.Errorf("parseID(%q) = %d, %v", c.in, got, err)
		}
	}
	for _, in := range []string{"", "0", "-1", "seven", "1.5", "99999999999999999999999"} {
		if _, err := parseID("job_id", in); err == nil || !strings.Contains(err.Error(), "job_id") {
			t.Errorf("parseID(%q): %v", in, err)
		}
	}
}

func TestChainMessage(t *testing.T) {
	in := "failed to execute message; message index: 0: job 1 is JOB_STATUS_IN_PROGRESS, not JOB_STATUS_FUNDED: listing, request or job is not in a status that allows this: listing, request or job is not in a status that allows this"
	want := "job 1 is IN_PROGRESS, not FUNDED: listing, request or job is not in a status that allows this"
	if got := chainMessage(in); got != want {
		t.Errorf("chainMessage:\n got %q\nwant %q", got, want)
	}
	if got := chainMessage("insufficient funds"); got != "insufficient funds" {
		t.Errorf("a plain message changed: %q", got)
	}
}
