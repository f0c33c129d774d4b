// A standard Cosmos wallet client (CosmJS) drives every message of
// agentchain's four modules, once with SIGN_MODE_DIRECT
// (DirectSecp256k1HdWallet) and once with SIGN_MODE_LEGACY_AMINO_JSON (the
// amino-only Secp256k1HdWallet), through @agentchain/client (ts/): its
// registry, its amino converters, its query clients and its event decoders.
// No proto file is read at run time.
//
// In each mode a client (a config.yml account) funds a fresh provider key,
// the key registers itself as an agent, the client registers an agent of its
// own with a key proof, and the two go through listings, jobs (completed,
// declined, cancelled, rejected and ruled on, settled by timer), purchases,
// requests and bids, subscriptions, escrows (released, refunded, disputed
// and ruled on, settled by timer), streams, feedback, attestations (carol,
// the devnet's arbiter, is the attester) and one governance proposal holding
// every module's MsgUpdateParams. Every tx is checked for its sign mode and
// its typed events, the state it changed is read back with the package's
// query clients, every query of the four modules is called at least once,
// and the run fails unless every message was sent in both modes. Any failed
// check exits non-zero. See README.md for the environment.

import { createHash, randomBytes } from "node:crypto";

import {
  agentchainTypes,
  aminoNames,
  agentid as agentidTx,
  createAgentchainAminoConverters,
  decodeEvents,
  escrow as escrowTx,
  market as marketTx,
  marketTypes,
  reputation as reputationTx,
  reputationTypes,
  setupAgentchainExtension,
  agentidTypes,
  escrowTypes,
  agentidQuery,
  escrowQuery,
  marketQuery,
  reputationQuery,
} from "@agentchain/client";
import { Secp256k1HdWallet, Secp256k1Wallet, rawSecp256k1PubkeyToRawAddress } from "@cosmjs/amino";
import { Random, Secp256k1, sha256 as cosmSha256 } from "@cosmjs/crypto";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing";
import {
  AminoTypes,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  calculateFee,
  createDefaultAminoConverters,
  defaultRegistryTypes,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckError, check, checkEq, log, show } from "./check.mjs";

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === "") throw new Error(`${name} is not set (see README.md)`);
  return v;
};

const RPC = env("AGENTCHAIN_RPC", "http://127.0.0.1:26657");
const PREFIX = "agent";
const DENOM = "uagnt";
const GAS_PRICE = GasPrice.fromString(process.env.AGENTCHAIN_GAS_PRICE ?? `0.0025${DENOM}`);
// Simulated gas times CosmJS's own "auto" multiplier: a simulation without a
// fee counts the fee's deduction too (app/ante.go), so this is enough.
const GAS_ADJUSTMENT = 1.4;
const FUNDING = 100_000_000n; // 100 AGNT for the provider's deposit, bids and gas
const PRICE = 2_000_000n; // 2 AGNT per job
const RATE = 1_000n; // per block, for subscriptions and streams
const GOV_V1_SUBMIT = "/cosmos.gov.v1.MsgSubmitProposal";

const MODES = [
  {
    name: "DIRECT",
    signMode: "SIGN_MODE_DIRECT",
    hdWallet: DirectSecp256k1HdWallet,
    keyWallet: DirectSecp256k1Wallet,
    clientMnemonic: env("AGENTCHAIN_DIRECT_CLIENT_MNEMONIC"),
  },
  {
    name: "AMINO",
    signMode: "SIGN_MODE_LEGACY_AMINO_JSON",
    hdWallet: Secp256k1HdWallet,
    keyWallet: Secp256k1Wallet,
    clientMnemonic: env("AGENTCHAIN_AMINO_CLIENT_MNEMONIC"),
  },
];
const ATTESTER_MNEMONIC = env("AGENTCHAIN_ATTESTER_MNEMONIC");

const sha256 = (s) => new Uint8Array(createHash("sha256").update(s).digest());

const coin = (amount, denom = DENOM) => ({ denom, amount: amount.toString() });
const sum = (coins) => (coins ?? []).filter((c) => c.denom === DENOM).reduce((s, c) => s + BigInt(c.amount), 0n);

// ---------------------------------------------------------------------------
// Types, converters and queries: all from @agentchain/client.

const agentchainConverters = createAgentchainAminoConverters();

// Governance v1's MsgSubmitProposal in amino JSON (CosmJS 0.39 ships none):
// its messages are Anys, which the chain's encoder writes as
// {"type": <amino name>, "value": <amino JSON>} of the packed message.
const codecs = new Map(agentchainTypes);
const govV1Converter = {
  aminoType: "cosmos-sdk/v1/MsgSubmitProposal",
  toAmino: (m) => {
    const out = {};
    if (m.messages?.length) {
      out.messages = m.messages.map((any) => {
        const codec = codecs.get(any.typeUrl);
        if (!codec) throw new Error(`no amino converter for a proposal's ${any.typeUrl}`);
        return { type: aminoNames[any.typeUrl], value: agentchainConverters[any.typeUrl].toAmino(codec.decode(any.value)) };
      });
    }
    out.initial_deposit = (m.initialDeposit ?? []).map((c) => ({ denom: c.denom, amount: c.amount === "" ? "0" : c.amount }));
    for (const [key, prop] of [["proposer", "proposer"], ["metadata", "metadata"], ["title", "title"], ["summary", "summary"]]) {
      if (m[prop]) out[key] = m[prop];
    }
    if (m.expedited) out.expedited = true;
    return out;
  },
  fromAmino: (j) => ({
    messages: (j.messages ?? []).map((a) => {
      const url = Object.keys(aminoNames).find((u) => aminoNames[u] === a.type);
      if (!url) throw new Error(`unknown amino type ${a.type} in a proposal`);
      return { typeUrl: url, value: codecs.get(url).encode(agentchainConverters[url].fromAmino(a.value)).finish() };
    }),
    initialDeposit: j.initial_deposit ?? [],
    proposer: j.proposer ?? "",
    metadata: j.metadata ?? "",
    title: j.title ?? "",
    summary: j.summary ?? "",
    expedited: j.expedited ?? false,
  }),
};

const registry = new Registry([...defaultRegistryTypes, ...agentchainTypes]);
const aminoTypes = new AminoTypes({
  ...createDefaultAminoConverters(),
  ...agentchainConverters,
  [GOV_V1_SUBMIT]: govV1Converter,
});

// Every query method of the four modules, and the ones called.
const QUERY_SERVICES = [agentidQuery, escrowQuery, marketQuery, reputationQuery].map((m) => ({
  service: m.QueryServiceName,
  methods: Object.getOwnPropertyNames(m.QueryClientImpl.prototype).filter((n) => n !== "constructor"),
}));
const queriesCalled = new Set();

let q; // the package's query clients, over a CosmJS QueryClient
async function connectQueries() {
  const comet = await connectComet(RPC);
  const base = new QueryClient(comet);
  // Record each query's service and method on its way to queryAbci.
  const recording = {
    queryAbci: (path, data, height) => {
      queriesCalled.add(path);
      return base.queryAbci(path, data, height);
    },
  };
  q = setupAgentchainExtension(recording).agentchain;
  return comet;
}

// ---------------------------------------------------------------------------
// Keys and signers.

/** A fresh secp256k1 key: its private key, compressed public key and address. */
async function freshKey() {
  const priv = Random.getBytes(32);
  const { pubkey } = await Secp256k1.makeKeypair(priv);
  const compressed = Secp256k1.compressPubkey(pubkey);
  return { priv, pub: compressed, address: toBech32(PREFIX, rawSecp256k1PubkeyToRawAddress(compressed)) };
}

/**
 * keyProof signs types.BindingDigest (x/agentid/types/binding.go) with the
 * agent key: sha256("agentchain/bind" | chain id | owner | agent | nonce),
 * each variable part with a 2-byte big-endian length, the nonce 8 bytes
 * big-endian. The chain verifies it as a secp256k1 signature of that digest
 * (hashed again with sha256), low-S, 64 bytes.
 */
async function keyProof(chainId, owner, key) {
  const nonce = (await q.agentid.BindingNonce({ address: key.address })).nonce + 1n;
  const parts = [new TextEncoder().encode("agentchain/bind")];
  for (const b of [new TextEncoder().encode(chainId), fromBech32(owner, 90).data, fromBech32(key.address, 90).data]) {
    parts.push(new Uint8Array([b.length >> 8, b.length & 0xff]), b);
  }
  const n = new Uint8Array(8);
  new DataView(n.buffer).setBigUint64(0, nonce);
  parts.push(n);
  const digest = cosmSha256(Buffer.concat(parts));
  const sig = await Secp256k1.createSignature(cosmSha256(digest), key.priv);
  return { pubKey: key.pub, nonce, signature: new Uint8Array([...sig.r(32), ...sig.s(32)]) };
}

/** Signer is one key with its own client, signing in one mode. */
class Signer {
  static async create(mode, wallet, label, sent) {
    const [account] = await wallet.getAccounts();
    const stargate = await SigningStargateClient.connectWithSigner(RPC, wallet, {
      registry,
      aminoTypes,
      broadcastPollIntervalMs: 100,
      broadcastTimeoutMs: 30_000,
    });
    return new Signer(mode, stargate, account.address, label, sent);
  }

  constructor(mode, stargate, address, label, sent) {
    Object.assign(this, { mode, stargate, address, label, sent });
  }

  async balance() {
    return BigInt((await this.stargate.getBalance(this.address, DENOM)).amount);
  }

  // send signs one message in this signer's mode, broadcasts it, waits for
  // the block, checks that the tx succeeded, was signed in the expected mode
  // and emitted `event` (decoded by the package), and returns the decoded
  // msg response, the fee and the typed events.
  async send(step, typeUrl, value, event) {
    const msgs = [{ typeUrl, value }];
    const memo = `cosmjs ${this.mode.name.toLowerCase()}: ${step}`;
    log(`\n[${this.mode.name}] ${step} (${this.label} signs ${typeUrl})`);
    if (this.mode.name === "AMINO") log(`    amino ${show(aminoTypes.toAmino(msgs[0]))}`);
    const gas = await this.stargate.simulate(this.address, msgs, memo);
    const fee = calculateFee(Math.ceil(gas * GAS_ADJUSTMENT), GAS_PRICE);
    const res = await this.stargate.signAndBroadcast(this.address, msgs, fee, memo);
    log(`    tx ${res.transactionHash} height ${res.height} code ${res.code} gas ${res.gasUsed}/${res.gasWanted}`);
    if (res.code !== 0) throw new CheckError(`${step}: tx failed with code ${res.code}: ${res.rawLog}`);
    const tx = await this.stargate.getTx(res.transactionHash);
    const authInfo = AuthInfo.decode(TxRaw.decode(tx.tx).authInfoBytes);
    checkEq(signModeName(authInfo.signerInfos[0].modeInfo.single.mode), this.mode.signMode, "sign mode of the included tx");
    const events = decodeEvents(res.events);
    if (event) check(events.some((e) => e.type === event), `typed event ${event} decoded`, events.map((e) => e.type));
    this.sent.add(typeUrl);
    const r = res.msgResponses[0];
    const responseType = r ? registryResponse(r.typeUrl) : undefined;
    return { res, fee: BigInt(fee.amount[0].amount), response: responseType ? responseType.decode(r.value) : undefined, events };
  }
}

/**
 * sendAtDueHeight sends a message that applies a timer due at `due` (the
 * Settle* messages). The chain's EndBlock applies due timers by itself at
 * that height, so the message only has work to do inside block `due`: it is
 * signed ahead (fixed gas: a simulation before the due height is refused),
 * broadcast as soon as block due-1 is committed, and must either succeed or,
 * when it lands after the EndBlock that applied the timer, be refused for
 * that (`late`: the module's code and a phrase of its log): a refusal by the
 * module that still proves the signature verified. A job's timer is applied
 * by the EndBlock of its deadline block and is due to a message only from
 * the next block, so MsgSettleJob succeeds only when that queue is backlogged
 * (more than max_timeouts_per_block due); here it is refused as late.
 */
Signer.prototype.sendAtDueHeight = async function (step, typeUrl, value, due, late) {
  const msgs = [{ typeUrl, value }];
  const memo = `cosmjs ${this.mode.name.toLowerCase()}: ${step}`;
  log(`\n[${this.mode.name}] ${step} (${this.label} signs ${typeUrl} for block ${due})`);
  if (this.mode.name === "AMINO") log(`    amino ${show(aminoTypes.toAmino(msgs[0]))}`);
  const signed = await this.stargate.sign(this.address, msgs, calculateFee(300_000, GAS_PRICE), memo);
  await waitHeight(this, due - 1, 20);
  const res = await this.stargate.broadcastTx(TxRaw.encode(signed).finish(), 30_000, 100);
  log(`    tx ${res.transactionHash} height ${res.height} code ${res.code} gas ${res.gasUsed}/${res.gasWanted}`);
  if (res.code !== 0) {
    const tx = await this.stargate.getTx(res.transactionHash);
    check(tx.code === late.code && tx.rawLog.includes(late.log), `landed after the timer was applied: refused with code ${late.code} (${late.log})`, tx.rawLog);
  } else {
    log("    ok  applied the due timer");
  }
  const authInfo = AuthInfo.decode(TxRaw.decode((await this.stargate.getTx(res.transactionHash)).tx).authInfoBytes);
  checkEq(signModeName(authInfo.signerInfos[0].modeInfo.single.mode), this.mode.signMode, "sign mode of the included tx");
  this.sent.add(typeUrl);
  return res;
};

function signModeName(mode) {
  return { 1: "SIGN_MODE_DIRECT", 127: "SIGN_MODE_LEGACY_AMINO_JSON" }[mode] ?? `mode ${mode}`;
}

const TX_MODULES = { "agentchain.agentid.v1": agentidTx, "agentchain.escrow.v1": escrowTx, "agentchain.market.v1": marketTx, "agentchain.reputation.v1": reputationTx };
function registryResponse(url) {
  const m = /^\/(agentchain\.\w+\.v1)\.(\w+)$/.exec(url);
  return m ? TX_MODULES[m[1]]?.[m[2]] : undefined;
}

async function waitHeight(signer, h, pollMs = 100) {
  for (let i = 0; i < 60_000 / pollMs; i++) {
    if ((await signer.stargate.getHeight()) >= h) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new CheckError(`height ${h} not reached`);
}

const T = {
  send: "/cosmos.bank.v1beta1.MsgSend",
  register: "/agentchain.agentid.v1.MsgRegisterAgent",
  updateAgent: "/agentchain.agentid.v1.MsgUpdateAgent",
  rotate: "/agentchain.agentid.v1.MsgRotateAgentKey",
  transfer: "/agentchain.agentid.v1.MsgTransferOwnership",
  setStatus: "/agentchain.agentid.v1.MsgSetAgentStatus",
  deactivate: "/agentchain.agentid.v1.MsgDeactivateAgent",
  spendPolicy: "/agentchain.agentid.v1.MsgSetSpendPolicy",
  attest: "/agentchain.agentid.v1.MsgAttest",
  revokeAttestation: "/agentchain.agentid.v1.MsgRevokeAttestation",
  createEscrow: "/agentchain.escrow.v1.MsgCreateEscrow",
  release: "/agentchain.escrow.v1.MsgRelease",
  refund: "/agentchain.escrow.v1.MsgRefund",
  openDispute: "/agentchain.escrow.v1.MsgOpenDispute",
  resolveDispute: "/agentchain.escrow.v1.MsgResolveDispute",
  settleEscrow: "/agentchain.escrow.v1.MsgSettleEscrow",
  openStream: "/agentchain.escrow.v1.MsgOpenStream",
  withdrawStream: "/agentchain.escrow.v1.MsgWithdrawStream",
  topUpStream: "/agentchain.escrow.v1.MsgTopUpStream",
  cancelStream: "/agentchain.escrow.v1.MsgCancelStream",
  closeStream: "/agentchain.escrow.v1.MsgCloseStream",
  createListing: "/agentchain.market.v1.MsgCreateListing",
  updateListing: "/agentchain.market.v1.MsgUpdateListing",
  setListingStatus: "/agentchain.market.v1.MsgSetListingStatus",
  hire: "/agentchain.market.v1.MsgHire",
  purchase: "/agentchain.market.v1.MsgPurchase",
  postRequest: "/agentchain.market.v1.MsgPostRequest",
  cancelRequest: "/agentchain.market.v1.MsgCancelRequest",
  placeBid: "/agentchain.market.v1.MsgPlaceBid",
  acceptBid: "/agentchain.market.v1.MsgAcceptBid",
  acceptJob: "/agentchain.market.v1.MsgAcceptJob",
  declineJob: "/agentchain.market.v1.MsgDeclineJob",
  cancelJob: "/agentchain.market.v1.MsgCancelJob",
  deliver: "/agentchain.market.v1.MsgDeliver",
  complete: "/agentchain.market.v1.MsgComplete",
  reject: "/agentchain.market.v1.MsgReject",
  resolve: "/agentchain.market.v1.MsgResolve",
  settleJob: "/agentchain.market.v1.MsgSettleJob",
  settleRequest: "/agentchain.market.v1.MsgSettleRequest",
  subscribe: "/agentchain.market.v1.MsgSubscribe",
  withdrawSub: "/agentchain.market.v1.MsgWithdrawSubscription",
  topUpSub: "/agentchain.market.v1.MsgTopUpSubscription",
  pauseSub: "/agentchain.market.v1.MsgPauseSubscription",
  resumeSub: "/agentchain.market.v1.MsgResumeSubscription",
  cancelSub: "/agentchain.market.v1.MsgCancelSubscription",
  submitFeedback: "/agentchain.reputation.v1.MsgSubmitFeedback",
  respondFeedback: "/agentchain.reputation.v1.MsgRespondFeedback",
  revokeFeedback: "/agentchain.reputation.v1.MsgRevokeFeedback",
};

const { JobStatus, ListingStatus, ListingBilling, RequestStatus } = marketTypes;
const { AgentStatus } = agentidTypes;
const { EscrowStatus, DisputeReason } = escrowTypes;
const { RaterRole } = reputationTypes;

const job = async (id) => (await q.market.Job({ id })).job;
const escrowOf = async (id) => (await q.escrow.Escrow({ id })).escrow;

// ---------------------------------------------------------------------------
// One mode: every message once (some more).

async function runFlow(mode, suffix, chainId, ids) {
  log(`\n======== ${mode.name}: ${mode.hdWallet.name}, ${mode.signMode} ========`);
  const sent = new Set();
  const client = await Signer.create(mode, await mode.hdWallet.fromMnemonic(mode.clientMnemonic, { prefix: PREFIX }), "client", sent);
  const attester = await Signer.create(mode, await mode.hdWallet.fromMnemonic(ATTESTER_MNEMONIC, { prefix: PREFIX }), "carol", sent);
  const providerKey = await freshKey();
  const provider = await Signer.create(mode, await mode.keyWallet.fromKey(providerKey.priv, PREFIX), "provider", sent);
  const name = `cosmjs-${mode.name.toLowerCase()}-${suffix}`;
  log(`client ${client.address}\nprovider ${provider.address} (name ${name})\ncarol ${attester.address}`);

  // --- agentid -------------------------------------------------------------
  await client.send("fund the provider key", T.send, { fromAddress: client.address, toAddress: provider.address, amount: [coin(FUNDING)] });
  checkEq(await provider.balance(), FUNDING, "provider balance");

  const agentParams = (await q.agentid.Params({})).params;
  const cardHash = sha256(`card of ${name}`);
  const before = await provider.balance();
  const reg = await provider.send("the provider registers itself", T.register, {
    owner: provider.address,
    name,
    agentAddress: provider.address,
    cardUri: `https://example.com/agents/${name}.json`,
    cardHash,
    capabilities: ["Summarize"],
    endpoints: [{ protocol: "a2a", url: `https://example.com/a2a/${name}` }],
  }, "agentchain.agentid.v1.EventAgentRegistered");
  const agentId = reg.response.id;
  check(agentId > 0n, `MsgRegisterAgentResponse.id ${agentId} is set`);
  {
    const byName = await q.agentid.AgentByName({ name });
    checkEq(byName.agent.id, agentId, "agent id by name");
    checkEq(byName.agent.owner, provider.address, "agent owner");
    checkEq(byName.agent.status, AgentStatus.AGENT_STATUS_ACTIVE, "agent status");
    checkEq(byName.agent.capabilities.join(","), "summarize", "capabilities (normalized)");
    checkEq(Buffer.from(byName.agent.cardHash).toString("hex"), Buffer.from(cardHash).toString("hex"), "card hash");
    checkEq(await provider.balance(), before - BigInt(agentParams.registrationDeposit.amount) - reg.fee, "provider balance after deposit and fee");
  }

  // The client registers an agent of its own, bound to a separate key.
  const boundKey = await freshKey();
  const clientAgentName = `${name}-own`;
  const own = await client.send("the client registers an agent with a key proof", T.register, {
    owner: client.address,
    name: clientAgentName,
    agentAddress: boundKey.address,
    proof: await keyProof(chainId, client.address, boundKey),
    capabilities: ["translate"],
  }, "agentchain.agentid.v1.EventAgentRegistered");
  const clientAgentId = own.response.id;
  checkEq((await q.agentid.AgentByAddress({ address: boundKey.address })).agent.id, clientAgentId, "agent by its bound address");

  await client.send("update the card", T.updateAgent, {
    owner: client.address,
    agentId: clientAgentId,
    cardUri: `https://example.com/agents/${clientAgentName}.json`,
    cardHash: sha256(clientAgentName),
    endpoints: [{ protocol: "mcp", url: "https://example.com/mcp" }],
  }, "agentchain.agentid.v1.EventAgentUpdated");
  checkEq((await q.agentid.Agent({ id: clientAgentId })).agent.endpoints[0].protocol, "mcp", "updated endpoint");

  const rotatedKey = await freshKey();
  await client.send("rotate the agent key", T.rotate, {
    owner: client.address,
    agentId: clientAgentId,
    newAgentAddress: rotatedKey.address,
    proof: await keyProof(chainId, client.address, rotatedKey),
  }, "agentchain.agentid.v1.EventAgentKeyRotated");
  checkEq((await q.agentid.Agent({ id: clientAgentId })).agent.agentAddress, rotatedKey.address, "agent address after rotation");

  await client.send("cap the agent's spending", T.spendPolicy, {
    owner: client.address, agentId: clientAgentId, denom: DENOM, cap: "5000000", windowBlocks: 100n,
  }, "agentchain.agentid.v1.EventSpendPolicySet");
  checkEq((await q.agentid.SpendPolicies({ agentId: clientAgentId })).policies[0]?.cap, "5000000", "spend cap");

  await attester.send("carol attests the provider", T.attest, {
    attester: attester.address, agentId, claimType: "kyc.basic", uri: "https://example.com/kyc", hash: sha256("kyc"),
  }, "agentchain.agentid.v1.EventAttested");
  checkEq((await q.agentid.Attestations({ agentId })).attestations.length, 1, "attestations of the provider");
  await attester.send("carol revokes it", T.revokeAttestation, { attester: attester.address, agentId, claimType: "kyc.basic" }, "agentchain.agentid.v1.EventAttestationRevoked");
  checkEq((await q.agentid.Attestations({ agentId })).attestations.length, 0, "attestations after the revocation");
  // and attests again, so the provider keeps one
  await attester.send("carol attests again", T.attest, {
    attester: attester.address, agentId, claimType: "kyc.basic", uri: "https://example.com/kyc", hash: sha256("kyc"),
  });

  // --- market: listings ----------------------------------------------------
  const listing = await provider.send("create a per-job listing", T.createListing, {
    signer: provider.address, provider: agentId, capability: "summarize", title: `Summaries by ${name}`,
    termsUri: "https://example.com/terms?lang=en", termsHash: sha256("terms"), price: coin(PRICE),
    maxDurationBlocks: 1000n, reviewWindowBlocks: 10n,
  }, "agentchain.market.v1.EventListingCreated");
  const listingId = listing.response.id;
  await provider.send("update the listing", T.updateListing, {
    signer: provider.address, listingId, title: `Fast summaries by ${name}`, price: coin(PRICE), maxDurationBlocks: 1000n, reviewWindowBlocks: 10n,
  }, "agentchain.market.v1.EventListingUpdated");
  checkEq((await q.market.Listing({ id: listingId })).listing.title, `Fast summaries by ${name}`, "listing title");
  await provider.send("pause the listing", T.setListingStatus, { signer: provider.address, listingId, status: ListingStatus.LISTING_STATUS_PAUSED }, "agentchain.market.v1.EventListingStatusChanged");
  checkEq((await q.market.Listing({ id: listingId })).listing.status, ListingStatus.LISTING_STATUS_PAUSED, "listing paused");
  await provider.send("resume the listing", T.setListingStatus, { signer: provider.address, listingId, status: ListingStatus.LISTING_STATUS_ACTIVE });

  const hire = async (label) => {
    const deliverBy = BigInt(await client.stargate.getHeight()) + 500n;
    const r = await client.send(label, T.hire, {
      client: client.address, listingId, specUri: "https://example.com/spec", specHash: sha256(`spec ${label}`), deliverBy,
      maxPrice: coin(PRICE), // the price as read: a raise meanwhile gets the hire refused
    }, "agentchain.market.v1.EventJobFunded");
    const id = r.response.jobId;
    checkEq((await job(id)).status, JobStatus.JOB_STATUS_FUNDED, `job ${id} funded`);
    return id;
  };
  const deliver = (id) =>
    provider.send(`deliver job ${id}`, T.deliver, {
      signer: provider.address, jobId: id, milestone: 0, resultUri: `https://example.com/results/${id}`, resultHash: sha256(`result ${id}`),
    }, "agentchain.market.v1.EventJobDelivered");

  // A job completed, then rated, answered and the rating withdrawn.
  const take = (PRICE * BigInt((await q.market.Params({})).params.takeRateBps) + 9_999n) / 10_000n; // rounded up
  const j1 = await hire("hire (to complete)");
  await provider.send("accept it", T.acceptJob, { signer: provider.address, jobId: j1 }, "agentchain.market.v1.EventJobAccepted");
  await deliver(j1);
  {
    const paidBefore = await provider.balance();
    await client.send("complete it", T.complete, { client: client.address, jobId: j1, milestone: 0 }, "agentchain.market.v1.EventJobCompleted");
    const j = await job(j1);
    checkEq(j.status, JobStatus.JOB_STATUS_COMPLETED, "job completed");
    checkEq(sum(j.takePaid), take, "take");
    checkEq((await provider.balance()) - paidBefore, PRICE - take, "provider paid the price less the take");
  }
  await client.send("rate the provider", T.submitFeedback, {
    rater: client.address, jobId: j1, score: 90, tags: ["fast"], commentUri: "https://example.com/c", commentHash: sha256("c"),
  }, "agentchain.reputation.v1.EventFeedbackSubmitted");
  checkEq((await q.reputation.Feedback({ jobId: j1, role: RaterRole.RATER_ROLE_CLIENT })).feedback.score, 90, "feedback score");
  await provider.send("answer the rating", T.respondFeedback, {
    responder: provider.address, jobId: j1, role: RaterRole.RATER_ROLE_CLIENT, responseUri: "https://example.com/r", responseHash: sha256("r"),
  }, "agentchain.reputation.v1.EventFeedbackResponded");
  await client.send("withdraw the rating", T.revokeFeedback, { rater: client.address, jobId: j1, role: RaterRole.RATER_ROLE_CLIENT }, "agentchain.reputation.v1.EventFeedbackRevoked");

  // Declined, cancelled.
  const j2 = await hire("hire (to be declined)");
  await provider.send("decline it", T.declineJob, { signer: provider.address, jobId: j2 }, "agentchain.market.v1.EventJobCancelled");
  checkEq((await job(j2)).status, JobStatus.JOB_STATUS_CANCELLED, "declined job cancelled");
  const j3 = await hire("hire (to be cancelled)");
  await client.send("cancel it", T.cancelJob, { client: client.address, jobId: j3 }, "agentchain.market.v1.EventJobCancelled");
  checkEq((await job(j3)).status, JobStatus.JOB_STATUS_CANCELLED, "cancelled job");

  // Rejected and ruled on by carol, the listing's (default) arbiter.
  const j4 = await hire("hire (to be disputed)");
  await provider.send("accept it", T.acceptJob, { signer: provider.address, jobId: j4 });
  await deliver(j4);
  await client.send("reject the delivery", T.reject, {
    client: client.address, jobId: j4, milestone: 0, reason: marketTypes.RejectReason.REJECT_REASON_LOW_QUALITY, evidenceHash: sha256("evidence"),
  }, "agentchain.market.v1.EventJobDisputed");
  checkEq((await job(j4)).status, JobStatus.JOB_STATUS_DISPUTED, "job disputed");
  await attester.send("carol rules 60/40", T.resolve, { signer: attester.address, jobId: j4, providerShareBps: 6000 }, "agentchain.market.v1.EventJobResolved");
  checkEq((await job(j4)).status, JobStatus.JOB_STATUS_RESOLVED, "job resolved");

  // Delivered and paid by the review window's timer.
  const j5 = await hire("hire (settled by timer)");
  await provider.send("accept it", T.acceptJob, { signer: provider.address, jobId: j5 });
  await deliver(j5);
  await client.sendAtDueHeight("settle it at the end of the review window", T.settleJob, { signer: client.address, jobId: j5 },
    Number((await job(j5)).deadline) + 1, { code: 34, log: "no timer of this job or request is due" });
  checkEq((await job(j5)).status, JobStatus.JOB_STATUS_COMPLETED, "job paid at the end of the review window");

  // Pay-per-call.
  const requestId = `cosmjs-${mode.name.toLowerCase()}-${suffix}`;
  const validUntil = BigInt(await client.stargate.getHeight()) + 50n;
  await client.send("buy one call", T.purchase, {
    client: client.address, listingId, calls: 1, amount: coin(PRICE), requestId, validUntilHeight: validUntil,
  }, "agentchain.market.v1.EventJobPurchased");
  const purchased = (await q.market.Purchase({ client: client.address, requestId })).job;
  checkEq(purchased.status, JobStatus.JOB_STATUS_COMPLETED, "the purchase is a completed job");
  checkEq(purchased.listingId, listingId, "the purchase's listing");

  // Requests for quote: one accepted, one cancelled, one expired.
  const post = async (label, deadline) => {
    const r = await client.send(label, T.postRequest, {
      client: client.address, capability: "summarize", specUri: "https://example.com/rfq", specHash: sha256(label), budget: coin(3_000_000n), bidDeadline: deadline,
    }, "agentchain.market.v1.EventRequestPosted");
    return r.response.requestId;
  };
  const h = BigInt(await client.stargate.getHeight());
  const r1 = await post("post a request", h + 300n);
  const bid = await provider.send("bid on it", T.placeBid, {
    signer: provider.address, requestId: r1, provider: agentId, price: coin(2_500_000n), deliveryBlocks: 200n, noteUri: "https://example.com/bid",
  }, "agentchain.market.v1.EventBidPlaced");
  const bids = (await q.market.Bids({ requestId: r1 })).bids;
  checkEq(bids.length, 1, "bids on the request");
  checkEq(bids[0].id, bid.response.bidId, "the bid's id");
  const accepted = await client.send("accept the bid", T.acceptBid, { client: client.address, requestId: r1, bidId: bid.response.bidId }, "agentchain.market.v1.EventBidAccepted");
  const j6 = accepted.response.jobId;
  checkEq((await job(j6)).status, JobStatus.JOB_STATUS_FUNDED, "the bid's job is funded");
  checkEq((await q.market.Request({ id: r1 })).request.status, RequestStatus.REQUEST_STATUS_ACCEPTED, "request accepted");
  const r2 = await post("post a request to cancel", h + 300n);
  await client.send("cancel the request", T.cancelRequest, { client: client.address, requestId: r2 }, "agentchain.market.v1.EventRequestClosed");
  checkEq((await q.market.Request({ id: r2 })).request.status, RequestStatus.REQUEST_STATUS_CANCELLED, "request cancelled");
  const r3 = await post("post a request that expires", BigInt(await client.stargate.getHeight()) + 6n);
  await client.sendAtDueHeight("settle it at its bid deadline", T.settleRequest, { signer: client.address, requestId: r3 },
    Number((await q.market.Request({ id: r3 })).request.bidDeadline), { code: 34, log: "no timer of this job or request is due" });
  checkEq((await q.market.Request({ id: r3 })).request.status, RequestStatus.REQUEST_STATUS_EXPIRED, "request expired");

  // A subscription to a per-block listing.
  const subListing = (await provider.send("create a per-block listing", T.createListing, {
    signer: provider.address, provider: agentId, capability: "monitor", title: "Monitoring", termsUri: "https://example.com/terms-monitor",
    termsHash: sha256("monitor"), price: coin(RATE), maxDurationBlocks: 10_000n, billing: ListingBilling.LISTING_BILLING_PER_BLOCK, minTermBlocks: 10n,
  })).response.id;
  const sub = await client.send("subscribe", T.subscribe, { client: client.address, listingId: subListing, rate: coin(RATE), termBlocks: 100n }, "agentchain.market.v1.EventSubscribed");
  const subJob = sub.response.jobId;
  await waitHeight(client, sub.res.height + 2);
  await provider.send("withdraw what accrued", T.withdrawSub, { signer: provider.address, jobId: subJob });
  await client.send("extend the subscription", T.topUpSub, { client: client.address, jobId: subJob, extraBlocks: 50n });
  await provider.send("pause it", T.pauseSub, { signer: provider.address, jobId: subJob }, "agentchain.market.v1.EventSubscriptionPaused");
  await provider.send("resume it", T.resumeSub, { signer: provider.address, jobId: subJob });
  await client.send("end it", T.cancelSub, { signer: client.address, jobId: subJob }, "agentchain.market.v1.EventSubscriptionEnded");
  check((await job(subJob)).status !== JobStatus.JOB_STATUS_FUNDED && (await job(subJob)).status !== JobStatus.JOB_STATUS_IN_PROGRESS, "the subscription ended");

  // --- escrow ----------------------------------------------------------------
  const create = async (label, amount, expiresHeight) =>
    (await client.send(label, T.createEscrow, {
      payer: client.address, payee: provider.address, amount: [coin(amount)], arbiter: attester.address, expiresHeight, reference: `${name} ${label}`,
    }, "agentchain.escrow.v1.EventEscrowCreated")).response.id;
  const e1 = await create("lock 3 AGNT", 3_000_000n, BigInt(await client.stargate.getHeight()) + 500n);
  await client.send("release 1 AGNT", T.release, { payer: client.address, escrowId: e1, amount: [coin(1_000_000n)] }, "agentchain.escrow.v1.EventEscrowReleased");
  await provider.send("the payee refunds 0.5 AGNT", T.refund, { signer: provider.address, escrowId: e1, amount: [coin(500_000n)] }, "agentchain.escrow.v1.EventEscrowRefunded");
  {
    const e = await escrowOf(e1);
    checkEq(sum(e.amount) - sum(e.released) - sum(e.refunded), 1_500_000n, "escrow remaining");
  }
  await client.send("dispute the rest", T.openDispute, { signer: client.address, escrowId: e1, reason: DisputeReason.DISPUTE_REASON_NOT_AS_AGREED, evidenceHash: sha256("e") }, "agentchain.escrow.v1.EventEscrowDisputed");
  await attester.send("carol splits it", T.resolveDispute, { signer: attester.address, escrowId: e1, payeeShareBps: 5000 }, "agentchain.escrow.v1.EventEscrowResolved");
  checkEq((await escrowOf(e1)).status, EscrowStatus.ESCROW_STATUS_CLOSED, "disputed escrow closed by the ruling");
  const e2 = await create("lock 1 AGNT briefly", 1_000_000n, BigInt(await client.stargate.getHeight()) + 6n);
  await client.sendAtDueHeight("settle it at its expiry", T.settleEscrow, { signer: client.address, escrowId: e2 },
    Number((await escrowOf(e2)).expiresHeight), { code: 27, log: "with no timer running" });
  {
    const e = await escrowOf(e2);
    checkEq(e.status, EscrowStatus.ESCROW_STATUS_CLOSED, "expired escrow closed");
    checkEq(sum(e.refunded), 1_000_000n, "expired escrow refunded");
  }

  const open = async (label, endHeight) =>
    (await client.send(label, T.openStream, {
      payer: client.address, payee: provider.address, rate: coin(RATE), periodBlocks: 1n, deposit: coin(RATE * 100n), endHeight, reference: label,
    }, "agentchain.escrow.v1.EventStreamOpened")).response.id;
  const s1 = await open("open a stream", 0n);
  await waitHeight(client, Number(await client.stargate.getHeight()) + 2);
  await provider.send("withdraw from it", T.withdrawStream, { payee: provider.address, streamId: s1 }, "agentchain.escrow.v1.EventStreamWithdrawn");
  await client.send("top it up", T.topUpStream, { payer: client.address, streamId: s1, amount: coin(RATE * 10n) }, "agentchain.escrow.v1.EventStreamToppedUp");
  await client.send("cancel it", T.cancelStream, { signer: client.address, streamId: s1 }, "agentchain.escrow.v1.EventStreamCancelled");
  const endAt = BigInt(await client.stargate.getHeight()) + 4n;
  const s2 = await open("open a short stream", endAt);
  await waitHeight(client, Number(endAt) + 1);
  await client.send("close it after its end", T.closeStream, { signer: client.address, streamId: s2 });

  // --- agentid: the client's agent is suspended, handed over and retired ----
  await client.send("suspend the client's agent", T.setStatus, { owner: client.address, agentId: clientAgentId, status: AgentStatus.AGENT_STATUS_SUSPENDED }, "agentchain.agentid.v1.EventAgentStatusChanged");
  checkEq((await q.agentid.Agent({ id: clientAgentId })).agent.status, AgentStatus.AGENT_STATUS_SUSPENDED, "agent suspended");
  await client.send("hand it to the provider", T.transfer, { owner: client.address, agentId: clientAgentId, newOwner: provider.address }, "agentchain.agentid.v1.EventOwnershipTransferred");
  checkEq((await q.agentid.Agent({ id: clientAgentId })).agent.owner, provider.address, "new owner");
  await provider.send("the new owner retires it", T.deactivate, { owner: provider.address, agentId: clientAgentId }, "agentchain.agentid.v1.EventAgentDeactivated");
  checkEq((await q.agentid.Agent({ id: clientAgentId })).agent.status, AgentStatus.AGENT_STATUS_DEACTIVATED, "agent deactivated");

  // --- governance: every module's MsgUpdateParams, as a proposal -------------
  // The gov module's account: the first 20 bytes of sha256("gov").
  const authority = toBech32(PREFIX, cosmSha256(new TextEncoder().encode("gov")).slice(0, 20));
  const updates = [
    ["/agentchain.agentid.v1.MsgUpdateParams", (await q.agentid.Params({})).params],
    ["/agentchain.escrow.v1.MsgUpdateParams", (await q.escrow.Params({})).params],
    ["/agentchain.market.v1.MsgUpdateParams", (await q.market.Params({})).params],
    ["/agentchain.reputation.v1.MsgUpdateParams", (await q.reputation.Params({})).params],
  ];
  const prop = await client.send("propose every module's current params", GOV_V1_SUBMIT, {
    messages: updates.map(([url, params]) => ({ typeUrl: url, value: codecs.get(url).encode(codecs.get(url).fromPartial({ authority, params })).finish() })),
    initialDeposit: [coin(1_000_000n)],
    proposer: client.address,
    title: `params (${mode.name})`,
    summary: "The current parameters of agentid, escrow, market and reputation, unchanged.",
  });
  for (const [url] of updates) sent.add(url);
  check(prop.res.events.some((e) => e.type === "submit_proposal"), "proposal submitted");

  for (const s of [client, provider, attester]) s.stargate.disconnect();
  Object.assign(ids, { agentId, clientAgentId, listingId, subListing, j1, j4, j6, r1, e1, s1, provider: provider.address, client: client.address, requestId, name });
  return sent;
}

// ---------------------------------------------------------------------------
// Every query once.

async function runQueries(ids) {
  log("\n======== queries ========");
  // Newest first: the network may hold earlier runs' records.
  const page = { limit: 100n, reverse: true };
  const calls = [
    ["agentid Agent", () => q.agentid.Agent({ id: ids.agentId })],
    ["agentid AgentByName", () => q.agentid.AgentByName({ name: ids.name })],
    ["agentid AgentByAddress", () => q.agentid.AgentByAddress({ address: ids.provider })],
    ["agentid Agents", () => q.agentid.Agents({ pagination: page })],
    ["agentid AgentsByOwner", () => q.agentid.AgentsByOwner({ owner: ids.provider, pagination: page })],
    ["agentid AgentsByCapability", () => q.agentid.AgentsByCapability({ capability: "summarize", pagination: page })],
    ["agentid Attestations", () => q.agentid.Attestations({ agentId: ids.agentId })],
    ["agentid SpendPolicies", () => q.agentid.SpendPolicies({ agentId: ids.clientAgentId })],
    ["agentid BindingNonce", () => q.agentid.BindingNonce({ address: ids.provider })],
    ["agentid Invariants", () => q.agentid.Invariants({})],
    ["agentid Params", () => q.agentid.Params({})],
    ["escrow Escrow", () => q.escrow.Escrow({ id: ids.e1 })],
    ["escrow EscrowsByPayer", () => q.escrow.EscrowsByPayer({ payer: ids.client, pagination: page })],
    ["escrow EscrowsByPayee", () => q.escrow.EscrowsByPayee({ payee: ids.provider, pagination: page })],
    ["escrow EscrowsByStatus", () => q.escrow.EscrowsByStatus({ status: EscrowStatus.ESCROW_STATUS_CLOSED, pagination: page })],
    ["escrow TotalHeld", () => q.escrow.TotalHeld({})],
    ["escrow Conservation", () => q.escrow.Conservation({})],
    ["escrow Invariants", () => q.escrow.Invariants({})],
    ["escrow Stream", () => q.escrow.Stream({ id: ids.s1 })],
    ["escrow StreamsByPayer", () => q.escrow.StreamsByPayer({ payer: ids.client, pagination: page })],
    ["escrow StreamsByPayee", () => q.escrow.StreamsByPayee({ payee: ids.provider, pagination: page })],
    ["escrow Params", () => q.escrow.Params({})],
    ["market Listing", () => q.market.Listing({ id: ids.listingId })],
    ["market ListingsByCapability", () => q.market.ListingsByCapability({ capability: "summarize", pagination: page })],
    ["market ListingsByProvider", () => q.market.ListingsByProvider({ provider: ids.agentId, pagination: page })],
    ["market Request", () => q.market.Request({ id: ids.r1 })],
    ["market OpenRequestsByCapability", () => q.market.OpenRequestsByCapability({ capability: "summarize", pagination: page })],
    ["market Bids", () => q.market.Bids({ requestId: ids.r1 })],
    ["market Job", () => q.market.Job({ id: ids.j1 })],
    ["market Purchase", () => q.market.Purchase({ client: ids.client, requestId: ids.requestId })],
    ["market JobsByClient", () => q.market.JobsByClient({ client: ids.client, pagination: page })],
    ["market JobsByProvider", () => q.market.JobsByProvider({ provider: ids.agentId, pagination: page })],
    ["market JobsByClientAgent", () => q.market.JobsByClientAgent({ clientAgent: ids.clientAgentId, pagination: page })],
    ["market JobsByStatus", () => q.market.JobsByStatus({ status: JobStatus.JOB_STATUS_RESOLVED, pagination: page })],
    ["market JobChildren", () => q.market.JobChildren({ jobId: ids.j1, pagination: page })],
    ["market Invariants", () => q.market.Invariants({})],
    ["market Params", () => q.market.Params({})],
    ["reputation Reputation", () => q.reputation.Reputation({ agentId: ids.agentId, capability: "summarize" })],
    ["reputation Feedback", () => q.reputation.Feedback({ jobId: ids.j1, role: RaterRole.RATER_ROLE_CLIENT })],
    ["reputation FeedbackReceived", () => q.reputation.FeedbackReceived({ agentId: ids.agentId, pagination: page })],
    ["reputation FeedbackGiven", () => q.reputation.FeedbackGiven({ agentId: ids.agentId, pagination: page })],
    ["reputation TopAgents", () => q.reputation.TopAgents({ capability: "summarize", limit: 10 })],
    ["reputation Invariants", () => q.reputation.Invariants({})],
    ["reputation Params", () => q.reputation.Params({})],
  ];
  const results = {};
  for (const [label, call] of calls) {
    results[label] = await call();
    log(`    ok  ${label}`);
  }
  // A few answers, against what the flows did.
  checkEq(results["agentid Agent"].agent.name, ids.name, "Agent.name");
  check(results["market JobsByStatus"].jobs.some((j) => j.id === ids.j4), "the ruled job is listed as RESOLVED", results["market JobsByStatus"].jobs.map((j) => j.id));
  check(results["market ListingsByProvider"].listings.some((l) => l.id === ids.listingId), "the listing is listed by its provider");
  check(results["escrow StreamsByPayer"].streams.some((s) => s.stream.id === ids.s1), "the stream is listed by its payer");
  {
    // The client's rating of j1 was withdrawn; the dispute's ruling (j4) counts.
    const fb = results["reputation Feedback"].feedback;
    checkEq(fb.score, 90, "the withdrawn feedback is still readable with its score");
    const received = results["reputation FeedbackReceived"].feedback.map((f) => f.jobId);
    check(received.includes(ids.j4), "the ruled job's feedback is received by the provider", received);
    check(results["reputation TopAgents"].agents !== undefined, "top agents answered");
  }
  for (const label of ["agentid Invariants", "escrow Invariants", "market Invariants", "reputation Invariants"]) {
    check(results[label].checked.length > 0 && results[label].broken.length === 0, `${label}: ${results[label].checked.length} checked, none broken`, results[label]);
  }
  // Every method of every query service was called.
  const missing = [];
  for (const { service, methods } of QUERY_SERVICES) {
    for (const m of methods) if (!queriesCalled.has(`/${service}/${m}`)) missing.push(`${service}/${m}`);
  }
  check(missing.length === 0, `every query of the four modules was called (${queriesCalled.size} paths)`, missing);
}

async function main() {
  const comet = await connectQueries();
  const status = await comet.status();
  const chainId = status.nodeInfo.network;
  if (process.env.AGENTCHAIN_CHAIN_ID) checkEq(chainId, process.env.AGENTCHAIN_CHAIN_ID, "chain id of the node");
  const suffix = randomBytes(4).toString("hex");
  const all = agentchainTypes.map(([url]) => url).sort();
  const ids = {};
  for (const mode of MODES) {
    const sent = await runFlow(mode, suffix, chainId, ids);
    const missing = all.filter((u) => !sent.has(u));
    check(missing.length === 0, `[${mode.name}] every agentchain message was signed in ${mode.signMode} (${all.length})`, missing);
  }
  await runQueries(ids);
  comet.disconnect();
  log(`\nall flows passed (${MODES.map((m) => m.signMode).join(", ")}): ${all.length} messages in each, every query`);
}

main().catch((err) => {
  console.error(`\nFAILED: ${err instanceof CheckError ? err.message : err.stack ?? err}`);
  process.exit(1);
});
