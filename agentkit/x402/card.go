package x402

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/agentchain/agentchain/agentkit"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
)

// CardPath is where an agent serves its card.
const CardPath = "/.well-known/agent-card.json"

// CardSkill is one thing the agent does (one per on-chain capability).
type CardSkill struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

// CardEndpoint is where the agent is reached.
type CardEndpoint struct {
	Protocol string `json:"protocol"`
	URL      string `json:"url"`
}

// CardChain names the agent on chain: a card is trusted only for the
// agent and chain it names, and only when its sha256 is the agent's
// card_hash.
type CardChain struct {
	ChainID      string `json:"chainId"`
	AgentID      string `json:"agentId"`
	Owner        string `json:"owner"`
	AgentAddress string `json:"agentAddress"`
}

// AgentCard is an A2A-style agent card with agentchain's identity and the
// agent's x402 payment options.
type AgentCard struct {
	Name        string                `json:"name"`
	Description string                `json:"description"`
	Version     string                `json:"version"`
	Skills      []CardSkill           `json:"skills"`
	Endpoints   []CardEndpoint        `json:"endpoints,omitempty"`
	Payments    []PaymentRequirements `json:"x402,omitempty"`
	Agentchain  CardChain             `json:"agentchain"`
}

// NewAgentCard builds an agent's card from its on-chain record.
func NewAgentCard(a *agentidtypes.Agent, chainID, description string, payments ...PaymentRequirements) AgentCard {
	card := AgentCard{
		Name: a.Name, Description: description, Version: "1", Payments: payments,
		Agentchain: CardChain{ChainID: chainID, AgentID: strconv.FormatUint(a.Id, 10), Owner: a.Owner, AgentAddress: a.AgentAddress},
	}
	for _, c := range a.Capabilities {
		card.Skills = append(card.Skills, CardSkill{ID: c, Name: c, Tags: []string{c}})
	}
	for _, e := range a.Endpoints {
		card.Endpoints = append(card.Endpoints, CardEndpoint{Protocol: e.Protocol, URL: e.Url})
	}
	return card
}

// Marshal is the card's JSON: the bytes whose sha256 goes on chain.
func (c AgentCard) Marshal() []byte {
	bz, _ := json.Marshal(c)
	return bz
}

// CardHandler serves exactly these card bytes (mount it at CardPath).
func CardHandler(card []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "GET only", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(card)
	})
}

// ErrCardMismatch is returned when the card fetched is not the one the chain
// vouches for.
var ErrCardMismatch = errors.New("agent card does not match the chain")

// ResolveCard goes from an agent id to its card: the agent's card URI and
// card_hash on chain, the card fetched, its sha256 checked against
// card_hash and the agent and chain it names checked against the request.
// A card that fails any check is refused with ErrCardMismatch. The card
// URI is the agent owner's choice, so it is fetched from public addresses
// only (agentkit.PublicFetcher): ResolveCardWith(ctx, c, id,
// agentkit.Fetch) reaches cards on loopback or a private network.
func ResolveCard(ctx context.Context, c *agentkit.Client, agentID uint64) (*AgentCard, []byte, error) {
	return ResolveCardWith(ctx, c, agentID, agentkit.PublicFetcher.Fetch)
}

// ResolveCardWith is ResolveCard fetching through fetch.
func ResolveCardWith(ctx context.Context, c *agentkit.Client, agentID uint64, fetch func(context.Context, string) ([]byte, error)) (*AgentCard, []byte, error) {
	a, err := c.AgentByID(ctx, agentID)
	if err != nil {
		return nil, nil, err
	}
	if a.CardUri == "" || len(a.CardHash) == 0 {
		return nil, nil, fmt.Errorf("agent %d (%s) publishes no card", a.Id, a.Name)
	}
	bz, err := fetch(ctx, a.CardUri)
	if err != nil {
		return nil, nil, fmt.Errorf("agent %d's card at %s: %w", a.Id, a.CardUri, err)
	}
	if got := agentkit.Hash(bz); !bytes.Equal(got, a.CardHash) {
		return nil, bz, fmt.Errorf("%w: the card at %s hashes to %s; agent %d's card_hash on chain is %s",
			ErrCardMismatch, a.CardUri, hex.EncodeToString(got), a.Id, hex.EncodeToString(a.CardHash))
	}
	var card AgentCard
	if err := json.Unmarshal(bz, &card); err != nil {
		return nil, bz, fmt.Errorf("%w: the card at %s is not JSON: %w", ErrCardMismatch, a.CardUri, err)
	}
	if card.Agentchain.AgentID != strconv.FormatUint(a.Id, 10) || card.Agentchain.ChainID != c.ChainID() {
		return nil, bz, fmt.Errorf("%w: the card names agent %q on chain %q, not agent %d on %q",
			ErrCardMismatch, card.Agentchain.AgentID, card.Agentchain.ChainID, a.Id, c.ChainID())
	}
	return &card, bz, nil
}
