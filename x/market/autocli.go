package market

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

func pos(fields ...string) []*autocliv1.PositionalArgDescriptor {
	out := make([]*autocliv1.PositionalArgDescriptor, len(fields))
	for i, f := range fields {
		out[i] = &autocliv1.PositionalArgDescriptor{ProtoField: f}
	}
	return out
}

// AutoCLIOptions describes the module's CLI: `agentchaind tx market ...` and
// `agentchaind query market ...`. Providers sign with their agent key or
// their owner's; every field is a positional argument or a flag.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "agentchain.market.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "CreateListing",
					Use:       "create-listing [provider-agent-id] [capability] [title] [price] [terms-uri] [terms-sha256-hex]",
					Short:     "Publish a standing offer of a provider agent (its owner or agent key)",
					Example: `agentchaind tx market create-listing 1 summarize "Summaries under 200 words" 2000000uagnt https://sum.example/terms <sha256 hex> \
  --max-duration-blocks 600 --review-window-blocks 60 --from summarizer-hot
agentchaind tx market create-listing 1 monitor "Uptime monitoring" 50uagnt https://mon.example/terms <sha256 hex> \
  --billing per-block --min-term-blocks 100 --max-duration-blocks 100000 --from monitor-hot`,
					Long: "A listing is priced per job (the default) or per block (--billing per-block: a subscription whose price " +
						"accrues every block it runs, between --min-term-blocks and --max-duration-blocks; no review window).",
					PositionalArgs: pos("provider", "capability", "title", "price", "terms_uri", "terms_hash"),
				},
				{
					RpcMethod: "UpdateListing", Use: "update-listing [listing-id]",
					Short:          "Change a listing's terms; unset flags stay (provider)",
					Example:        `agentchaind tx market update-listing 3 --price 1500000uagnt --from summarizer-hot`,
					PositionalArgs: pos("listing_id"),
				},
				{
					RpcMethod: "SetListingStatus", Use: "set-listing-status [listing-id] [active|paused|closed]",
					Short:          "Pause, resume or close a listing (provider)",
					Example:        `agentchaind tx market set-listing-status 3 paused --from summarizer-hot`,
					PositionalArgs: pos("listing_id", "status"),
				},
				{
					RpcMethod: "Hire", Use: "hire [listing-id] [spec-uri] [spec-sha256-hex] [deliver-by-height]",
					Short: "Hire a listing: its price is locked in escrow until the work is accepted",
					Long: "Milestones split the price: --milestones '{\"title\":\"draft\",\"amount\":{\"denom\":\"uagnt\",\"amount\":\"500000\"}}' (repeat, in order). " +
						"--parent-job-id subcontracts part of a job you provide. " +
						"--max-price 1000000uagnt refuses the hire if the provider has raised the price above it by then (set it to the price you read).",
					Example:        `agentchaind tx market hire 3 https://client.example/spec.json <sha256 hex> 12000 --max-price 1000000uagnt --from researcher`,
					PositionalArgs: pos("listing_id", "spec_uri", "spec_hash", "deliver_by"),
				},
				{
					RpcMethod: "PostRequest", Use: "post-request [capability] [budget] [spec-uri] [spec-sha256-hex] [bid-deadline-height]",
					Short:          "Ask for quotes: the budget is locked in escrow until a bid is accepted or the deadline passes",
					Example:        `agentchaind tx market post-request translate 5000000uagnt https://client.example/spec.json <sha256 hex> 9000 --from researcher`,
					PositionalArgs: pos("capability", "budget", "spec_uri", "spec_hash", "bid_deadline"),
				},
				{
					RpcMethod: "CancelRequest", Use: "cancel-request [request-id]",
					Short: "Withdraw an open request; its budget comes back (client)", PositionalArgs: pos("request_id"),
					Example: `agentchaind tx market cancel-request 2 --from researcher`,
				},
				{
					RpcMethod: "PlaceBid", Use: "place-bid [request-id] [provider-agent-id] [price] [delivery-blocks]",
					Short:          "Bid on an open request (provider)",
					Example:        `agentchaind tx market place-bid 2 1 4000000uagnt 300 --note-uri https://sum.example/bid --from summarizer-hot`,
					PositionalArgs: pos("request_id", "provider", "price", "delivery_blocks"),
				},
				{
					RpcMethod: "AcceptBid", Use: "accept-bid [request-id] [bid-id]",
					Short:          "Accept a bid: it becomes a funded job, and budget - price comes back (client)",
					Example:        `agentchaind tx market accept-bid 2 1 --from researcher`,
					PositionalArgs: pos("request_id", "bid_id"),
				},
				{
					RpcMethod: "AcceptJob", Use: "accept-job [job-id]", Short: "Start a funded job (provider)",
					Example: `agentchaind tx market accept-job 5 --from summarizer-hot`, PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "DeclineJob", Use: "decline-job [job-id]", Short: "Turn down a funded job; the client is refunded (provider)",
					Example: `agentchaind tx market decline-job 5 --from summarizer-hot`, PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "CancelJob", Use: "cancel-job [job-id]", Short: "Withdraw a funded job the provider has not accepted (client)",
					Example: `agentchaind tx market cancel-job 5 --from researcher`, PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "Deliver", Use: "deliver [job-id] [milestone] [result-uri] [result-sha256-hex]",
					Short:          "Deliver the next milestone (0 for a job without milestones) (provider)",
					Example:        `agentchaind tx market deliver 5 0 https://sum.example/results/5 <sha256 hex> --from summarizer-hot`,
					PositionalArgs: pos("job_id", "milestone", "result_uri", "result_hash"),
				},
				{
					RpcMethod: "Complete", Use: "complete [job-id] [milestone]",
					Short:          "Accept the delivered milestone and pay it, minus the take (client)",
					Example:        `agentchaind tx market complete 5 0 --from researcher`,
					PositionalArgs: pos("job_id", "milestone"),
				},
				{
					RpcMethod: "Reject", Use: "reject [job-id] [milestone] [spec-mismatch|low-quality|incomplete|other] [evidence-sha256-hex]",
					Short:          "Reject the delivered milestone: the job goes to its arbiter (client)",
					Example:        `agentchaind tx market reject 5 0 incomplete <sha256 hex> --from researcher`,
					PositionalArgs: pos("job_id", "milestone", "reason", "evidence_hash"),
				},
				{
					RpcMethod: "Resolve", Use: "resolve [job-id] [provider-share-bps]",
					Short:          "Rule on a disputed job: the provider's share in basis points (arbiter)",
					Example:        `agentchaind tx market resolve 5 6000 --from arbiter`,
					PositionalArgs: pos("job_id", "provider_share_bps"),
				},
				{
					RpcMethod: "SettleJob", Use: "settle-job [job-id]",
					Short: "Apply a job's due timers now (anyone): accept timeout, expiry, payment after the review window, default split",
					Long: "Every handler already treats a job whose deadline passed as if its timer had fired; settle-job moves the " +
						"coins at once instead of waiting for the EndBlock queue. Refused when nothing is due.",
					Example:        `agentchaind tx market settle-job 5 --from provider`,
					PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "SettleRequest", Use: "settle-request [request-id]",
					Short:          "Expire a request whose bid deadline has come and refund its budget now (anyone)",
					Example:        `agentchaind tx market settle-request 3 --from client`,
					PositionalArgs: pos("request_id"),
				},
				{
					RpcMethod: "Purchase", Use: "purchase [listing-id] [calls] [amount] [request-id] [valid-until-height]",
					Short: "Buy calls of a listing, paid at once (pay-per-call): the provider is paid now and the purchase is a completed job you may rate",
					Long: "amount must be exactly the listing's price times calls. request-id is yours to choose (1 to 64 of A-Z a-z 0-9 . _ : -) " +
						"and settles at most once, ever; the purchase is refused after valid-until-height.",
					Example:        `agentchaind tx market purchase 3 1 20000uagnt 0f8e2c1a-call-1 1500 --from researcher`,
					PositionalArgs: pos("listing_id", "calls", "amount", "request_id", "valid_until_height"),
				},
				{
					RpcMethod: "Subscribe", Use: "subscribe [listing-id] [rate] [term-blocks]",
					Short: "Subscribe to a per-block listing: rate × term is deposited now and streams to the provider block by block",
					Long: "rate must be exactly the listing's price per block. The provider withdraws what accrued at any time; you can " +
						"top up (extend the term) or cancel (what accrued goes to the provider, the rest back to you at once).",
					Example:        `agentchaind tx market subscribe 4 50uagnt 1000 --from researcher`,
					PositionalArgs: pos("listing_id", "rate", "term_blocks"),
				},
				{
					RpcMethod: "WithdrawSubscription", Use: "withdraw-subscription [job-id]",
					Short:          "Take what a subscription accrued, take cut (provider); after the term it also ends it",
					Example:        `agentchaind tx market withdraw-subscription 12 --from monitor-hot`,
					PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "TopUpSubscription", Use: "top-up-subscription [job-id] [extra-blocks]",
					Short:          "Extend a running subscription by more blocks, deposited now (client)",
					Example:        `agentchaind tx market top-up-subscription 12 500 --from researcher`,
					PositionalArgs: pos("job_id", "extra_blocks"),
				},
				{
					RpcMethod: "PauseSubscription", Use: "pause-subscription [job-id]",
					Short:          "Stop a subscription's accrual while service is paused (provider)",
					Example:        `agentchaind tx market pause-subscription 12 --from monitor-hot`,
					PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "ResumeSubscription", Use: "resume-subscription [job-id]",
					Short:          "Restart a paused subscription's accrual (provider)",
					Example:        `agentchaind tx market resume-subscription 12 --from monitor-hot`,
					PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "CancelSubscription", Use: "cancel-subscription [job-id]",
					Short:          "End a subscription now: what accrued to the provider (take cut), the rest back to the client (either side)",
					Example:        `agentchaind tx market cancel-subscription 12 --from researcher`,
					PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "UpdateParams", Use: "update-params [params-json]", Short: "Propose new market params to governance",
					GovProposal: true, PositionalArgs: pos("params"),
				},
			},
		},
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "agentchain.market.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Listing", Use: "listing [id]", Short: "A listing", Example: "agentchaind query market listing 3", PositionalArgs: pos("id")},
				{
					RpcMethod: "ListingsByCapability", Use: "listings-by-capability [capability]",
					Short:          "Active listings of a capability, cheapest first (--max-price, --min-provider-score, --denom)",
					Example:        "agentchaind query market listings-by-capability summarize --max-price 3000000 --min-provider-score 60",
					PositionalArgs: pos("capability"),
				},
				{
					RpcMethod: "ListingsByProvider", Use: "listings-by-provider [provider-agent-id]", Short: "A provider agent's listings",
					Example: "agentchaind query market listings-by-provider 1", PositionalArgs: pos("provider"),
				},
				{RpcMethod: "Request", Use: "request [id]", Short: "A request for quote", Example: "agentchaind query market request 2", PositionalArgs: pos("id")},
				{
					RpcMethod: "OpenRequestsByCapability", Use: "open-requests-by-capability [capability]", Short: "Open requests of a capability",
					Example: "agentchaind query market open-requests-by-capability translate", PositionalArgs: pos("capability"),
				},
				{RpcMethod: "Bids", Use: "bids [request-id]", Short: "The bids on a request", Example: "agentchaind query market bids 2", PositionalArgs: pos("request_id")},
				{RpcMethod: "Job", Use: "job [id]", Short: "A job", Example: "agentchaind query market job 5", PositionalArgs: pos("id")},
				{
					RpcMethod: "JobsByClient", Use: "jobs-by-client [client]", Short: "A client's jobs",
					Example: "agentchaind query market jobs-by-client agent1...", PositionalArgs: pos("client"),
				},
				{
					RpcMethod: "Purchase", Use: "purchase [client] [request-id]", Short: "The job a client's pay-per-call request id settled",
					Example: "agentchaind query market purchase agent1... 0f8e2c1a-call-1", PositionalArgs: pos("client", "request_id"),
				},
				{
					RpcMethod: "JobsByProvider", Use: "jobs-by-provider [provider-agent-id]", Short: "A provider agent's jobs",
					Example: "agentchaind query market jobs-by-provider 1", PositionalArgs: pos("provider"),
				},
				{
					RpcMethod: "JobsByClientAgent", Use: "jobs-by-client-agent [client-agent-id]", Short: "The jobs an agent hired as a client, whatever key signed",
					Example: "agentchaind query market jobs-by-client-agent 2", PositionalArgs: pos("client_agent"),
				},
				{
					RpcMethod: "JobsByStatus", Use: "jobs-by-status [funded|in-progress|delivered|completed|cancelled|expired|disputed|resolved]",
					Short: "The jobs in a status", Example: "agentchaind query market jobs-by-status disputed", PositionalArgs: pos("status"),
				},
				{
					RpcMethod: "JobChildren", Use: "job-children [job-id]", Short: "The subcontracts of a job",
					Example: "agentchaind query market job-children 5", PositionalArgs: pos("job_id"),
				},
				{
					RpcMethod: "Invariants", Use: "invariants",
					Short: "Check the market module's invariants against its whole state (reads every record)",
					Long: "Prints the invariants checked and every violation found; broken is empty when all hold. " +
						"It reads the module's whole state: meant for audits and tests.",
					Example: "agentchaind query market invariants",
				},
				{RpcMethod: "Params", Use: "params", Short: "The module parameters", Example: "agentchaind query market params"},
			},
		},
	}
}
