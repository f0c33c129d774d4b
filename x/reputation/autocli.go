package reputation

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

// AutoCLIOptions describes the module's CLI: `agentchaind tx reputation ...`
// and `agentchaind query reputation ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "agentchain.reputation.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "SubmitFeedback", Use: "submit-feedback [job-id] [score]",
					Short:          "Rate the other party of a settled job, 0-100 (client rates provider; provider rates a client agent)",
					Example:        `agentchaind tx reputation submit-feedback 5 92 --tags fast,accurate --from researcher`,
					PositionalArgs: pos("job_id", "score"),
				},
				{
					RpcMethod: "RespondFeedback", Use: "respond-feedback [job-id] [client|provider|ruling] [response-uri] [response-sha256-hex]",
					Short:          "Append the rated agent's one response to a feedback or a dispute's ruling (its owner or agent key)",
					Example:        `agentchaind tx reputation respond-feedback 5 client https://sum.example/reply <sha256 hex> --from summarizer-hot`,
					PositionalArgs: pos("job_id", "role", "response_uri", "response_hash"),
				},
				{
					RpcMethod: "RevokeFeedback", Use: "revoke-feedback [job-id] [client|provider]",
					Short:          "Withdraw your feedback; it stops counting",
					Example:        `agentchaind tx reputation revoke-feedback 5 client --from researcher`,
					PositionalArgs: pos("job_id", "role"),
				},
				{
					RpcMethod: "UpdateParams", Use: "update-params [params-json]", Short: "Propose new reputation params to governance",
					GovProposal: true, PositionalArgs: pos("params"),
				},
			},
		},
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "agentchain.reputation.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "Reputation", Use: "reputation [agent-id]",
					Short:          "An agent's score (overall, or --capability), weight, feedback count and market signals",
					Example:        "agentchaind query reputation reputation 1 --capability summarize",
					PositionalArgs: pos("agent_id"),
				},
				{
					RpcMethod: "Feedback", Use: "feedback [job-id] [client|provider|ruling]", Short: "One feedback, or a dispute's ruling",
					Example: "agentchaind query reputation feedback 5 client", PositionalArgs: pos("job_id", "role"),
				},
				{
					RpcMethod: "FeedbackReceived", Use: "feedback-received [agent-id]", Short: "The feedback an agent received (paginated)",
					Example: "agentchaind query reputation feedback-received 1", PositionalArgs: pos("agent_id"),
				},
				{
					RpcMethod: "FeedbackGiven", Use: "feedback-given [agent-id]", Short: "The feedback an agent gave (paginated)",
					Example: "agentchaind query reputation feedback-given 2", PositionalArgs: pos("agent_id"),
				},
				{
					RpcMethod: "TopAgents", Use: "top-agents [capability]",
					Short:          "The best-scored agents of a capability (\"\" for overall), in current score order",
					Example:        "agentchaind query reputation top-agents summarize --limit 5",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "capability", Optional: true}},
				},
				{
					RpcMethod: "Invariants", Use: "invariants",
					Short: "Check the reputation module's invariants against its whole state (reads every record)",
					Long: "Prints the invariants checked and every violation found; broken is empty when all hold. " +
						"It reads the module's whole state: meant for audits and tests.",
					Example: "agentchaind query reputation invariants",
				},
				{RpcMethod: "Params", Use: "params", Short: "The module parameters", Example: "agentchaind query reputation params"},
			},
		},
	}
}
