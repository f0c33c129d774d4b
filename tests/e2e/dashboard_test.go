package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumBinary finds a Chromium or Chrome on PATH (Debian's package
// installs /usr/bin/chromium).
func chromiumBinary() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestDashboard runs a scripted market on a live devnet (two agents, a job
// completed and rated, a job disputed and split by the arbiter), serves the
// real `agentchaind dashboard` against it and drives a headless Chromium
// through its pages. Every value the pages must show is read from the chain
// (tx heights, the node's REST answers), not written into the test. Then a
// tx changes a job while its page is open, and the page must show the new
// status without a reload. The browser console must stay free of errors.
func TestDashboard(t *testing.T) {
	chromium := chromiumBinary()
	if chromium == "" {
		t.Skip("no Chromium on PATH (chromium, chromium-browser or google-chrome): install Debian's chromium package to run the browser test")
	}
	artifacts := dashboardArtifacts(t)
	start := time.Now()

	n := StartNetwork(t, NetworkOptions{})
	node := n.Nodes[0]
	providerKey := n.AddKey("dash-provider")
	clientKey := n.AddKey("dash-client")
	reg := n.MustSucceed(n.Tx("bob", "agentid", "register-agent", "dash-provider", "--agent-key", "dash-provider", "--capabilities", "summarize,translate"))
	providerID := attr(t, reg, "agentchain.agentid.v1.EventAgentRegistered", "agent_id")
	reg = n.MustSucceed(n.Tx("alice", "agentid", "register-agent", "dash-client", "--agent-key", "dash-client", "--capabilities", "research"))
	clientID := attr(t, reg, "agentchain.agentid.v1.EventAgentRegistered", "agent_id")
	n.MustSucceed(n.Tx("bob", "bank", "send", n.Accounts["bob"], providerKey, "10000000uagnt"))
	n.MustSucceed(n.Tx("alice", "bank", "send", n.Accounts["alice"], clientKey, "50000000uagnt"))
	res := n.MustSucceed(n.Tx("dash-provider", "market", "create-listing", providerID, "summarize", "Short summaries", "2000000uagnt",
		"https://provider.example/terms", sha("terms"), "--max-duration-blocks", "1000", "--review-window-blocks", "100"))
	listingID := attr(t, res, "agentchain.market.v1.EventListingCreated", "listing_id")
	deadline := func() string { return strconv.FormatInt(n.WaitBlocks(0)+500, 10) }

	// Job A: hired, accepted, delivered, completed, then rated.
	hireA := n.MustSucceed(n.Tx("dash-client", "market", "hire", listingID, "https://client.example/spec-a", sha("spec-a"), deadline()))
	jobA := attr(t, hireA, "agentchain.market.v1.EventJobFunded", "job_id")
	acceptA := n.MustSucceed(n.Tx("dash-provider", "market", "accept-job", jobA))
	deliverA := n.MustSucceed(n.Tx("dash-provider", "market", "deliver", jobA, "0", "https://provider.example/result-a", sha("result-a")))
	completeA := n.MustSucceed(n.Tx("dash-client", "market", "complete", jobA, "0"))
	n.MustSucceed(n.Tx("dash-client", "reputation", "submit-feedback", jobA, "90", "--tags", "fast"))

	// Job B: delivered, rejected (a dispute), resolved 50/50 by carol, the
	// devnet's arbiter.
	hireB := n.MustSucceed(n.Tx("dash-client", "market", "hire", listingID, "https://client.example/spec-b", sha("spec-b"), deadline()))
	jobB := attr(t, hireB, "agentchain.market.v1.EventJobFunded", "job_id")
	acceptB := n.MustSucceed(n.Tx("dash-provider", "market", "accept-job", jobB))
	deliverB := n.MustSucceed(n.Tx("dash-provider", "market", "deliver", jobB, "0", "https://provider.example/result-b", sha("result-b")))
	rejectB := n.MustSucceed(n.Tx("dash-client", "market", "reject", jobB, "0", "low-quality", sha("evidence")))
	resolveB := n.MustSucceed(n.Tx("carol", "market", "resolve", jobB, "5000"))

	// A subscription (a per-block listing streams its price) and a request
	// for quote with a bid.
	res = n.MustSucceed(n.Tx("dash-provider", "market", "create-listing", providerID, "translate", "Live translation", "1000uagnt",
		"https://provider.example/terms-stream", sha("terms-stream"), "--billing", "per-block", "--min-term-blocks", "5", "--max-duration-blocks", "500"))
	streamListing := attr(t, res, "agentchain.market.v1.EventListingCreated", "listing_id")
	sub := n.MustSucceed(n.Tx("dash-client", "market", "subscribe", streamListing, "1000uagnt", "200"))
	streamID := attr(t, sub, "agentchain.market.v1.EventSubscribed", "stream_id")
	res = n.MustSucceed(n.Tx("dash-client", "market", "post-request", "translate", "3000000uagnt", "https://client.example/rfq", sha("rfq"),
		strconv.FormatInt(n.WaitBlocks(0)+300, 10)))
	requestID := attr(t, res, "agentchain.market.v1.EventRequestPosted", "request_id")
	n.MustSucceed(n.Tx("dash-provider", "market", "place-bid", requestID, providerID, "2500000uagnt", "100"))

	// Job C: funded only; it moves while its page is open.
	hireC := n.MustSucceed(n.Tx("dash-client", "market", "hire", listingID, "https://client.example/spec-c", sha("spec-c"), deadline()))
	jobC := attr(t, hireC, "agentchain.market.v1.EventJobFunded", "job_id")
	t.Logf("chain scripted in %s: agents %s, %s; jobs %s (completed), %s (resolved), %s (funded)",
		time.Since(start).Round(time.Second), providerID, clientID, jobA, jobB, jobC)

	base := startDashboard(t, node)
	b := newBrowserPage(t, chromium, base, artifacts)

	t.Run("network", func(t *testing.T) {
		b := b.in(t)
		b.open("/", `[data-conservation]`)
		var cons struct {
			Ok bool `json:"ok"`
		}
		restJSON(t, node, "/agentchain/escrow/v1/conservation", &cons)
		got := b.eval(`document.querySelector('[data-conservation]').dataset.conservation + ' ' + document.querySelector('[data-conservation]').textContent`)
		if want := map[bool]string{true: "ok ✓ holds", false: "broken ✗ broken"}[cons.Ok]; got != want {
			t.Fatalf("conservation shows %q, the node says ok=%v", got, cons.Ok)
		}
		h, err := strconv.ParseInt(b.eval(`document.querySelector('[data-network-height]').dataset.networkHeight`), 10, 64)
		if err != nil || h < resolveB.Height {
			t.Fatalf("network height %d (%v), a block at %d exists", h, err, resolveB.Height)
		}
		if v := b.eval(`String(document.querySelectorAll('#sec-validators + .table-wrap tbody tr').length)`); v != "1" {
			t.Fatalf("%s validators shown, the devnet has 1", v)
		}
		b.screenshot("network")
	})

	t.Run("agents", func(t *testing.T) {
		b := b.in(t)
		b.open("/agents", `table[data-table="agents"]`)
		rows := b.rows(`table[data-table="agents"] tbody tr`, "agentId", "agentName")
		for _, want := range [][2]string{{providerID, "dash-provider"}, {clientID, "dash-client"}} {
			if !slices.Contains(rows, want) {
				t.Fatalf("agents table %v lacks %v", rows, want)
			}
		}
		b.screenshot("agents")
		// Search by name, then by capability.
		b.open("/agents?q=provider", `table[data-table="agents"]`)
		if rows := b.rows(`table[data-table="agents"] tbody tr`, "agentId", "agentName"); !slices.Equal(rows, [][2]string{{providerID, "dash-provider"}}) {
			t.Fatalf("name search 'provider' shows %v", rows)
		}
		b.open("/agents?cap=research", `table[data-table="agents"]`)
		if rows := b.rows(`table[data-table="agents"] tbody tr`, "agentId", "agentName"); !slices.Equal(rows, [][2]string{{clientID, "dash-client"}}) {
			t.Fatalf("capability search 'research' shows %v", rows)
		}
	})

	t.Run("completed job timeline", func(t *testing.T) {
		b := b.in(t)
		b.open("/job/"+jobA, `[data-timeline="`+jobA+`"]`)
		want := [][2]string{
			{"JOB_STATUS_FUNDED", heightOf(hireA)},
			{"JOB_STATUS_IN_PROGRESS", heightOf(acceptA)},
			{"JOB_STATUS_DELIVERED", heightOf(deliverA)},
			{"JOB_STATUS_COMPLETED", heightOf(completeA)},
		}
		if got := b.rows(`ol.timeline li`, "state", "height"); !slices.Equal(got, want) {
			t.Fatalf("job %s timeline %v, want %v (the heights of its txs)", jobA, got, want)
		}
		if got := b.eval(`document.querySelector('[data-milestone="0"]').dataset.resultHash`); got != sha("result-a") {
			t.Fatalf("deliverable hash %q, want %s", got, sha("result-a"))
		}
		if got := b.eval(`document.querySelector('[data-job-status]').dataset.jobStatus`); got != "JOB_STATUS_COMPLETED" {
			t.Fatalf("job %s status %s", jobA, got)
		}
		b.screenshot("job-completed")
	})

	t.Run("disputed job and its split", func(t *testing.T) {
		b := b.in(t)
		b.open("/job/"+jobB, `[data-timeline="`+jobB+`"]`)
		want := [][2]string{
			{"JOB_STATUS_FUNDED", heightOf(hireB)},
			{"JOB_STATUS_IN_PROGRESS", heightOf(acceptB)},
			{"JOB_STATUS_DELIVERED", heightOf(deliverB)},
			{"JOB_STATUS_DISPUTED", heightOf(rejectB)},
			{"JOB_STATUS_RESOLVED", heightOf(resolveB)},
		}
		if got := b.rows(`ol.timeline li`, "state", "height"); !slices.Equal(got, want) {
			t.Fatalf("job %s timeline %v, want %v (the heights of its txs)", jobB, got, want)
		}
		var job struct {
			Job map[string]json.RawMessage `json:"job"`
		}
		restJSON(t, node, "/agentchain/market/v1/jobs/"+jobB, &job)
		sum := new(big.Int)
		for _, field := range []string{"provider_paid", "take_paid", "arbiter_fee_paid", "client_refunded"} {
			var cs []struct{ Denom, Amount string }
			if err := json.Unmarshal(job.Job[field], &cs); err != nil || len(cs) != 1 || cs[0].Denom != "uagnt" {
				t.Fatalf("job %s %s = %s (%v): want one uagnt amount", jobB, field, job.Job[field], err)
			}
			got := b.eval(`[...document.querySelectorAll('[data-split="` + field + `"] data')].map(d => d.value).join(',')`)
			if want := cs[0].Amount + cs[0].Denom; got != want {
				t.Fatalf("split %s shows %q, the node says %s", field, got, want)
			}
			v, _ := new(big.Int).SetString(cs[0].Amount, 10)
			sum.Add(sum, v)
		}
		// The split accounts for the whole price, and the arbiter's share is
		// the one carol ruled.
		if sum.String() != "2000000" {
			t.Fatalf("the split adds up to %s, the price was 2000000", sum)
		}
		if got := b.eval(`document.querySelector('[data-split="provider_share_bps"]').dataset.value`); got != "5000" {
			t.Fatalf("provider share shows %s bps, carol ruled 5000", got)
		}
		b.screenshot("job-disputed")
		// The same page on a phone: nothing wider than the screen.
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		if w := b.eval(`String(document.documentElement.scrollWidth - document.documentElement.clientWidth)`); w != "0" {
			t.Errorf("on a 390 px screen the job page is %s px too wide", w)
		}
		b.screenshot("job-disputed-phone")
		if _, err := chromedp.Call(b.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("provider reputation", func(t *testing.T) {
		b := b.in(t)
		b.open("/agent/"+providerID, `[data-reputation-score]`)
		var rep struct {
			Score string `json:"score"`
			Count string `json:"count"`
		}
		restJSON(t, node, "/agentchain/reputation/v1/agents/"+providerID, &rep)
		shown := b.eval(`document.querySelector('[data-reputation-score]').dataset.reputationScore`)
		// Scores decay lazily with height: the page and the test read them a
		// few blocks apart, so they agree to far better than a hundredth.
		if d := math.Abs(parseScore(t, shown) - parseScore(t, rep.Score)); d > 0.01 {
			t.Fatalf("agent %s reputation shows %s, the node says %s", providerID, shown, rep.Score)
		}
		if rep.Count == "0" {
			t.Fatalf("the node counts no feedback for agent %s", providerID)
		}
		if got := b.rows(`table[data-table="feedback"] tbody tr`, "feedbackJob", "feedbackJob"); !slices.Contains(got, [2]string{jobA, jobA}) {
			t.Fatalf("feedback table %v lacks job %s", got, jobA)
		}
		if got := b.eval(`document.querySelector('tr[data-feedback-job="` + jobA + `"] td:nth-child(4)').textContent`); got != "90" {
			t.Fatalf("job %s feedback score shows %q, alice's agent gave 90", jobA, got)
		}
		// The history: a point per height the score can change at, and now.
		if pts, _ := strconv.Atoi(b.eval(`String(document.querySelectorAll('svg.chart circle').length)`)); pts < 2 {
			t.Fatalf("reputation chart has %d points", pts)
		}
		b.screenshot("agent-provider")
		if os.Getenv("AGENTCHAIN_UPDATE_SCREENSHOT") == "1" {
			b.screenshotTo(filepath.Join(repoRoot, "docs", "dashboard.png"))
		}
	})

	t.Run("listings by capability", func(t *testing.T) {
		b := b.in(t)
		b.open("/listings?cap=summarize", `table[data-table="listings"]`)
		var rep struct {
			Score string `json:"score"`
		}
		restJSON(t, node, "/agentchain/reputation/v1/agents/"+providerID+"?capability=summarize", &rep)
		row := `tr[data-listing-id="` + listingID + `"]`
		if got := b.eval(`document.querySelector('` + row + ` data').value`); got != "2000000uagnt" {
			t.Fatalf("listing %s price shows %q", listingID, got)
		}
		shown := b.eval(`document.querySelector('` + row + ` [data-score]').dataset.score`)
		if d := math.Abs(parseScore(t, shown) - parseScore(t, rep.Score)); d > 0.01 {
			t.Fatalf("listing %s score shows %s, the node says %s", listingID, shown, rep.Score)
		}
		b.screenshot("listings")
	})

	t.Run("requests, bids and streams", func(t *testing.T) {
		b := b.in(t)
		b.open("/requests?cap=translate", `tr[data-request-id]`)
		if got := b.rows(`tr[data-request-id]`, "requestId", "requestId"); !slices.Equal(got, [][2]string{{requestID, requestID}}) {
			t.Fatalf("open translate requests %v, want %s", got, requestID)
		}
		b.open("/request/"+requestID, `tr[data-bid-id]`)
		var bids struct {
			Bids []struct {
				ID       json.Number `json:"id"`
				Provider string      `json:"provider"`
				Price    struct{ Denom, Amount string }
			} `json:"bids"`
		}
		restJSON(t, node, "/agentchain/market/v1/requests/"+requestID+"/bids", &bids)
		if len(bids.Bids) != 1 || bids.Bids[0].Provider != providerID {
			t.Fatalf("the node's bids on request %s: %+v", requestID, bids)
		}
		bid := `tr[data-bid-id="` + bids.Bids[0].ID.String() + `"]`
		if got := b.eval(`document.querySelector('` + bid + ` data').value + ' ' + document.querySelector('` + bid + ` [data-agent-link]').dataset.agentLink`); got != bids.Bids[0].Price.Amount+bids.Bids[0].Price.Denom+" "+providerID {
			t.Fatalf("bid shows %q, the node says %+v", got, bids.Bids[0])
		}
		b.open("/account/"+clientKey, `[data-table="jobs"]`)
		if got := b.rows(`tr[data-stream-id]`, "streamId", "streamId"); !slices.Equal(got, [][2]string{{streamID, streamID}}) {
			t.Fatalf("streams of %s: %v, want %s", clientKey, got, streamID)
		}
		jobs := b.rows(`table[data-table="jobs"] tbody tr`, "jobId", "jobStatus")
		for _, want := range [][2]string{{jobA, "JOB_STATUS_COMPLETED"}, {jobB, "JOB_STATUS_RESOLVED"}} {
			if !slices.Contains(jobs, want) {
				t.Fatalf("jobs of %s: %v lack %v", clientKey, jobs, want)
			}
		}
		b.screenshot("account-client")
		b.open("/stream/"+streamID, `[data-status]`)
		if got := b.eval(`document.querySelector('[data-status]').dataset.status`); got != "STREAM_STATUS_ACTIVE" {
			t.Fatalf("stream %s shows %s", streamID, got)
		}
	})

	t.Run("live update", func(t *testing.T) {
		b := b.in(t)
		b.open("/job/"+jobC, `[data-timeline="`+jobC+`"]`)
		if got := b.eval(`document.querySelector('[data-job-status]').dataset.jobStatus`); got != "JOB_STATUS_FUNDED" {
			t.Fatalf("job %s shows %s before it moves", jobC, got)
		}
		b.poll(`document.getElementById('live').dataset.live === 'on'`, 15*time.Second, "the live indicator to turn on")
		b.eval(`window.__sameDocument = 'yes'`)
		accept := n.MustSucceed(n.Tx("dash-provider", "market", "accept-job", jobC))
		b.poll(`(() => { const s = document.querySelector('[data-job-status]'); return s && s.dataset.jobStatus === 'JOB_STATUS_IN_PROGRESS'; })()`,
			15*time.Second, "job "+jobC+" to show IN_PROGRESS")
		if got := b.eval(`String(window.__sameDocument)`); got != "yes" {
			t.Fatal("the page reloaded to show the new status")
		}
		// Screen readers hear of it through the page's live region.
		if got := b.eval(`document.getElementById('announce').textContent`); got != "Job #"+jobC+" is now in progress" {
			t.Fatalf("live region says %q", got)
		}
		want := [][2]string{{"JOB_STATUS_FUNDED", heightOf(hireC)}, {"JOB_STATUS_IN_PROGRESS", heightOf(accept)}}
		if got := b.rows(`ol.timeline li`, "state", "height"); !slices.Equal(got, want) {
			t.Fatalf("job %s timeline %v after the update, want %v", jobC, got, want)
		}
		b.screenshot("job-live")
	})

	b.checkConsole()
	t.Logf("screenshots in %s; test took %s", artifacts, time.Since(start).Round(time.Second))
}

func heightOf(r TxResult) string { return strconv.FormatInt(r.Height, 10) }

func parseScore(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("score %q: %v", s, err)
	}
	return v
}

// restJSON GETs a path of the node's REST API.
func restJSON(t *testing.T, node *Node, path string, out any) {
	t.Helper()
	if err := getJSON("http://"+node.API+path, out); err != nil {
		t.Fatalf("REST %s: %v", path, err)
	}
}

// dashboardArtifacts is where the screenshots go: $AGENTCHAIN_ARTIFACTS,
// or a directory that outlives the test (its path is logged).
func dashboardArtifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AGENTCHAIN_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "agentchain-dashboard-"); err != nil {
			t.Fatal(err)
		}
	} else {
		dir = filepath.Join(dir, "dashboard")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("dashboard screenshots go to %s", dir)
	return dir
}

// startDashboard runs `agentchaind dashboard` on a free loopback port
// against node and returns its base URL; it is stopped when the test ends.
func startDashboard(t *testing.T, node *Node) string {
	t.Helper()
	cmd := exec.Command(binPath, "dashboard", "--listen", "127.0.0.1:0",
		"--node-rest", "http://"+node.API, "--node-rpc", "http://"+node.RPC)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dashboard: %v", err)
	}
	done := make(chan struct{})
	var logMu sync.Mutex
	var logBuf bytes.Buffer
	urlc := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			logBuf.WriteString(line + "\n")
			logMu.Unlock()
			if _, rest, ok := strings.Cut(line, "agentchain dashboard on "); ok {
				if u, _, ok := strings.Cut(rest, " "); ok {
					select {
					case urlc <- strings.TrimSuffix(u, "/"):
					default:
					}
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(stopTimeout):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		_ = cmd.Wait()
		if t.Failed() {
			logMu.Lock()
			t.Logf("---- dashboard output ----\n%s", logBuf.String())
			logMu.Unlock()
		}
	})
	select {
	case u := <-urlc:
		return u
	case <-done:
		t.Fatalf("the dashboard exited before serving:\n%s", logBuf.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the dashboard did not report its address within 30s")
	}
	return ""
}

// browserPage is one headless Chromium tab on the dashboard, with what its
// console reported.
type browserPage struct {
	t         *testing.T
	ctx       context.Context
	base      string
	artifacts string

	mu       *sync.Mutex
	problems *[]string
}

func newBrowserPage(t *testing.T, chromium, base, artifacts string) *browserPage {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// Every browser step below is bounded by this; the test's own waits are
	// shorter.
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	p := &browserPage{t: t, ctx: ctx, base: base, artifacts: artifacts, mu: &sync.Mutex{}, problems: &[]string{}}

	if err := chromedp.Do(ctx); err != nil { // starts the browser and the tab
		t.Fatalf("start %s: %v", chromium, err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorDeny}); err != nil {
		t.Fatalf("deny downloads: %v", err)
	}
	// The subscriptions start now and buffer; the goroutines end with ctx.
	consoleEvents := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	logEntries := chromedp.Events(ctx, cdplog.EntryAdded)
	go func() {
		for ev, err := range consoleEvents {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				p.problem("console.error: " + strings.Join(args, " "))
			}
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			p.problem(fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, text))
		}
	}()
	go func() {
		// The browser's own errors: a blocked script or style (the
		// content security policy), a failed request.
		for ev, err := range logEntries {
			if err != nil {
				return
			}
			if ev.Entry != nil && ev.Entry.Level == cdplog.EntryLevelError {
				p.problem(fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("open %s: %v", base, err)
	}
	return p
}

// in returns the page for use inside a subtest.
func (p *browserPage) in(t *testing.T) *browserPage {
	c := *p
	c.t = t
	return &c
}

func (p *browserPage) problem(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*p.problems = append(*p.problems, s)
}

// checkConsole fails the test on anything the console reported.
func (p *browserPage) checkConsole() {
	p.t.Helper()
	time.Sleep(200 * time.Millisecond) // let the last events arrive
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(*p.problems) > 0 {
		p.t.Fatalf("the browser reported %d errors:\n%s", len(*p.problems), strings.Join(*p.problems, "\n"))
	}
}

// open routes the app to route (no reload) and waits until the view has
// loaded and shows ready (a CSS selector), failing on an error box.
func (p *browserPage) open(route, ready string) {
	p.t.Helper()
	p.eval(`location.hash = ` + strconv.Quote("#"+route) + `; ''`)
	p.poll(fmt.Sprintf(`(() => {
		const d = document.getElementById('data');
		if (!d || location.hash !== %q) return false;
		const e = d.querySelector('.error');
		if (e) return 'error: ' + e.textContent;
		return d.getAttribute('aria-busy') === 'false' && document.querySelector(%q) !== null ? 'ok' : false;
	})()`, "#"+route, ready), 15*time.Second, "page "+route)
}

// poll waits until expression is truthy; a string starting "error:" fails.
func (p *browserPage) poll(expression string, timeout time.Duration, what string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout+5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[any](expression, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		p.screenshot("failed-" + strings.NewReplacer("/", "_", " ", "_", "?", "_", "=", "_").Replace(what))
		p.t.Fatalf("waiting for %s: %v", what, err)
	}
	if s, ok := v.(string); ok && strings.HasPrefix(s, "error:") {
		p.t.Fatalf("%s: the page shows %s", what, s)
	}
}

// eval evaluates a JavaScript expression that returns a string.
func (p *browserPage) eval(expression string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expression))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}

// rows returns two data-* attributes (camelCase names) of each element
// that selector matches.
func (p *browserPage) rows(selector, a, b string) [][2]string {
	p.t.Helper()
	raw := p.eval(fmt.Sprintf(`JSON.stringify([...document.querySelectorAll(%q)].map(e => [e.dataset[%q] || '', e.dataset[%q] || '']))`, selector, a, b))
	var out [][2]string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		p.t.Fatalf("rows %s: %v (%s)", selector, err, raw)
	}
	return out
}

// screenshot saves a full-page PNG into the artifacts.
func (p *browserPage) screenshot(name string) {
	p.t.Helper()
	p.screenshotTo(filepath.Join(p.artifacts, name+".png"))
}

func (p *browserPage) screenshotTo(path string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Errorf("screenshot %s: %v", path, err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("screenshot %s: %v", path, err)
	}
}
