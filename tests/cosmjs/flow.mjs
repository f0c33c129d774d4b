// A standard Cosmos wallet client (CosmJS) drives agentchain's market end to
// end, once with SIGN_MODE_DIRECT (DirectSecp256k1HdWallet) and once with
// SIGN_MODE_LEGACY_AMINO_JSON (the amino-only Secp256k1HdWallet): a client
// funds a fresh key, the key registers itself as an agent, lists a service,
// the client hires it, the agent accepts and delivers, the client completes
// and the agent is paid. Chain state is checked over REST after every step.
// Any failed check exits non-zero. See README.md for the environment.

import { createHash, randomBytes } from "node:crypto";

import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing";
import {
  AminoTypes,
  GasPrice,
  SigningStargateClient,
  calculateFee,
  createDefaultAminoConverters,
  defaultRegistryTypes,
} from "@cosmjs/stargate";

import { aminoConverter, decodeMsgResponse, loadProtos, msgTypes, registryType, typeUrl } from "./proto.mjs";

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === "") throw new Error(`${name} is not set (see README.md)`);
  return v;
};

const RPC = env("AGENTCHAIN_RPC", "http://127.0.0.1:26657");
const REST = env("AGENTCHAIN_REST", "http://127.0.0.1:1317").replace(/\/$/, "");
const PREFIX = "agent";
const DENOM = "uagnt";
const GAS_PRICE = GasPrice.fromString(process.env.AGENTCHAIN_GAS_PRICE ?? `0.0025${DENOM}`);
// Simulated gas times this pays for every tx with room to spare.
const GAS_ADJUSTMENT = 1.5;
const FUNDING = 50_000_000n; // 50 AGNT for the agent's deposit and gas
const PRICE = 2_000_000n; // 2 AGNT per job

const MODES = [
  {
    name: "DIRECT",
    signMode: "SIGN_MODE_DIRECT",
    wallet: DirectSecp256k1HdWallet,
    clientMnemonic: env("AGENTCHAIN_DIRECT_CLIENT_MNEMONIC"),
  },
  {
    name: "AMINO",
    signMode: "SIGN_MODE_LEGACY_AMINO_JSON",
    wallet: Secp256k1HdWallet,
    clientMnemonic: env("AGENTCHAIN_AMINO_CLIENT_MNEMONIC"),
  },
];

const log = (...args) => console.log(...args);
const sha256 = (s) => new Uint8Array(createHash("sha256").update(s).digest());

class CheckError extends Error {}

const show = (v) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

function check(cond, what, detail) {
  if (!cond) throw new CheckError(`check failed: ${what}${detail === undefined ? "" : `: ${show(detail)}`}`);
  log(`    ok  ${what}`);
}

function checkEq(actual, expected, what) {
  check(actual === expected, `${what} = ${expected}`, { actual, expected });
}

async function rest(path) {
  const res = await fetch(REST + path);
  const body = await res.text();
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}: ${body}`);
  return JSON.parse(body);
}

// The types and converters every mode's client uses: the SDK's defaults plus
// every agentid and market Msg, loaded from the .proto files.
const root = loadProtos();
const ourTypes = [...msgTypes(root, "agentchain.agentid.v1"), ...msgTypes(root, "agentchain.market.v1")];
const registry = new Registry([...defaultRegistryTypes, ...ourTypes.map((t) => [typeUrl(t), registryType(t)])]);
const aminoTypes = new AminoTypes({
  ...createDefaultAminoConverters(),
  ...Object.fromEntries(ourTypes.map((t) => [typeUrl(t), aminoConverter(t)])),
});

/** Signer is one key with its own client, signing in one mode. */
class Signer {
  static async create(mode, wallet, label) {
    const [account] = await wallet.getAccounts();
    const stargate = await SigningStargateClient.connectWithSigner(RPC, wallet, {
      registry,
      aminoTypes,
      broadcastPollIntervalMs: 200,
      broadcastTimeoutMs: 30_000,
    });
    return new Signer(mode, stargate, account.address, label);
  }

  constructor(mode, stargate, address, label) {
    Object.assign(this, { mode, stargate, address, label });
  }

  async balance() {
    return BigInt((await this.stargate.getBalance(this.address, DENOM)).amount);
  }

  // send signs msgs in this signer's mode, broadcasts them, waits for the
  // block, checks that the tx succeeded and was signed in the expected mode,
  // and returns the result with the fee paid and the decoded msg responses.
  async send(step, msgs) {
    const encodeObjects = msgs.map(([type, value]) => ({ typeUrl: type, value }));
    const memo = `cosmjs ${this.mode.name.toLowerCase()}: ${step}`;
    log(`\n[${this.mode.name}] ${step} (${this.label} signs ${msgs.map(([t]) => t).join(", ")})`);
    if (this.mode.name === "AMINO") {
      for (const m of encodeObjects) log(`    amino ${JSON.stringify(aminoTypes.toAmino(m))}`);
    }
    const gas = await this.stargate.simulate(this.address, encodeObjects, memo);
    const fee = calculateFee(Math.ceil(gas * GAS_ADJUSTMENT), GAS_PRICE);
    const res = await this.stargate.signAndBroadcast(this.address, encodeObjects, fee, memo);
    log(`    tx ${res.transactionHash} height ${res.height} code ${res.code} gas ${res.gasUsed}/${res.gasWanted}`);
    if (res.code !== 0) throw new CheckError(`${step}: tx failed with code ${res.code}: ${res.rawLog}`);
    const tx = await rest(`/cosmos/tx/v1beta1/txs/${res.transactionHash}`);
    checkEq(tx.tx.auth_info.signer_infos[0].mode_info.single.mode, this.mode.signMode, "sign mode of the included tx");
    const responses = res.msgResponses.map((r) => decodeMsgResponse(root, r));
    return { res, fee: BigInt(fee.amount[0].amount), responses };
  }
}

const MSG = {
  send: "/cosmos.bank.v1beta1.MsgSend",
  register: "/agentchain.agentid.v1.MsgRegisterAgent",
  createListing: "/agentchain.market.v1.MsgCreateListing",
  hire: "/agentchain.market.v1.MsgHire",
  accept: "/agentchain.market.v1.MsgAcceptJob",
  deliver: "/agentchain.market.v1.MsgDeliver",
  complete: "/agentchain.market.v1.MsgComplete",
};

async function job(id) {
  return (await rest(`/agentchain/market/v1/jobs/${id}`)).job;
}

async function runFlow(mode, suffix) {
  log(`\n======== ${mode.name}: ${mode.wallet.name}, ${mode.signMode} ========`);
  const clientWallet = await mode.wallet.fromMnemonic(mode.clientMnemonic, { prefix: PREFIX });
  const agentWallet = await mode.wallet.generate(24, { prefix: PREFIX });
  const client = await Signer.create(mode, clientWallet, "client");
  const agent = await Signer.create(mode, agentWallet, "agent");
  const name = `cosmjs-${mode.name.toLowerCase()}-${suffix}`;
  log(`client ${client.address}\nagent  ${agent.address} (name ${name})`);

  // 1. The client funds the agent's fresh key.
  {
    const before = await client.balance();
    const { fee } = await client.send("fund the agent key", [
      [MSG.send, { fromAddress: client.address, toAddress: agent.address, amount: [{ denom: DENOM, amount: FUNDING.toString() }] }],
    ]);
    checkEq(await agent.balance(), FUNDING, "agent balance");
    checkEq(await client.balance(), before - FUNDING - fee, "client balance after funding and fee");
  }

  // 2. The key registers itself as a self-owned agent (no key proof needed).
  const agentParams = (await rest("/agentchain/agentid/v1/params")).params;
  const cardHash = sha256(`card of ${name}`);
  let agentId;
  {
    const before = await agent.balance();
    const { fee, responses } = await agent.send("register the agent", [
      [
        MSG.register,
        {
          owner: agent.address,
          name,
          agent_address: agent.address,
          card_uri: `https://example.com/agents/${name}.json`,
          card_hash: cardHash,
          capabilities: ["Summarize"],
          endpoints: [{ protocol: "a2a", url: `https://example.com/a2a/${name}` }],
        },
      ],
    ]);
    agentId = responses[0].id;
    check(BigInt(agentId) > 0n, `MsgRegisterAgentResponse.id ${agentId} is set`);
    const byName = await rest(`/agentchain/agentid/v1/agent_by_name/${name}`);
    checkEq(byName.agent.id, agentId, "agent id by name");
    checkEq(byName.agent.owner, agent.address, "agent owner");
    checkEq(byName.agent.agent_address, agent.address, "agent address");
    checkEq(byName.agent.status, "AGENT_STATUS_ACTIVE", "agent status");
    checkEq(byName.agent.capabilities.join(","), "summarize", "agent capabilities (normalized)");
    checkEq(byName.agent.card_hash, Buffer.from(cardHash).toString("base64"), "agent card hash");
    checkEq(byName.agent.endpoints.length, 1, "agent endpoint count");
    checkEq(byName.payout_address, agent.address, "agent payout address");
    const deposit = BigInt(agentParams.registration_deposit.amount);
    checkEq(await agent.balance(), before - deposit - fee, "agent balance after deposit and fee");
  }

  // 3. The agent lists a service.
  let listingId;
  {
    const { responses } = await agent.send("create a listing", [
      [
        MSG.createListing,
        {
          signer: agent.address,
          provider: agentId,
          capability: "summarize",
          title: `Summaries by ${name}`,
          terms_uri: "https://example.com/terms?lang=en&format=md",
          terms_hash: sha256("terms"),
          price: { denom: DENOM, amount: PRICE.toString() },
          max_duration_blocks: "1000",
          review_window_blocks: "20",
        },
      ],
    ]);
    listingId = responses[0].id;
    const { listing } = await rest(`/agentchain/market/v1/listings/${listingId}`);
    checkEq(listing.provider, agentId, "listing provider");
    checkEq(listing.status, "LISTING_STATUS_ACTIVE", "listing status");
    checkEq(`${listing.price.amount}${listing.price.denom}`, `${PRICE}${DENOM}`, "listing price");
    checkEq(listing.max_duration_blocks, "1000", "listing max duration");
  }

  // 4. The client hires the listing: the price goes into escrow.
  let jobId;
  {
    const before = await client.balance();
    const deliverBy = (await client.stargate.getHeight()) + 500;
    const specHash = sha256(`spec for ${name}`);
    const { fee, responses } = await client.send("hire the listing", [
      [
        MSG.hire,
        {
          client: client.address,
          listing_id: listingId,
          spec_uri: "https://example.com/spec?job=summarize&lang=en",
          spec_hash: specHash,
          deliver_by: deliverBy.toString(),
        },
      ],
    ]);
    jobId = responses[0].job_id;
    const j = await job(jobId);
    checkEq(j.status, "JOB_STATUS_FUNDED", "job status");
    checkEq(j.client, client.address, "job client");
    checkEq(j.provider, agentId, "job provider");
    checkEq(j.listing_id, listingId, "job listing");
    checkEq(j.provider_payout, agent.address, "job provider payout address");
    checkEq(j.deliver_by, deliverBy.toString(), "job deliver_by");
    checkEq(j.spec_hash, Buffer.from(specHash).toString("base64"), "job spec hash");
    checkEq(`${j.price.amount}${j.price.denom}`, `${PRICE}${DENOM}`, "job price");
    checkEq(await client.balance(), before - PRICE - fee, "client balance after price and fee");
  }

  // 5. The agent accepts the job.
  await agent.send("accept the job", [[MSG.accept, { signer: agent.address, job_id: jobId }]]);
  checkEq((await job(jobId)).status, "JOB_STATUS_IN_PROGRESS", "job status");

  // 6. The agent delivers milestone 0 (a zero uint32 is left out of amino JSON).
  const resultHash = sha256(`result for ${name}`);
  {
    await agent.send("deliver milestone 0", [
      [
        MSG.deliver,
        {
          signer: agent.address,
          job_id: jobId,
          milestone: 0,
          result_uri: `https://example.com/results/${name}`,
          result_hash: resultHash,
        },
      ],
    ]);
    const j = await job(jobId);
    checkEq(j.status, "JOB_STATUS_DELIVERED", "job status");
    checkEq(j.milestones[0].result_uri, `https://example.com/results/${name}`, "milestone 0 result uri");
    checkEq(j.milestones[0].result_hash, Buffer.from(resultHash).toString("base64"), "milestone 0 result hash");
  }

  // 7. The client completes: the escrow pays the agent, less the take.
  {
    const marketParams = (await rest("/agentchain/market/v1/params")).params;
    const take = (PRICE * BigInt(marketParams.take_rate_bps) + 9_999n) / 10_000n; // rounded up
    const before = await agent.balance();
    await client.send("complete milestone 0", [[MSG.complete, { client: client.address, job_id: jobId, milestone: 0 }]]);
    const j = await job(jobId);
    checkEq(j.status, "JOB_STATUS_COMPLETED", "job status");
    const paid = j.provider_paid.filter((c) => c.denom === DENOM).reduce((s, c) => s + BigInt(c.amount), 0n);
    const taken = j.take_paid.filter((c) => c.denom === DENOM).reduce((s, c) => s + BigInt(c.amount), 0n);
    checkEq(taken, take, `take at ${marketParams.take_rate_bps} bps`);
    checkEq(paid, PRICE - take, "provider paid");
    const after = await agent.balance();
    check(after > before, `agent payout balance increased (${before} -> ${after})`);
    checkEq(after - before, paid, "agent payout balance increase");
  }

  for (const s of [client, agent]) s.stargate.disconnect();
  log(`\n[${mode.name}] flow passed: agent ${agentId} (${name}), listing ${listingId}, job ${jobId} completed`);
}

async function main() {
  if (process.env.AGENTCHAIN_CHAIN_ID) {
    const client = await SigningStargateClient.connectWithSigner(
      RPC,
      await DirectSecp256k1HdWallet.generate(12, { prefix: PREFIX }),
    );
    checkEq(await client.getChainId(), process.env.AGENTCHAIN_CHAIN_ID, "chain id of the node");
    client.disconnect();
  }
  const suffix = randomBytes(4).toString("hex");
  for (const mode of MODES) await runFlow(mode, suffix);
  log(`\nall flows passed (${MODES.map((m) => m.signMode).join(", ")})`);
}

main().catch((err) => {
  console.error(`\nFAILED: ${err instanceof CheckError ? err.message : err.stack ?? err}`);
  process.exit(1);
});
