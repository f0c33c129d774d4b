package agentkit

import (
	"context"
	"errors"
	"time"

	jsonrpcclient "github.com/cometbft/cometbft/rpc/jsonrpc/client"
)

// What the two websocket streams of a Client (Subscription and the watch
// on its own txs) share: the connection, and reconnecting after a failure.

var errReconnected = errors.New("the websocket reconnected by itself")

// openWS connects a websocket to a node's RPC (http://host:port). The
// client library's own reconnection is turned off in effect: when it
// reconnects anyway, reconnected receives, and the session must end, its
// subscriptions being gone. Stop the returned client when done.
func openWS(rpc string) (ws *jsonrpcclient.WSClient, reconnected <-chan struct{}, err error) {
	ch := make(chan struct{}, 1)
	ws, err = jsonrpcclient.NewWS(rpc, "/websocket",
		jsonrpcclient.MaxReconnectAttempts(0),
		jsonrpcclient.OnReconnect(func() {
			select {
			case ch <- struct{}{}:
			default:
			}
		}))
	if err != nil {
		return nil, nil, err
	}
	if err := ws.Start(); err != nil {
		return nil, nil, err
	}
	return ws, ch, nil
}

// keepStreaming runs session until ctx ends, again after every failure:
// it waits 250ms after the first, doubling up to 5s, and back to 250ms
// after a session that lasted a minute. ended hears each session's end
// (ctx's end excepted).
func keepStreaming(ctx context.Context, session func(context.Context) error, ended func(error)) {
	backoff := 250 * time.Millisecond
	for ctx.Err() == nil {
		started := time.Now()
		err := session(ctx)
		if ctx.Err() != nil {
			return
		}
		ended(err)
		if time.Since(started) > time.Minute {
			backoff = 250 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// resetTimer restarts a timer whose channel may hold an unread tick.
func resetTimer(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
}
