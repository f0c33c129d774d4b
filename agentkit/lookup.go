package agentkit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/agentchain/agentchain/types/nodeservice"
)

// Looking txs up in a node's tx index. An agentchain node serves
// agentchain.node.v1.TxResults on its gRPC port: an index read and a
// protobuf encoding per hash, in the node's process. Against other nodes
// the fallback is CometBFT's `tx` method without a proof, several hashes
// in one JSON-RPC batch (the node encodes each result as JSON: about 0.5 ms
// of its CPU per tx found, measured by make loadtest). The SDK's GetTx
// also asks for a proof, which loads the tx's block twice (milliseconds
// per hit in busy blocks).

// errNoTxIndex: the node keeps no tx index (`indexer = "null"`).
var errNoTxIndex = errors.New("the node keeps no tx index")

// maxLookupBatch bounds the hashes asked in one request.
const maxLookupBatch = 100

// lookupTimeout bounds one lookup request.
const lookupTimeout = 10 * time.Second

var lookupHTTP = &http.Client{Timeout: lookupTimeout}

type rpcRequest struct {
	JSONRPC string         `json:"jsonrpc"`
	ID      int            `json:"id"`
	Method  string         `json:"method"`
	Params  map[string]any `json:"params"`
}

type rpcResponse struct {
	ID     int             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// lookupTxs asks the node at rpc (http://host:port) for txs by hash
// (upper-case hex) and returns those in its index, by hash; hashes it does
// not have are missing from the map. errNoTxIndex when the node keeps no
// index.
func lookupTxs(ctx context.Context, rpc string, hashes []string) (map[string]*TxResult, error) {
	found := map[string]*TxResult{}
	for len(hashes) > 0 {
		n := min(len(hashes), maxLookupBatch)
		if err := lookupBatch(ctx, rpc, hashes[:n], found); err != nil {
			return found, err
		}
		hashes = hashes[n:]
	}
	return found, nil
}

func lookupBatch(ctx context.Context, rpc string, hashes []string, found map[string]*TxResult) error {
	reqs := make([]rpcRequest, 0, len(hashes))
	for i, h := range hashes {
		bz, err := hex.DecodeString(h)
		if err != nil {
			return fmt.Errorf("tx hash %q is not hex", h)
		}
		reqs = append(reqs, rpcRequest{JSONRPC: "2.0", ID: i, Method: "tx", Params: map[string]any{"hash": bz, "prove": false}})
	}
	body, err := json.Marshal(reqs)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(rpc, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := lookupHTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("tx lookup: HTTP %s", resp.Status)
	}
	// A batch of one is answered with one response, not a list.
	var out []rpcResponse
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		out = make([]rpcResponse, 1)
		err = json.Unmarshal(raw, &out[0])
	} else {
		err = json.Unmarshal(raw, &out)
	}
	if err != nil {
		return fmt.Errorf("tx lookup: %w", err)
	}
	for _, r := range out {
		if r.ID < 0 || r.ID >= len(hashes) {
			continue
		}
		if r.Error != nil {
			switch {
			case strings.Contains(r.Error.Data, "not found"):
				continue
			case strings.Contains(r.Error.Data, "indexing is disabled"):
				return errNoTxIndex
			default:
				return fmt.Errorf("tx lookup: %s %s", r.Error.Message, r.Error.Data)
			}
		}
		var res ctypes.ResultTx
		if err := cmtjson.Unmarshal(r.Result, &res); err != nil {
			return fmt.Errorf("tx lookup: %w", err)
		}
		found[hashes[r.ID]] = execResult(hashes[r.ID], res.Height, res.TxResult)
	}
	return nil
}

// LookupTxs looks up txs by hash (hex) in the node's tx index, in one
// request per 100, and returns those included, by upper-case hash; a tx not
// (yet) in a block is missing from the map. It asks the node's TxResults
// gRPC service, or CometBFT's RPC (Config.RPC) when the node has none, and
// fails on a node that keeps no tx index.
func (c *Client) LookupTxs(ctx context.Context, hashes ...string) (map[string]*TxResult, error) {
	norm := make([]string, len(hashes))
	for i, h := range hashes {
		norm[i] = normalizeHash(h)
	}
	return c.lookup(ctx, norm)
}

// lookup looks hashes (upper-case hex) up over gRPC, or over CometBFT's
// RPC once the node has said it has no TxResults service.
func (c *Client) lookup(ctx context.Context, hashes []string) (map[string]*TxResult, error) {
	if c.noTxResults.Load() {
		return lookupTxs(ctx, c.cfg.RPC, hashes)
	}
	found := map[string]*TxResult{}
	svc := nodeservice.NewTxResultsClient(c.conn)
	for len(hashes) > 0 {
		n := min(len(hashes), maxLookupBatch)
		req := &nodeservice.LookupRequest{Hashes: make([][]byte, 0, n)}
		for _, h := range hashes[:n] {
			bz, err := hex.DecodeString(h)
			if err != nil {
				return found, fmt.Errorf("tx hash %q is not hex", h)
			}
			req.Hashes = append(req.Hashes, bz)
		}
		res, err := svc.Lookup(ctx, req)
		switch status.Code(err) {
		case codes.OK:
		case codes.Unimplemented:
			c.noTxResults.Store(true)
			return lookupTxs(ctx, c.cfg.RPC, hashes)
		case codes.FailedPrecondition:
			return found, errNoTxIndex
		default:
			// gRPC unreachable (or failing): CometBFT's RPC may answer.
			more, rpcErr := lookupTxs(ctx, c.cfg.RPC, hashes)
			for h, r := range more {
				found[h] = r
			}
			if rpcErr != nil {
				return found, fmt.Errorf("tx lookup: %w (over CometBFT's RPC: %w)", err, rpcErr)
			}
			return found, nil
		}
		for _, r := range res.Results {
			var result abci.ExecTxResult
			if err := result.Unmarshal(r.Result); err != nil {
				return found, fmt.Errorf("tx lookup: %w", err)
			}
			hash := fmt.Sprintf("%X", r.Hash)
			found[hash] = execResult(hash, r.Height, result)
		}
		hashes = hashes[n:]
	}
	return found, nil
}
