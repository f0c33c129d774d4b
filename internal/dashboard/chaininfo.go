package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentchain/agentchain/app/params"
)

// ChainInfo is the chain description a Keplr-style wallet registers with
// window.keplr.experimentalSuggestChain (the fields Keplr reads).
type ChainInfo struct {
	ChainID       string       `json:"chainId"`
	ChainName     string       `json:"chainName"`
	RPC           string       `json:"rpc"`
	REST          string       `json:"rest"`
	BIP44         BIP44        `json:"bip44"`
	Bech32Config  Bech32Config `json:"bech32Config"`
	Currencies    []Currency   `json:"currencies"`
	FeeCurrencies []Currency   `json:"feeCurrencies"`
	StakeCurrency Currency     `json:"stakeCurrency"`
	Features      []string     `json:"features"`
}

// BIP44 is the key derivation's coin type.
type BIP44 struct {
	CoinType int `json:"coinType"`
}

// Bech32Config holds the address prefixes.
type Bech32Config struct {
	AccAddr  string `json:"bech32PrefixAccAddr"`
	AccPub   string `json:"bech32PrefixAccPub"`
	ValAddr  string `json:"bech32PrefixValAddr"`
	ValPub   string `json:"bech32PrefixValPub"`
	ConsAddr string `json:"bech32PrefixConsAddr"`
	ConsPub  string `json:"bech32PrefixConsPub"`
}

// Currency is one denomination as a wallet shows it.
type Currency struct {
	CoinDenom        string        `json:"coinDenom"`
	CoinMinimalDenom string        `json:"coinMinimalDenom"`
	CoinDecimals     int           `json:"coinDecimals"`
	GasPriceStep     *GasPriceStep `json:"gasPriceStep,omitempty"`
}

// GasPriceStep is the low, average and high gas price a wallet offers.
type GasPriceStep struct {
	Low     float64 `json:"low"`
	Average float64 `json:"average"`
	High    float64 `json:"high"`
}

// serveChainInfo answers /chain-info.json. The chain id and the minimum gas
// price come from the node (unless --chain-id is given); the answer is kept
// once the node has given both.
func (s *Server) serveChainInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	s.infoMu.Lock()
	body := s.info
	s.infoMu.Unlock()
	if body == nil {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		info, err := s.ChainInfo(ctx)
		if err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
			return
		}
		if body, err = json.MarshalIndent(info, "", "  "); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		s.infoMu.Lock()
		s.info = body
		s.infoMu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(body)
}

// ChainInfo builds the chain info, asking the node for what it does not
// know: the chain id (CometBFT node info) and the node's minimum gas price
// (the SDK's node config service). The rpc and rest it names are the
// node's own (or the public URLs given for it): a wallet broadcasts there,
// never through the read-only dashboard.
func (s *Server) ChainInfo(ctx context.Context) (ChainInfo, error) {
	chainID := s.chainID
	if chainID == "" {
		var ni struct {
			DefaultNodeInfo struct {
				Network string `json:"network"`
			} `json:"default_node_info"`
		}
		if err := s.getREST(ctx, "/cosmos/base/tendermint/v1beta1/node_info", &ni); err != nil {
			return ChainInfo{}, fmt.Errorf("chain id (give --chain-id, or reach the node): %w", err)
		}
		if chainID = ni.DefaultNodeInfo.Network; chainID == "" {
			return ChainInfo{}, fmt.Errorf("the node at %s reported no chain id: give --chain-id", s.rest)
		}
	}
	var cfg struct {
		MinimumGasPrice string `json:"minimum_gas_price"`
	}
	if err := s.getREST(ctx, "/cosmos/base/node/v1beta1/config", &cfg); err != nil {
		return ChainInfo{}, fmt.Errorf("the node's minimum gas price: %w", err)
	}
	low, err := gasPrice(cfg.MinimumGasPrice, params.BaseDenom)
	if err != nil {
		return ChainInfo{}, err
	}
	agnt := Currency{CoinDenom: params.DisplayDenom, CoinMinimalDenom: params.BaseDenom, CoinDecimals: params.BaseDenomExponent}
	fee := agnt
	// A wallet's "average" and "high" pay more than the floor so that a
	// tx still gets in when a validator raises its minimum a little.
	fee.GasPriceStep = &GasPriceStep{Low: low, Average: 2 * low, High: 4 * low}
	return ChainInfo{
		ChainID:   chainID,
		ChainName: "agentchain (" + chainID + ")",
		RPC:       s.publicRPC,
		REST:      s.publicREST,
		BIP44:     BIP44{CoinType: params.CoinType},
		Bech32Config: Bech32Config{
			AccAddr:  params.Bech32PrefixAccAddr,
			AccPub:   params.Bech32PrefixAccPub,
			ValAddr:  params.Bech32PrefixValAddr,
			ValPub:   params.Bech32PrefixValPub,
			ConsAddr: params.Bech32PrefixConsAddr,
			ConsPub:  params.Bech32PrefixConsPub,
		},
		Currencies:    []Currency{agnt},
		FeeCurrencies: []Currency{fee},
		StakeCurrency: agnt,
		Features:      []string{},
	}, nil
}

// gasPrice reads denom's price from a node's minimum gas prices
// ("0.0025uagnt,0.1ustable"); with no price for denom it falls back to the
// chain's default, which is what a node without a configured minimum is
// started with.
func gasPrice(prices, denom string) (float64, error) {
	for _, p := range strings.Split(prices, ",") {
		p = strings.TrimSpace(p)
		if !strings.HasSuffix(p, denom) {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(p, denom), 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("the node's minimum gas price %q: not a price of %s", p, denom)
		}
		return v, nil
	}
	def := strings.TrimSuffix(params.DefaultMinGasPrices, params.BaseDenom)
	return strconv.ParseFloat(def, 64)
}

func (s *Server) getREST(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.rest.String()+path, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", req.URL, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("GET %s: %w", req.URL, err)
	}
	return nil
}
