// An x402 client built on the x402 Foundation's own TypeScript packages
// (@x402/fetch, @x402/core) pays an agentchain provider per call. Those
// packages carry the protocol: they parse the provider's 402 and its
// PAYMENT-REQUIRED header, pick a requirement, apply their spend controls,
// build the PaymentPayload, send it as PAYMENT-SIGNATURE and read the
// PAYMENT-RESPONSE; their HTTPFacilitatorClient speaks to
// `agentchaind x402 facilitator` and validates its answers against their
// own schemas. The only agentchain-specific part is the scheme client below
// (the "exact" scheme on network cosmos:<chain-id>): it signs one
// MsgPurchase of the requirement's listing with CosmJS in SIGN_MODE_DIRECT,
// as README.md's pay-per-call section describes. Any failed check exits
// non-zero. Run by tests/e2e TestX402OfficialClient; see README.md for the
// environment.

import { randomBytes } from "node:crypto";

import { agentchainTypes, marketTypes, setupAgentchainExtension } from "@agentchain/client";
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing";
import { GasPrice, QueryClient, SigningStargateClient, calculateFee, defaultRegistryTypes } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { HTTPFacilitatorClient } from "@x402/core/http";
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client, x402HTTPClient } from "@x402/fetch";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckError, check, checkEq, log, show } from "./check.mjs";

const env = (name) => {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`${name} is not set (see README.md)`);
  return v;
};

const RPC = env("AGENTCHAIN_RPC");
const CHAIN_ID = env("AGENTCHAIN_CHAIN_ID");
const MNEMONIC = env("AGENTCHAIN_CLIENT_MNEMONIC");
const QUOTE_URL = env("X402_QUOTE_URL"); // one call of a listing priced under the cap
const PREMIUM_URL = env("X402_PREMIUM_URL"); // one call of a listing priced over it
const FACILITATOR_URL = env("X402_FACILITATOR_URL");
const MAX_PRICE = env("X402_MAX_PRICE"); // the client's cap per payment, in uagnt
const NETWORK = `cosmos:${CHAIN_ID}`;
const DENOM = "uagnt";
const GAS_PRICE = GasPrice.fromString(`0.0025${DENOM}`);
const PURCHASE = "/agentchain.market.v1.MsgPurchase";


/**
 * The "exact" scheme on agentchain, for @x402/core's x402Client: the
 * payment is a tx holding one MsgPurchase of the requirement's listing
 * (extra.listingId), for extra.calls calls (1 when absent), paying the
 * requirement's amount and asset, under a request id chosen here, valid
 * until extra.validForBlocks blocks from now. payload.signature is the
 * signed TxRaw in base64; payload.authorization restates what it does.
 */
class ExactAgentchainScheme {
  scheme = "exact";

  constructor(stargate, address) {
    Object.assign(this, { stargate, address, signed: [] });
  }

  async createPaymentPayload(x402Version, req) {
    const extra = req.extra ?? {};
    if (!extra.listingId) throw new Error("the requirement names no listing (extra.listingId): not an agentchain purchase");
    const height = await this.stargate.getHeight();
    const calls = Number(extra.calls ?? "1");
    const requestId = `x402-js-${randomBytes(8).toString("hex")}`;
    const validUntilHeight = BigInt(height + Number(extra.validForBlocks ?? "20"));
    const msg = {
      typeUrl: PURCHASE,
      value: {
        client: this.address, listingId: BigInt(extra.listingId), calls, amount: { denom: req.asset, amount: req.amount },
        requestId, validUntilHeight,
      },
    };
    const gas = await this.stargate.simulate(this.address, [msg], "");
    const fee = calculateFee(Math.ceil(gas * 1.4), GAS_PRICE);
    const raw = await this.stargate.sign(this.address, [msg], fee, "");
    const tx = Buffer.from(TxRaw.encode(raw).finish()).toString("base64");
    this.signed.push({ requestId, fee: BigInt(fee.amount[0].amount), tx });
    return {
      x402Version,
      payload: {
        signature: tx,
        authorization: {
          type: "cosmos-signed-transaction", from: this.address, to: req.payTo, amount: req.amount, denom: req.asset,
          chainId: CHAIN_ID, listingId: extra.listingId, calls: String(calls), requestId, validUntilHeight: validUntilHeight.toString(),
        },
      },
    };
  }
}

async function main() {
  const registry = new Registry([...defaultRegistryTypes, ...agentchainTypes]);
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "agent" });
  const [{ address }] = await wallet.getAccounts();
  const stargate = await SigningStargateClient.connectWithSigner(RPC, wallet, { registry });
  const q = setupAgentchainExtension(new QueryClient(await connectComet(RPC))).agentchain;
  const balance = async () => BigInt((await stargate.getBalance(address, DENOM)).amount);
  const scheme = new ExactAgentchainScheme(stargate, address);
  const client = new x402Client().register(NETWORK, scheme);
  const sent = []; // every PaymentPayload @x402/core built, as it built it
  client.onAfterPaymentCreation(async (ctx) => {
    sent.push(ctx.paymentPayload);
  });
  client.setSpendControls({ allowedAssets: [{ network: NETWORK, asset: DENOM, maxAmountPerPayment: MAX_PRICE }] });
  const http = new x402HTTPClient(client);
  const fetchWithPay = wrapFetchWithPayment(fetch, client);
  log(`client ${address} on ${NETWORK}, paying at most ${MAX_PRICE}${DENOM} a call`);

  // 1. Unpaid: the 402, read by @x402/core.
  log("\n[1] an unpaid request");
  const unpaid = await fetch(QUOTE_URL);
  checkEq(unpaid.status, 402, "status of an unpaid request");
  const required = http.getPaymentRequiredResponse((h) => unpaid.headers.get(h), await unpaid.json());
  checkEq(required.x402Version, 2, "x402Version of PAYMENT-REQUIRED");
  checkEq(required.resource?.url, QUOTE_URL, "resource.url");
  checkEq(required.accepts.length, 1, "requirements offered");
  const req = required.accepts[0];
  log(`    PAYMENT-REQUIRED accepts[0] ${show(req)}`);
  checkEq(req.scheme, "exact", "scheme");
  checkEq(req.network, NETWORK, "network");
  checkEq(req.asset, DENOM, "asset");
  check(/^\d+$/.test(req.amount) && BigInt(req.amount) <= BigInt(MAX_PRICE), "amount is atomic and under the cap", req.amount);
  const price = BigInt(req.amount);

  // 2. Paid through @x402/fetch: 402 → PAYMENT-SIGNATURE → 200.
  log("\n[2] the same request through wrapFetchWithPayment");
  const before = await balance();
  const paid = await fetchWithPay(QUOTE_URL);
  checkEq(paid.status, 200, "status of the paid request");
  const body = await paid.json();
  check(body.quote === 42, "the resource was served", body);
  const settled = decodePaymentResponseHeader(paid.headers.get("PAYMENT-RESPONSE"));
  log(`    PAYMENT-RESPONSE ${show(settled)}`);
  checkEq(settled.success, true, "settlement success");
  checkEq(settled.network, NETWORK, "settlement network");
  checkEq(settled.payer, address, "settlement payer");
  check(/^[0-9A-F]{64}$/.test(settled.transaction), "settlement transaction is a tx hash", settled.transaction);
  checkEq(settled.purchase?.jobId, String(body.job), "the purchase's job id is the one served");
  checkEq(settled.amount, req.amount, "settlement amount");
  const first = scheme.signed.at(-1);
  checkEq(scheme.signed.length, 1, "payloads signed");
  const tx = await stargate.getTx(settled.transaction);
  checkEq(tx?.code, 0, "the payment tx is in a block and succeeded");
  const job = (await q.market.Purchase({ client: address, requestId: first.requestId })).job;
  checkEq(job.id.toString(), settled.purchase.jobId, "the chain's purchase under the request id");
  checkEq(job.status, marketTypes.JobStatus.JOB_STATUS_COMPLETED, "the purchase is a completed job");
  checkEq(job.price.amount, req.amount, "the purchase's price");
  checkEq(job.listingId.toString(), req.extra.listingId, "the purchase's listing");
  checkEq(before - (await balance()), price + first.fee, "the client paid the price and the fee, once");

  // 3. The same PAYMENT-SIGNATURE again: a 402 with its reason, nothing moves.
  log("\n[3] the same payment sent again");
  checkEq(sent.length, 1, "payloads built by @x402/core");
  check(sent[0].accepted?.amount === req.amount && sent[0].resource?.url === QUOTE_URL, "the payload restates the requirement it accepted", sent[0]);
  const paymentHeader = http.encodePaymentSignatureHeader(sent[0]);
  const afterPaid = await balance();
  const replay = await fetch(QUOTE_URL, { headers: paymentHeader });
  checkEq(replay.status, 402, "status of a replayed payment");
  const refused = http.getPaymentSettleResponse((h) => replay.headers.get(h));
  log(`    PAYMENT-RESPONSE ${show(refused)}`);
  checkEq(refused.success, false, "a replay is refused");
  check(/already_settled|request_id_used/.test(refused.errorReason ?? ""), "its reason says it was paid already", refused);
  checkEq(await balance(), afterPaid, "nothing moved");

  // 4. Over the cap: the client's spend controls refuse it before signing.
  log("\n[4] a call priced over the client's cap");
  const signedBefore = scheme.signed.length;
  let capErr;
  try {
    await fetchWithPay(PREMIUM_URL);
  } catch (e) {
    capErr = e;
  }
  check(capErr !== undefined && /spendControls/.test(capErr.message), "refused by @x402/core's spend controls", capErr?.message);
  checkEq(scheme.signed.length, signedBefore, "nothing was signed");
  checkEq(await balance(), afterPaid, "nothing moved");

  // 5. The facilitator through @x402/core's HTTPFacilitatorClient, which
  // checks each answer against the protocol's schemas.
  log("\n[5] the facilitator through HTTPFacilitatorClient");
  const facilitator = new HTTPFacilitatorClient({ url: FACILITATOR_URL, timeoutMs: 60_000 });
  const supported = await facilitator.getSupported();
  log(`    /supported ${show(supported)}`);
  check(supported.kinds.some((k) => k.x402Version === 2 && k.scheme === "exact" && k.network === NETWORK), "/supported lists exact on this network", supported.kinds);
  const payload = await client.createPaymentPayload(required);
  const second = scheme.signed.at(-1);
  const verified = await facilitator.verify(payload, req);
  log(`    /verify ${show(verified)}`);
  checkEq(verified.isValid, true, "/verify of a fresh payment");
  checkEq(verified.payer, address, "/verify payer");
  const underpaid = await facilitator.verify(payload, { ...req, amount: (price * 2n).toString() });
  log(`    /verify against twice the price ${show(underpaid)}`);
  checkEq(underpaid.isValid, false, "/verify of a payment under the price");
  checkEq(underpaid.invalidReason, "invalid_exact_cosmos_payload_amount", "its reason");
  const beforeSettle = await balance();
  const s1 = await facilitator.settle(payload, req);
  log(`    /settle ${show(s1)}`);
  checkEq(s1.success, true, "/settle success");
  checkEq(s1.network, NETWORK, "/settle network");
  checkEq(s1.amount, req.amount, "/settle amount");
  // The package keeps only the protocol's fields: the purchase reaches it
  // under extra.
  checkEq(s1.extra?.purchase?.requestId, second.requestId, "/settle extra.purchase's request id");
  const s2 = await facilitator.settle(payload, req);
  checkEq(s2.transaction, s1.transaction, "/settle of the same payload again answers the same tx");
  checkEq(beforeSettle - (await balance()), price + second.fee, "the client paid once for two settles");
  const job2 = (await q.market.Purchase({ client: address, requestId: second.requestId })).job;
  checkEq(job2.status, marketTypes.JobStatus.JOB_STATUS_COMPLETED, "the settled purchase is a completed job");
  checkEq(job2.id.toString(), s1.extra.purchase.jobId, "/settle extra.purchase's job id");
  const again = await facilitator.verify(payload, req);
  checkEq(again.isValid, false, "/verify of a settled payment");
  check(/already_settled|request_id_used/.test(again.invalidReason ?? ""), "its reason says it was paid already", again);

  log(`\npurchases: ${first.requestId} (job ${job.id}) and ${second.requestId} (job ${job2.id})`);
}

main().then(
  () => log("\nx402 official client: all checks passed"),
  (e) => {
    console.error(e instanceof CheckError ? e.message : e);
    process.exit(1);
  },
);
