package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

var modules = []string{"agentid", "escrow", "market", "reputation"}

// reflectionClient is a generic gRPC client: it knows no agentchain types
// and learns them from the node's reflection service.
type reflectionClient struct {
	t      *testing.T
	stream rpb.ServerReflection_ServerReflectionInfoClient
	files  *protoregistry.Files
}

func (r *reflectionClient) ask(req *rpb.ServerReflectionRequest) *rpb.ServerReflectionResponse {
	r.t.Helper()
	if err := r.stream.Send(req); err != nil {
		r.t.Fatal(err)
	}
	res, err := r.stream.Recv()
	if err != nil {
		r.t.Fatal(err)
	}
	if e := res.GetErrorResponse(); e != nil {
		r.t.Fatalf("reflection: %s", e.ErrorMessage)
	}
	return res
}

// load registers the files of a response and, first, their dependencies.
func (r *reflectionClient) load(res *rpb.ServerReflectionResponse) {
	r.t.Helper()
	var fds []*descriptorpb.FileDescriptorProto
	for _, bz := range res.GetFileDescriptorResponse().GetFileDescriptorProto() {
		fd := new(descriptorpb.FileDescriptorProto)
		if err := proto.Unmarshal(bz, fd); err != nil {
			r.t.Fatal(err)
		}
		fds = append(fds, fd)
	}
	for len(fds) > 0 {
		progress := false
		rest := fds[:0]
		for _, fd := range fds {
			if _, err := r.files.FindFileByPath(fd.GetName()); err == nil {
				progress = true
				continue
			}
			missing := ""
			for _, dep := range fd.GetDependency() {
				if _, err := r.files.FindFileByPath(dep); err != nil {
					missing = dep
					break
				}
			}
			if missing != "" {
				if !containsFile(fds, missing) {
					r.load(r.ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileByFilename{FileByFilename: missing}}))
					progress = true
				}
				rest = append(rest, fd)
				continue
			}
			f, err := protodesc.NewFile(fd, r.files)
			if err != nil {
				r.t.Fatalf("file %s from reflection: %v", fd.GetName(), err)
			}
			if err := r.files.RegisterFile(f); err != nil {
				r.t.Fatal(err)
			}
			progress = true
		}
		if !progress {
			r.t.Fatalf("cannot resolve the dependencies of %d files", len(rest))
		}
		fds = rest
	}
}

func containsFile(fds []*descriptorpb.FileDescriptorProto, name string) bool {
	for _, fd := range fds {
		if fd.GetName() == name {
			return true
		}
	}
	return false
}

// The node speaks the standard interfaces: a generic gRPC client lists and
// calls our services through server reflection; every query of every
// module has a REST route that answers; the OpenAPI document of those
// routes is served by the node and is the one committed in the repository.
func TestStandardInterfaces(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	node := n.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// State for every route to find something.
	ownerKey, clientKey := devnetSigner(t, "alice"), devnetSigner(t, "bob")
	agentKey := agentkit.FromSecret("interfaces provider")
	owner := dial(t, ctx, node, ownerKey)
	client := dial(t, ctx, node, clientKey)
	provider := dial(t, ctx, node, agentKey)
	fund(t, ctx, owner, agentKey.Address(), 20_000_000)
	agent, err := owner.RegisterAgent(ctx, agentkit.AgentSpec{Name: "iface-agent", Capabilities: []string{"summarize"}}, agentKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.RegisterAgent(ctx, agentkit.AgentSpec{Name: "iface-client"}, nil); err != nil {
		t.Fatal(err)
	}
	listing, err := provider.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "summarize", Title: "t", TermsURI: "https://x.example/terms", Terms: []byte("t"),
		Price: agnt(1_000_000), MaxDurationBlocks: 500, ReviewWindowBlocks: 50,
	})
	if err != nil {
		t.Fatal(err)
	}
	job, err := client.Hire(ctx, agentkit.HireSpec{ListingID: listing.Id, SpecURI: "https://x.example/spec", Spec: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() (*agentkit.TxResult, error){
		func() (*agentkit.TxResult, error) { return provider.AcceptJob(ctx, job.Id) },
		func() (*agentkit.TxResult, error) {
			return provider.Deliver(ctx, job.Id, 0, "https://x.example/result", []byte("r"))
		},
		func() (*agentkit.TxResult, error) { return client.Complete(ctx, job.Id, 0) },
		func() (*agentkit.TxResult, error) { return client.Rate(ctx, job.Id, 90) },
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	// A job left funded keeps an escrow locked; a request with a bid.
	if _, err := client.Hire(ctx, agentkit.HireSpec{ListingID: listing.Id, SpecURI: "https://x.example/spec", Spec: []byte("s")}); err != nil {
		t.Fatal(err)
	}
	reqID, err := client.PostRequest(ctx, agentkit.RequestSpec{Capability: "summarize", SpecURI: "https://x.example/rfq", Spec: []byte("q"), Budget: agnt(2_000_000), BidWithin: 500})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.PlaceBid(ctx, reqID, agnt(1_500_000), 100, "https://x.example/bid"); err != nil {
		t.Fatal(err)
	}
	// A pay-per-call purchase under the request id the routes are asked with.
	if _, err := client.Purchase(ctx, listing.Id, 1, fmt.Sprint(reqID), 20); err != nil {
		t.Fatal(err)
	}
	// A stream (id 1) from the client to the agent's key.
	if _, err := client.OpenStream(ctx, agentkit.StreamSpec{Payee: agentKey.Address(), Rate: agnt(1), Deposit: agnt(1_000)}); err != nil {
		t.Fatal(err)
	}

	t.Run("grpc reflection", func(t *testing.T) {
		conn, err := grpc.NewClient(node.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		stream, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r := &reflectionClient{t: t, stream: stream, files: new(protoregistry.Files)}
		res := r.ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{ListServices: "*"}})
		services := map[string]bool{}
		for _, s := range res.GetListServicesResponse().GetService() {
			services[s.GetName()] = true
		}
		for _, m := range modules {
			// Query services are served over gRPC. Msg services are not (txs
			// go through broadcast), but their files come with their
			// messages, for clients that build transactions.
			query := fmt.Sprintf("agentchain.%s.v1.Query", m)
			if !services[query] {
				t.Fatalf("reflection does not list %s (it lists %d services)", query, len(services))
			}
			for _, symbol := range []string{query, fmt.Sprintf("agentchain.%s.v1.MsgUpdateParams", m)} {
				r.load(r.ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: symbol}}))
			}
			for _, svc := range []string{"Query", "Msg"} {
				name := fmt.Sprintf("agentchain.%s.v1.%s", m, svc)
				if _, err := r.files.FindDescriptorByName(protoreflect.FullName(name)); err != nil {
					t.Fatalf("%s not described over reflection: %v", name, err)
				}
			}
		}
		if _, err := r.files.FindDescriptorByName("agentchain.market.v1.MsgHire"); err != nil {
			t.Fatal(err)
		}
		// Call Query/Listing and Query/Job knowing only what reflection said.
		call := func(service, method string, fields map[string]uint64) protoreflect.Message {
			d, err := r.files.FindDescriptorByName(protoreflect.FullName(service))
			if err != nil {
				t.Fatal(err)
			}
			md := d.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(method))
			if md == nil {
				t.Fatalf("%s has no method %s", service, method)
			}
			req := dynamicpb.NewMessage(md.Input())
			for k, v := range fields {
				req.Set(md.Input().Fields().ByName(protoreflect.Name(k)), protoreflect.ValueOfUint64(v))
			}
			res := dynamicpb.NewMessage(md.Output())
			if err := conn.Invoke(ctx, fmt.Sprintf("/%s/%s", service, method), req, res); err != nil {
				t.Fatalf("%s/%s: %v", service, method, err)
			}
			return res
		}
		l := call("agentchain.market.v1.Query", "Listing", map[string]uint64{"id": listing.Id})
		lm := l.Get(l.Descriptor().Fields().ByName("listing")).Message()
		if got := lm.Get(lm.Descriptor().Fields().ByName("provider")).Uint(); got != agent.Id {
			t.Fatalf("listing provider %d over reflection, want %d", got, agent.Id)
		}
		j := call("agentchain.market.v1.Query", "Job", map[string]uint64{"id": job.Id})
		jm := j.Get(j.Descriptor().Fields().ByName("job")).Message()
		status := jm.Get(jm.Descriptor().Fields().ByName("status")).Enum()
		if got := jm.Descriptor().Fields().ByName("status").Enum().Values().ByNumber(status).Name(); got != "JOB_STATUS_COMPLETED" {
			t.Fatalf("job status %s over reflection", got)
		}
		rep := call("agentchain.reputation.v1.Query", "Reputation", map[string]uint64{"agent_id": agent.Id})
		if got := rep.Get(rep.Descriptor().Fields().ByName("count")).Uint(); got != 1 {
			t.Fatalf("feedback count %d over reflection", got)
		}
	})

	t.Run("openapi and rest", func(t *testing.T) {
		base := "http://" + node.API
		served := httpGet(t, base+"/agentchain/openapi.json")
		committed, err := os.ReadFile(filepath.Join(repoRoot, "docs", "openapi", "agentchain.swagger.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(served, committed) {
			t.Fatal("the node serves an OpenAPI document other than docs/openapi/agentchain.swagger.json")
		}
		var doc struct {
			Paths map[string]map[string]struct {
				OperationID string `json:"operationId"`
			} `json:"paths"`
		}
		if err := json.Unmarshal(served, &doc); err != nil {
			t.Fatal(err)
		}
		// Every query RPC of every module has a route in the document.
		ops := map[string]string{}
		for path, methods := range doc.Paths {
			for verb, op := range methods {
				if verb != "get" {
					t.Errorf("%s %s: queries are GETs", verb, path)
				}
				ops[op.OperationID] = path
			}
		}
		for _, m := range modules {
			sd := queryService(t, m)
			for i := 0; i < sd.Methods().Len(); i++ {
				id := m + "_" + string(sd.Methods().Get(i).Name())
				if _, ok := ops[id]; !ok {
					t.Errorf("%s.Query/%s has no REST route in the OpenAPI document", m, sd.Methods().Get(i).Name())
				}
			}
		}
		// Every route answers 200 with JSON.
		values := map[string]string{
			"id": "1", "agent_id": fmt.Sprint(agent.Id), "job_id": fmt.Sprint(job.Id), "request_id": fmt.Sprint(reqID),
			"address": agentkit.Bech32(agentKey.Address()), "name": "iface-agent", "owner": agentkit.Bech32(ownerKey.Address()),
			"capability": "summarize", "client": agentkit.Bech32(clientKey.Address()), "payer": agentkit.Bech32(clientKey.Address()),
			"payee": agentkit.Bech32(agentKey.Address()), "provider": fmt.Sprint(agent.Id), "role": "RATER_ROLE_CLIENT",
			"client_agent": fmt.Sprint(agent.Id),
		}
		statusFor := map[string]string{"escrow": "ESCROW_STATUS_LOCKED", "market": markettypes.JOB_STATUS_COMPLETED.String()}
		param := regexp.MustCompile(`\{([a-z_]+)\}`)
		paths := make([]string, 0, len(doc.Paths))
		for p := range doc.Paths {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			url := param.ReplaceAllStringFunc(p, func(m string) string {
				name := m[1 : len(m)-1]
				if name == "status" {
					return statusFor[strings.Split(p, "/")[2]]
				}
				v, ok := values[name]
				if !ok {
					t.Fatalf("route %s: no test value for {%s}", p, name)
				}
				return v
			})
			body := httpGet(t, base+url)
			var out map[string]any
			if err := json.Unmarshal(body, &out); err != nil || len(out) == 0 {
				t.Errorf("GET %s: not a JSON object: %s", url, body)
			}
		}
		if len(paths) < 35 {
			t.Fatalf("%d routes in the OpenAPI document", len(paths))
		}
		// Spot checks of content.
		var j struct {
			Job struct {
				Status string `json:"status"`
			} `json:"job"`
		}
		if err := json.Unmarshal(httpGet(t, fmt.Sprintf("%s/agentchain/market/v1/jobs/%d", base, job.Id)), &j); err != nil || j.Job.Status != "JOB_STATUS_COMPLETED" {
			t.Fatalf("job over REST: %+v %v", j, err)
		}
	})
}

// queryService returns a module's Query service descriptor, as compiled in.
func queryService(t *testing.T, module string) protoreflect.ServiceDescriptor {
	t.Helper()
	files, err := gogoMergedFiles()
	if err != nil {
		t.Fatal(err)
	}
	d, err := files.FindDescriptorByName(protoreflect.FullName(fmt.Sprintf("agentchain.%s.v1.Query", module)))
	if err != nil {
		t.Fatal(err)
	}
	return d.(protoreflect.ServiceDescriptor)
}

func httpGet(t *testing.T, url string) []byte {
	t.Helper()
	res, err := http.Get(url) //nolint:gosec,noctx // a loopback URL built by the test
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, res.Status, body)
	}
	return body
}

// gogoMergedFiles is the registry of every proto file compiled into the
// binary (gogoproto's and the standard one's).
func gogoMergedFiles() (*protoregistry.Files, error) { return gogoproto.MergedRegistry() }
