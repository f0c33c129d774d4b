package escrow

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes the module's CLI: `agentchaind tx escrow ...` and
// `agentchaind query escrow ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "agentchain.escrow.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "CreateEscrow",
					Use:       "create-escrow [payee] [amount]",
					Short:     "Lock coins for a payee; release them when the work is done",
					Long: "Locks [amount] from --from for [payee]. --arbiter names who rules on a dispute; --expires-height " +
						"returns the coins to the payer from that height on if nothing else happened.",
					Example:        `agentchaind tx escrow create-escrow agent1payee... 5000000uagnt --arbiter agent1arb... --expires-height 12000 --from payer`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "payee"}, {ProtoField: "amount", Varargs: true}},
				},
				{
					RpcMethod:      "Release",
					Use:            "release [escrow-id]",
					Short:          "Pay the payee all that remains, or --amount of it (payer)",
					Example:        `agentchaind tx escrow release 7 --from payer`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "escrow_id"}},
				},
				{
					RpcMethod:      "Refund",
					Use:            "refund [escrow-id]",
					Short:          "Return all that remains, or --amount of it, to the payer (payee; anyone once expired)",
					Example:        `agentchaind tx escrow refund 7 --from payee`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "escrow_id"}},
				},
				{
					RpcMethod:      "OpenDispute",
					Use:            "open-dispute [escrow-id] [not-delivered|not-as-agreed|payment-withheld|other] [evidence-sha256-hex]",
					Short:          "Freeze an escrow until its arbiter, governance or the timeout splits it (payer or payee)",
					Example:        `agentchaind tx escrow open-dispute 7 not-delivered <sha256 hex> --from payer`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "escrow_id"}, {ProtoField: "reason"}, {ProtoField: "evidence_hash"}},
				},
				{
					RpcMethod:      "ResolveDispute",
					Use:            "resolve-dispute [escrow-id] [payee-share-bps]",
					Short:          "Rule on a dispute: the payee's share in basis points, the rest to the payer (arbiter)",
					Example:        `agentchaind tx escrow resolve-dispute 7 7000 --from arbiter`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "escrow_id"}, {ProtoField: "payee_share_bps"}},
				},
				{
					RpcMethod: "SettleEscrow",
					Use:       "settle-escrow [escrow-id]",
					Short:     "Apply a direct escrow's due timer now (anyone): refund after expiry, default split after a dispute timeout",
					Long: "Every handler already treats an escrow whose expiry or dispute deadline has come as settled; settle-escrow " +
						"moves the coins at once instead of waiting for the EndBlock queue. Refused when nothing is due.",
					Example:        `agentchaind tx escrow settle-escrow 7 --from payer`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "escrow_id"}},
				},
				{
					RpcMethod: "OpenStream",
					Use:       "open-stream [payee] [rate] [deposit]",
					Short:     "Stream coins to a payee: [rate] accrues every --period-blocks blocks out of [deposit], held in escrow",
					Long: "Moves [deposit] into escrow now. [rate] accrues to [payee] every --period-blocks blocks (default 1) from " +
						"--start-height (default now) until --end-height (default: until the deposit runs out); nothing accrues " +
						"before --cliff-height. Only whole periods accrue. The payee withdraws at any time; the payer tops up or " +
						"cancels (what accrued goes to the payee, the rest back at once); anyone may close a stream that ran out or ended.",
					Example:        `agentchaind tx escrow open-stream agent1payee... 10uagnt 100000uagnt --period-blocks 1 --end-height 20000 --from payer`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "payee"}, {ProtoField: "rate"}, {ProtoField: "deposit"}},
				},
				{
					RpcMethod:      "WithdrawStream",
					Use:            "withdraw-stream [stream-id]",
					Short:          "Take what a stream has accrued (payee)",
					Example:        `agentchaind tx escrow withdraw-stream 4 --from payee`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod:      "TopUpStream",
					Use:            "top-up-stream [stream-id] [amount]",
					Short:          "Add to a stream's deposit (payer); a stream that ran out accrues again from now",
					Example:        `agentchaind tx escrow top-up-stream 4 50000uagnt --from payer`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}, {ProtoField: "amount"}},
				},
				{
					RpcMethod:      "CancelStream",
					Use:            "cancel-stream [stream-id]",
					Short:          "End a stream now: what accrued to the payee, the rest back to the payer (payer or payee)",
					Example:        `agentchaind tx escrow cancel-stream 4 --from payer`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod:      "CloseStream",
					Use:            "close-stream [stream-id]",
					Short:          "Settle a stream that ran out of deposit or passed its end height (anyone)",
					Example:        `agentchaind tx escrow close-stream 4 --from anyone`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "stream_id"}},
				},
				{
					RpcMethod:      "UpdateParams",
					Use:            "update-params [params-json]",
					Short:          "Propose new escrow params to governance",
					GovProposal:    true,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "params"}},
				},
			},
		},
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "agentchain.escrow.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "Escrow", Use: "escrow [id]", Short: "An escrow and what it still holds",
					Example:        "agentchaind query escrow escrow 7",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "EscrowsByPayer", Use: "escrows-by-payer [payer]", Short: "A payer's escrows (paginated)",
					Example:        "agentchaind query escrow escrows-by-payer agent1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "payer"}},
				},
				{
					RpcMethod: "EscrowsByPayee", Use: "escrows-by-payee [payee]", Short: "A payee's escrows (paginated)",
					Example:        "agentchaind query escrow escrows-by-payee agent1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "payee"}},
				},
				{
					RpcMethod: "EscrowsByStatus", Use: "escrows-by-status [locked|disputed|closed]", Short: "The escrows in a status (paginated)",
					Example:        "agentchaind query escrow escrows-by-status disputed",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "status"}},
				},
				{
					RpcMethod: "Stream", Use: "stream [id]", Short: "A stream with what has accrued and what is withdrawable now",
					Example:        "agentchaind query escrow stream 4",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "StreamsByPayer", Use: "streams-by-payer [payer]", Short: "A payer's streams with their amounts now (paginated)",
					Example:        "agentchaind query escrow streams-by-payer agent1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "payer"}},
				},
				{
					RpcMethod: "StreamsByPayee", Use: "streams-by-payee [payee]", Short: "A payee's streams with their amounts now (paginated)",
					Example:        "agentchaind query escrow streams-by-payee agent1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "payee"}},
				},
				{RpcMethod: "TotalHeld", Use: "total-held", Short: "What open escrows hold, per denom", Example: "agentchaind query escrow total-held"},
				{
					RpcMethod: "Conservation", Use: "conservation",
					Short:   "Check that the escrow module account holds exactly what open escrows hold",
					Example: "agentchaind query escrow conservation",
				},
				{
					RpcMethod: "Invariants", Use: "invariants",
					Short: "Check the escrow module's invariants against its whole state (reads every record)",
					Long: "Prints the invariants checked and every violation found; broken is empty when all hold. " +
						"It reads the module's whole state: meant for audits and tests.",
					Example: "agentchaind query escrow invariants",
				},
				{RpcMethod: "Params", Use: "params", Short: "The module parameters", Example: "agentchaind query escrow params"},
			},
		},
	}
}
