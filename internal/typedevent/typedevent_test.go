package typedevent_test

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

// allEvents lists one value of every typed event agentchain emits.
func allEvents() []proto.Message {
	return []proto.Message{
		&agentidtypes.EventAgentRegistered{}, &agentidtypes.EventAgentUpdated{}, &agentidtypes.EventAgentKeyRotated{},
		&agentidtypes.EventOwnershipTransferred{}, &agentidtypes.EventAgentStatusChanged{}, &agentidtypes.EventAgentDeactivated{},
		&agentidtypes.EventSpendPolicySet{}, &agentidtypes.EventAttested{}, &agentidtypes.EventAttestationRevoked{},
		&agentidtypes.EventParamsUpdated{},
		&escrowtypes.EventEscrowCreated{}, &escrowtypes.EventEscrowPayeeSet{}, &escrowtypes.EventEscrowReleased{},
		&escrowtypes.EventEscrowRefunded{}, &escrowtypes.EventEscrowDisputed{}, &escrowtypes.EventEscrowResolved{},
		&escrowtypes.EventEscrowClosed{}, &escrowtypes.EventQueueItemFailed{}, &escrowtypes.EventParamsUpdated{},
		&markettypes.EventListingCreated{}, &markettypes.EventListingUpdated{}, &markettypes.EventListingStatusChanged{},
		&markettypes.EventRequestPosted{}, &markettypes.EventRequestClosed{}, &markettypes.EventBidPlaced{},
		&markettypes.EventBidAccepted{}, &markettypes.EventJobFunded{}, &markettypes.EventJobAccepted{},
		&markettypes.EventJobDelivered{}, &markettypes.EventMilestonePaid{}, &markettypes.EventJobCompleted{},
		&markettypes.EventJobCancelled{}, &markettypes.EventJobExpired{}, &markettypes.EventJobDisputed{},
		&markettypes.EventJobResolved{}, &markettypes.EventQueueItemFailed{}, &markettypes.EventHookFailed{},
		&markettypes.EventParamsUpdated{},
		&reputationtypes.EventFeedbackSubmitted{}, &reputationtypes.EventFeedbackResponded{},
		&reputationtypes.EventFeedbackRevoked{}, &reputationtypes.EventParamsUpdated{},
	}
}

var (
	intType   = reflect.TypeOf(sdkmath.Int{})
	coinsType = reflect.TypeOf(sdk.Coins{})
)

// fill sets every field of v to a random value (or leaves it zero), with
// strings that need JSON escaping.
func fill(rng *rand.Rand, v reflect.Value, zero bool) {
	if zero {
		return
	}
	switch {
	case v.Type() == intType:
		v.Set(reflect.ValueOf(sdkmath.NewInt(rng.Int64N(1 << 62))))
		return
	case v.Type() == coinsType:
		v.Set(reflect.ValueOf(sdk.NewCoins(sdk.NewInt64Coin("uagnt", 1+rng.Int64N(1e12)), sdk.NewInt64Coin("zzz", 7))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString([]string{"agent1abc", `quote " and <html> & \ back`, "ünïcödé ✓", ""}[rng.IntN(4)])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 1)
	case reflect.Int32:
		v.SetInt(int64(rng.IntN(4)))
	case reflect.Int64:
		v.SetInt(rng.Int64() - rng.Int64())
	case reflect.Uint32:
		v.SetUint(uint64(rng.Uint32()))
	case reflect.Uint64:
		v.SetUint(rng.Uint64())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			v.SetBytes(b)
			return
		}
		n := rng.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			fill(rng, s.Index(i), false)
		}
		v.Set(s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(rng, v.Field(i), false)
			}
		}
	case reflect.Pointer:
		if rng.IntN(3) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(rng, p.Elem(), false)
		v.Set(p)
	}
}

// The fast encoder's events are identical to the SDK's, for every event
// type, with zero values and with random ones.
func TestMatchesSDK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, proto0 := range allEvents() {
		for round := 0; round < 40; round++ {
			msg := reflect.New(reflect.TypeOf(proto0).Elem())
			fill(rng, msg.Elem(), round == 0)
			ev := msg.Interface().(proto.Message)
			want, err := sdk.TypedEventToEvent(ev)
			if err != nil {
				t.Fatalf("%T: sdk: %v", ev, err)
			}
			got, err := typedevent.ToEvent(ev)
			if err != nil {
				t.Fatalf("%T: %v", ev, err)
			}
			if got.Type != want.Type || len(got.Attributes) != len(want.Attributes) {
				t.Fatalf("%T: type %s/%s, %d/%d attributes", ev, got.Type, want.Type, len(got.Attributes), len(want.Attributes))
			}
			for i := range want.Attributes {
				if got.Attributes[i].Key != want.Attributes[i].Key || got.Attributes[i].Value != want.Attributes[i].Value {
					t.Fatalf("%T attribute %d:\n got %s=%s\nwant %s=%s", ev, i, got.Attributes[i].Key, got.Attributes[i].Value,
						want.Attributes[i].Key, want.Attributes[i].Value)
				}
			}
			// And clients can parse it back.
			back, err := sdk.ParseTypedEvent(abciEvent(got))
			if err != nil {
				t.Fatalf("%T: parse back: %v", ev, err)
			}
			if !strings.EqualFold(proto.MessageName(back), proto.MessageName(ev)) {
				t.Fatalf("parsed back as %s", proto.MessageName(back))
			}
		}
	}
}

func BenchmarkToEvent(b *testing.B) {
	ev := &markettypes.EventMilestonePaid{
		JobId: 7, Client: "agent1abc", Provider: 3, Milestone: 1,
		ProviderAmount: sdk.NewCoins(sdk.NewInt64Coin("uagnt", 980000)), Take: sdk.NewCoins(sdk.NewInt64Coin("uagnt", 20000)),
	}
	b.Run("sdk", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = sdk.TypedEventToEvent(ev)
		}
	})
	b.Run("typedevent", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = typedevent.ToEvent(ev)
		}
	})
}

func abciEvent(e sdk.Event) abci.Event { return abci.Event(e) }
