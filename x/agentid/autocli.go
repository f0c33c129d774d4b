package agentid

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes the module's CLI: `agentchaind tx agentid ...`
// and `agentchaind query agentid ...`. register-agent and rotate-agent-key
// are hand-written (they sign a key proof, see client/cli); autocli builds
// every other command from the Msg and Query services.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              "agentchain.agentid.v1.Msg",
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "RegisterAgent", Skip: true},
				{RpcMethod: "RotateAgentKey", Skip: true},
				{
					RpcMethod: "UpdateAgent",
					Use:       "update-agent [agent-id]",
					Short:     "Change an agent's card, capabilities, endpoints or payout address (owner)",
					Long: "Fields left out stay as they are; --clear-card, --clear-capabilities, --clear-endpoints and " +
						"--clear-payout-address empty one on purpose. Endpoints are JSON: " +
						`--endpoints '{"protocol":"a2a","url":"https://agent.example/a2a"}'.`,
					Example: `agentchaind tx agentid update-agent 1 --capabilities summarize,translate --from owner
agentchaind tx agentid update-agent 1 --card-uri https://agent.example/card.json --card-hash <sha256 hex> --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}},
				},
				{
					RpcMethod:      "TransferOwnership",
					Use:            "transfer-ownership [agent-id] [new-owner]",
					Short:          "Hand an agent to a new owner (owner)",
					Example:        `agentchaind tx agentid transfer-ownership 1 agent1... --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}, {ProtoField: "new_owner"}},
				},
				{
					RpcMethod:      "SetAgentStatus",
					Use:            "set-agent-status [agent-id] [active|suspended]",
					Short:          "Suspend or reactivate an agent (owner)",
					Example:        `agentchaind tx agentid set-agent-status 1 suspended --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}, {ProtoField: "status"}},
				},
				{
					RpcMethod:      "DeactivateAgent",
					Use:            "deactivate-agent [agent-id]",
					Short:          "Retire an agent for good; its deposit returns to the owner (owner)",
					Example:        `agentchaind tx agentid deactivate-agent 1 --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}},
				},
				{
					RpcMethod: "SetSpendPolicy",
					Use:       "set-spend-policy [agent-id] [denom] [cap] [window-blocks]",
					Short:     "Cap what may leave an agent's address per window of blocks, or --remove the cap (owner)",
					Example: `agentchaind tx agentid set-spend-policy 1 uagnt 5000000 600 --from owner
agentchaind tx agentid set-spend-policy 1 uagnt 0 1 --remove --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "agent_id"}, {ProtoField: "denom"}, {ProtoField: "cap"}, {ProtoField: "window_blocks"},
					},
				},
				{
					RpcMethod:      "Attest",
					Use:            "attest [agent-id] [claim-type] [uri] [hash]",
					Short:          "Attach a claim to an agent (approved attesters)",
					Example:        `agentchaind tx agentid attest 1 model-audit https://audits.example/1 <sha256 hex> --expires-height 500000 --from auditor`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}, {ProtoField: "claim_type"}, {ProtoField: "uri"}, {ProtoField: "hash"}},
				},
				{
					RpcMethod:      "RevokeAttestation",
					Use:            "revoke-attestation [agent-id] [claim-type]",
					Short:          "Revoke your claim about an agent (its attester)",
					Example:        `agentchaind tx agentid revoke-attestation 1 model-audit --from auditor`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}, {ProtoField: "claim_type"}},
				},
				{
					RpcMethod:      "UpdateParams",
					Use:            "update-params [params-json]",
					Short:          "Propose new agentid params to governance",
					GovProposal:    true,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "params"}},
				},
			},
		},
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "agentchain.agentid.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "Agent", Use: "agent [id]", Short: "An agent by id",
					Example:        "agentchaind query agentid agent 1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "AgentByName", Use: "agent-by-name [name]", Short: "An agent by its name",
					Example:        "agentchaind query agentid agent-by-name summarizer",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "name"}},
				},
				{
					RpcMethod: "AgentByAddress", Use: "agent-by-address [address]", Short: "The agent whose agent address is given",
					Example:        "agentchaind query agentid agent-by-address agent1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{
					RpcMethod: "Agents", Use: "agents", Short: "Every agent, by id (paginated)",
					Example: "agentchaind query agentid agents --limit 20",
				},
				{
					RpcMethod: "AgentsByOwner", Use: "agents-by-owner [owner]", Short: "The agents of an owner (paginated)",
					Example:        "agentchaind query agentid agents-by-owner agent1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "owner"}},
				},
				{
					RpcMethod: "AgentsByCapability", Use: "agents-by-capability [capability]", Short: "The agents declaring a capability (paginated)",
					Example:        "agentchaind query agentid agents-by-capability summarize",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "capability"}},
				},
				{
					RpcMethod: "Attestations", Use: "attestations [agent-id]", Short: "An agent's attestations, expired ones marked (paginated)",
					Example:        "agentchaind query agentid attestations 1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}},
				},
				{
					RpcMethod: "SpendPolicies", Use: "spend-policies [agent-id]", Short: "An agent's spend caps: what may leave now, and when the whole cap is back",
					Example:        "agentchaind query agentid spend-policies 1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "agent_id"}},
				},
				{
					RpcMethod: "BindingNonce", Use: "binding-nonce [address]", Short: "The last key-proof nonce used for an address",
					Example:        "agentchaind query agentid binding-nonce agent1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{
					RpcMethod: "Invariants", Use: "invariants",
					Short: "Check the agentid module's invariants against its whole state (reads every record)",
					Long: "Prints the invariants checked and every violation found; broken is empty when all hold. " +
						"It reads the module's whole state: meant for audits and tests.",
					Example: "agentchaind query agentid invariants",
				},
				{RpcMethod: "Params", Use: "params", Short: "The module parameters", Example: "agentchaind query agentid params"},
			},
		},
	}
}
