// agentchain dashboard: a read-only single-page app over a node's REST API
// (through the dashboard's /api proxy) and CometBFT RPC (/rpc, with the
// /rpc/websocket event subscription). Plain JavaScript, no build step.
//
// Numbers: the REST gateway sends every 64-bit integer as a decimal string.
// They stay strings, and any arithmetic on them is BigInt: a uint64 never
// passes through a float. Only pixel positions in the chart are floats.
//
// Chain data never becomes markup: every node is built with h() and text.
'use strict';

(() => {
  // ---- DOM ----------------------------------------------------------------

  // h builds an element: h('a', {href: '#/'}, 'text', otherNode). Attribute
  // values and children are set as text; null and false children are skipped.
  function h(tag, attrs, ...kids) {
    const el = tag.startsWith('svg:')
      ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
      : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, kids);
    return el;
  }
  function append(el, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      el.append(k instanceof Node ? k : String(k));
    }
  }
  const $ = (sel) => document.querySelector(sel);

  // ---- numbers and values ---------------------------------------------------

  function big(s) {
    try {
      return BigInt(s === undefined || s === null || s === '' ? 0 : s);
    } catch {
      return 0n;
    }
  }
  const isZero = (s) => big(s) === 0n;
  // decimals cuts a decimal string (a cosmos.Dec) to n places, as text.
  function decimals(s, n) {
    const [whole, frac = ''] = String(s).split('.');
    const f = frac.slice(0, n).replace(/0+$/, '');
    return f ? whole + '.' + f : whole;
  }
  // group writes a non-negative integer string with thousands separators.
  function group(s) {
    const t = big(s).toString();
    return t.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  // By the chain's convention a "u" denom is 10^-6 of its display unit
  // (uagnt: AGNT, ustable: STABLE); other denoms show in base units.
  function coinText(amount, denom) {
    if (/^u[a-z]{2,}$/.test(denom)) {
      const a = big(amount);
      const whole = a / 1000000n;
      let frac = (a % 1000000n).toString().padStart(6, '0').replace(/0+$/, '');
      return group(whole.toString()) + (frac ? '.' + frac : '') + ' ' + denom.slice(1).toUpperCase();
    }
    return group(amount) + ' ' + denom;
  }
  // coin renders one coin as <data value="1960000uagnt">1.96 AGNT</data>.
  function coin(c) {
    if (!c || !c.denom) return h('span', {class: 'muted'}, '—');
    return h('data', {value: big(c.amount).toString() + c.denom, title: big(c.amount).toString() + c.denom}, coinText(c.amount, c.denom));
  }
  function coins(list) {
    const cs = (list || []).filter((c) => c && c.denom);
    if (cs.length === 0) return h('span', {class: 'muted', 'data-empty': ''}, 'none');
    return h('span', {}, cs.map((c, i) => [i ? ', ' : '', coin(c)]));
  }
  // b64hex turns a protobuf bytes field (base64 in JSON) into hex.
  function b64hex(b64) {
    if (!b64) return '';
    try {
      const bin = atob(b64);
      let out = '';
      for (let i = 0; i < bin.length; i++) out += bin.charCodeAt(i).toString(16).padStart(2, '0');
      return out;
    } catch {
      return '';
    }
  }
  const hash = (b64) => {
    const x = b64hex(b64);
    return x ? h('code', {class: 'hash'}, x) : h('span', {class: 'muted'}, '—');
  };
  const height = (s) => (isZero(s) ? h('span', {class: 'muted'}, '—') : h('span', {'data-height': big(s).toString()}, group(s)));
  const short = (s) => s.replace(/^(JOB|AGENT|LISTING|REQUEST|ESCROW|STREAM|RATER_ROLE|DISPUTE_REASON|REJECT_REASON|LISTING_BILLING)_(STATUS_)?/, '');
  const status = (s) => h('span', {class: 'badge', 'data-status': s || ''}, short(s || 'UNSPECIFIED').replace(/_/g, ' ').toLowerCase());
  const uri = (u) => (u ? (/^https?:\/\//.test(u) ? h('a', {href: u, rel: 'noopener noreferrer'}, u) : h('code', {}, u)) : h('span', {class: 'muted'}, '—'));
  const addr = (a) => (a ? h('a', {href: '#/account/' + a, class: 'hash'}, a) : h('span', {class: 'muted'}, '—'));
  const jobLink = (id) => h('a', {href: '#/job/' + id}, 'job #' + id);
  const perBlocks = (n) => (big(n) === 1n ? ' per block' : ' per ' + group(n) + ' blocks');
  const bps = (n) => (Number(n) / 100).toFixed(2).replace(/\.?0+$/, '') + ' %';

  // ---- node access ----------------------------------------------------------

  class HTTPError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }
  // api GETs a REST path through the proxy; opts.height asks for the state
  // at a past height (the gateway's x-cosmos-block-height header).
  async function api(path, opts = {}) {
    const headers = {Accept: 'application/json'};
    if (opts.height) headers['x-cosmos-block-height'] = String(opts.height);
    const res = await fetch('/api' + path, {headers});
    const text = await res.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (!res.ok) throw new HTTPError(res.status, (body && body.message) || text || res.statusText);
    return body;
  }
  // apiOr is api with a fallback for a missing record (404, or the gRPC
  // NotFound the gateway reports as 404): pruned escrows, for instance.
  async function apiOr(path, fallback) {
    try {
      return await api(path);
    } catch (e) {
      if (e.status === 404) return fallback;
      throw e;
    }
  }
  // list reads up to pages pages of 100 of a paginated list.
  async function list(path, field, pages = 5) {
    const out = [];
    let key = '';
    for (let i = 0; i < pages; i++) {
      const sep = path.includes('?') ? '&' : '?';
      const body = await api(path + sep + 'pagination.limit=100' + (key ? '&pagination.key=' + encodeURIComponent(key) : ''));
      out.push(...(body[field] || []));
      key = body.pagination && body.pagination.next_key;
      if (!key) return {items: out, more: false};
    }
    return {items: out, more: true};
  }
  async function rpc(method, params = {}) {
    const q = new URLSearchParams(params).toString();
    const res = await fetch('/rpc/' + method + (q ? '?' + q : ''), {headers: {Accept: 'application/json'}});
    const body = await res.json().catch(() => null);
    if (!res.ok || !body || body.error) {
      throw new HTTPError(res.status, (body && body.error && (body.error.data || body.error.message)) || res.statusText);
    }
    return body.result;
  }

  // Agent names by id, asked once per page load (names never change).
  const names = new Map();
  function agentName(id) {
    if (!names.has(id)) {
      names.set(id, api('/agentchain/agentid/v1/agents/' + id).then((r) => r.agent.name, () => null));
    }
    return names.get(id);
  }
  async function agentLink(id) {
    if (isZero(id)) return h('span', {class: 'muted'}, '—');
    const name = await agentName(id);
    return h('a', {href: '#/agent/' + id, 'data-agent-link': id}, name ? name + ' (#' + id + ')' : '#' + id);
  }

  // ---- building blocks ------------------------------------------------------

  function kv(pairs) {
    return h('dl', {class: 'kv'}, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  }
  function table(caption, head, rows, attrs = {}) {
    if (rows.length === 0) return h('p', {class: 'muted'}, 'No ' + caption.toLowerCase() + '.');
    return h('div', {class: 'table-wrap'},
      h('table', attrs,
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, head.map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, rows)));
  }
  function section(title, ...body) {
    const id = 'sec-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return h('section', {'aria-labelledby': id}, h('h2', {id}, title), body);
  }
  // searchForm builds a GET-like form whose fields become the route's query.
  function searchForm(route, fields, query, label) {
    const form = h('form', {class: 'search', role: 'search', 'aria-label': label},
      fields.map((f) => {
        const id = 'f-' + f.name;
        const input = f.options
          ? h('select', {id, name: f.name}, f.options.map(([v, t]) => h('option', {value: v, selected: (query.get(f.name) || '') === v}, t)))
          : h('input', {id, name: f.name, type: 'search', value: query.get(f.name) || '', placeholder: f.placeholder || '', autocomplete: 'off', spellcheck: 'false'});
        return h('label', {for: id}, f.label, input);
      }),
      h('button', {type: 'submit'}, 'Show'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const f of fields) {
        const v = form.elements[f.name].value.trim();
        if (v) q.set(f.name, v);
      }
      const s = q.toString();
      location.hash = '#' + route + (s ? '?' + s : '');
    });
    return form;
  }
  // capabilityLinks lists the capabilities the first agents declare.
  async function capabilityLinks(route) {
    const body = await api('/agentchain/agentid/v1/agents?pagination.limit=100');
    const caps = [...new Set((body.agents || []).flatMap((a) => a.capabilities || []))].sort();
    if (caps.length === 0) return h('p', {class: 'muted'}, 'No agent declares a capability yet.');
    return h('p', {}, 'Capabilities: ', caps.map((c, i) => [i ? ', ' : '', h('a', {href: '#' + route + '?cap=' + encodeURIComponent(c)}, c)]));
  }

  // ---- views ----------------------------------------------------------------
  // A view returns {title, nav, form?, data}: the form is built once per
  // route (typing is never interrupted), data() is rebuilt on every new block.

  const views = [];
  const route = (re, fn) => views.push([re, fn]);

  // Network.
  route(/^\/$/, () => ({
    title: 'Network',
    nav: 'network',
    async data() {
      const st = await rpc('status');
      const latest = big(st.sync_info.latest_block_height);
      const from = latest > 20n ? latest - 20n : 1n;
      const [chain, vals, cons] = await Promise.all([
        rpc('blockchain', {minHeight: from.toString(), maxHeight: latest.toString()}),
        api('/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED&pagination.limit=100'),
        api('/agentchain/escrow/v1/conservation'),
      ]);
      const metas = (chain.block_metas || []).map((m) => ({h: big(m.header.height), t: parseTime(m.header.time)}));
      metas.sort((a, b) => (a.h < b.h ? -1 : 1));
      let avg = '—';
      if (metas.length >= 2) {
        const a = metas[0];
        const b = metas[metas.length - 1];
        const ms = (b.t - a.t) / Number(b.h - a.h);
        avg = (ms / 1000).toFixed(2) + ' s';
      }
      const validators = (vals.validators || []).slice().sort((a, b) => (big(b.tokens) > big(a.tokens) ? 1 : -1));
      const ok = !!cons.ok;
      return [
        h('dl', {class: 'cards'},
          h('div', {class: 'card'}, h('dt', {}, 'Height'), h('dd', {'data-network-height': latest.toString()}, group(latest))),
          h('div', {class: 'card'}, h('dt', {}, 'Latest block'), h('dd', {}, h('time', {datetime: st.sync_info.latest_block_time}, fmtTime(st.sync_info.latest_block_time)))),
          h('div', {class: 'card'}, h('dt', {}, 'Average block time'), h('dd', {'data-avg-block-time': ''}, avg, h('small', {class: 'muted'}, metas.length >= 2 ? ' over ' + (metas.length - 1) + ' blocks' : ''))),
          h('div', {class: 'card'}, h('dt', {}, 'Validators'), h('dd', {}, String(validators.length))),
          h('div', {class: 'card'}, h('dt', {}, 'Escrow conservation'),
            h('dd', {'data-conservation': ok ? 'ok' : 'broken', class: ok ? 'ok' : 'bad'},
              ok ? '✓ holds' : '✗ broken'))),
        h('p', {class: 'muted'}, 'Escrow conservation: the escrow module account holds ', coins(cons.balance),
          '; open escrows hold ', coins(cons.held), ok ? ' — equal, as they must be.' : ' — they differ.'),
        section('Validators', table('Bonded validators', ['Moniker', 'Operator', 'Tokens', 'Commission', 'Jailed'],
          validators.map((v) => h('tr', {},
            h('td', {}, v.description && v.description.moniker),
            h('td', {}, h('code', {class: 'hash'}, v.operator_address)),
            h('td', {class: 'num'}, coin({amount: v.tokens, denom: 'uagnt'})),
            h('td', {class: 'num'}, (Number(v.commission.commission_rates.rate) * 100).toFixed(2) + ' %'),
            h('td', {}, v.jailed ? 'yes' : 'no'))))),
      ];
    },
  }));

  // Agents: search by name or capability.
  route(/^\/agents$/, (m, query) => ({
    title: 'Agents',
    nav: 'agents',
    form: searchForm('/agents', [
      {name: 'q', label: 'Name contains', placeholder: 'e.g. summarizer'},
      {name: 'cap', label: 'Capability', placeholder: 'e.g. summarize'},
    ], query, 'Search agents'),
    async data() {
      const q = (query.get('q') || '').toLowerCase();
      const cap = (query.get('cap') || '').toLowerCase();
      let agents;
      let more = false;
      if (cap) {
        ({items: agents, more} = await list('/agentchain/agentid/v1/capabilities/' + encodeURIComponent(cap) + '/agents', 'agents'));
      } else {
        ({items: agents, more} = await list('/agentchain/agentid/v1/agents', 'agents'));
      }
      if (q) {
        agents = agents.filter((a) => a.name.includes(q));
        // Past the pages read, an exact name still finds its agent.
        if (more && !agents.some((a) => a.name === q)) {
          const one = await apiOr('/agentchain/agentid/v1/agent_by_name/' + encodeURIComponent(q), null);
          if (one && (!cap || (one.agent.capabilities || []).includes(cap))) agents.push(one.agent);
        }
      }
      return [
        cap ? null : await capabilityLinks('/agents'),
        table('Agents' + (more ? ' (first 500)' : ''), ['ID', 'Name', 'Status', 'Capabilities', 'Owner', 'Registered'],
          agents.map((a) => h('tr', {'data-agent-id': a.id, 'data-agent-name': a.name},
            h('td', {class: 'num'}, a.id),
            h('td', {}, h('a', {href: '#/agent/' + a.id}, a.name)),
            h('td', {}, status(a.status)),
            h('td', {}, (a.capabilities || []).join(', ')),
            h('td', {}, addr(a.owner)),
            h('td', {class: 'num'}, height(a.created_height)))), {'data-table': 'agents'}),
      ];
    },
  }));

  // One agent.
  route(/^\/agent\/(\d+)$/, (m) => {
    const id = m[1];
    return {
      title: 'Agent #' + id,
      nav: 'agents',
      async data() {
        const [ag, att, spend, listings, rep, fb, asProvider, asClient, st] = await Promise.all([
          api('/agentchain/agentid/v1/agents/' + id),
          api('/agentchain/agentid/v1/agents/' + id + '/attestations?pagination.limit=100'),
          api('/agentchain/agentid/v1/agents/' + id + '/spend'),
          api('/agentchain/market/v1/providers/' + id + '/listings?pagination.limit=100'),
          api('/agentchain/reputation/v1/agents/' + id),
          api('/agentchain/reputation/v1/agents/' + id + '/received?pagination.limit=100'),
          api('/agentchain/market/v1/providers/' + id + '/jobs?pagination.limit=100'),
          api('/agentchain/market/v1/client_agents/' + id + '/jobs?pagination.limit=100'),
          rpc('status'),
        ]);
        const a = ag.agent;
        setTitle('Agent ' + a.name + ' (#' + a.id + ')');
        const feedback = fb.feedback || [];
        const history = await reputationHistory(a, feedback, big(st.sync_info.latest_block_height), rep);
        const sig = rep.signals || {};
        return [
          section('Card',
            kv([
              ['Name', h('span', {'data-agent-name': a.name}, a.name)],
              ['ID', a.id],
              ['Status', status(a.status)],
              ['Owner', addr(a.owner)],
              ['Agent key', addr(a.agent_address)],
              ['Payout address', addr(ag.payout_address)],
              ['Card URI', uri(a.card_uri)],
              ['Card hash', hash(a.card_hash)],
              ['Capabilities', (a.capabilities || []).map((c, i) => [i ? ', ' : '', h('a', {href: '#/listings?cap=' + encodeURIComponent(c)}, c)])],
              ['Endpoints', (a.endpoints || []).length ? h('ul', {}, a.endpoints.map((e) => h('li', {}, e.protocol + ': ', uri(e.url)))) : '—'],
              ['Deposit', coin(a.deposit)],
              ['Registered at', height(a.created_height)],
              ['Updated at', height(a.updated_height)],
            ])),
          section('Reputation',
            kv([
              ['Score', h('span', {'data-reputation-score': rep.score}, fmtScore(rep.score) + ' / 100')],
              ['Weight', decimals(rep.weight, 6) + ' AGNT'],
              ['Feedback counted', rep.count],
              ['On time', sig.delivered_on_time || sig.jobs_expired ? bps(rep.on_time_rate_bps) : '—'],
              ['Jobs', 'completed ' + (sig.jobs_completed || 0) + ', resolved ' + (sig.jobs_resolved || 0) + ', expired ' + (sig.jobs_expired || 0) +
                ', disputes opened ' + (sig.disputes_opened || 0) + ', lost ' + (sig.disputes_lost || 0) + ', as client ' + (sig.jobs_as_client || 0)],
            ]),
            h('h3', {}, 'Score history'),
            chart(history),
            h('details', {}, h('summary', {}, 'Score history as a table'),
              table('Score by height', ['Height', 'Score'], history.map((p) => h('tr', {'data-history-height': p.h.toString()},
                h('td', {class: 'num'}, group(p.h)), h('td', {class: 'num'}, fmtScore(p.score))))))),
          section('Attestations', table('Attestations', ['Claim', 'Attester', 'URI', 'Hash', 'Created', 'Expires', 'Expired'],
            (att.attestations || []).map((v) => h('tr', {},
              h('td', {}, v.attestation.claim_type), h('td', {}, addr(v.attestation.attester)), h('td', {}, uri(v.attestation.uri)),
              h('td', {}, hash(v.attestation.hash)), h('td', {class: 'num'}, height(v.attestation.created_height)),
              h('td', {class: 'num'}, height(v.attestation.expires_height)), h('td', {}, v.expired ? 'yes' : 'no'))))),
          section('Spend policy', table('Spend caps', ['Denom', 'Cap per window', 'Window (blocks)', 'Available now', 'Full again at'],
            (spend.policies || []).map((p) => h('tr', {},
              h('td', {}, p.denom), h('td', {class: 'num'}, coin({amount: p.cap, denom: p.denom})), h('td', {class: 'num'}, group(p.window_blocks)),
              h('td', {class: 'num'}, coin({amount: p.available, denom: p.denom})), h('td', {class: 'num'}, height(p.full_height)))))),
          section('Listings', await listingsTable(listings.listings || [], false)),
          section('Jobs as provider', await jobsTable(asProvider.jobs || [], 'Jobs as provider')),
          section('Jobs as client', await jobsTable(asClient.jobs || [], 'Jobs as client')),
          section('Feedback received', await feedbackTable(feedback)),
        ];
      },
    };
  });

  // reputationHistory samples the agent's overall score at the heights where
  // it can change (each feedback counted or revoked) and now, asking the node
  // for the score as of each height. There is no history query: the chain
  // keeps the score's inputs, and the REST gateway answers at a past height
  // (x-cosmos-block-height). Past answers never change, so they are cached.
  const pastScores = new Map();
  async function reputationHistory(agent, feedback, latest, now) {
    const hs = new Set([big(agent.created_height)]);
    for (const f of feedback) {
      hs.add(big(f.height));
      if (!isZero(f.revoked_height)) hs.add(big(f.revoked_height));
    }
    const heights = [...hs].filter((x) => x > 0n && x < latest).sort((a, b) => (a < b ? -1 : 1)).slice(-24);
    const points = await Promise.all(heights.map(async (x) => {
      const key = agent.id + '@' + x;
      if (!pastScores.has(key)) {
        pastScores.set(key, api('/agentchain/reputation/v1/agents/' + agent.id, {height: x}).then((r) => r.score, () => null));
      }
      const score = await pastScores.get(key);
      return score === null ? null : {h: x, score};
    }));
    return [...points.filter(Boolean), {h: latest, score: now.score}];
  }
  function fmtScore(s) {
    const n = Number(s);
    return Number.isFinite(n) ? n.toFixed(2) : String(s);
  }
  // chart draws score (0..100) over height as inline SVG.
  function chart(points) {
    const W = 600;
    const H = 200;
    const L = 36;
    const B = 24;
    const svg = h('svg:svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title'});
    svg.append(h('svg:title', {id: 'chart-title'},
      'Reputation score by height: ' + points.map((p) => fmtScore(p.score) + ' at ' + p.h).join(', ')));
    const x0 = points.length ? points[0].h : 0n;
    const span = points.length > 1 ? points[points.length - 1].h - x0 : 1n;
    const px = (hgt) => L + (W - L - 8) * (span === 0n ? 0 : Number(hgt - x0) / Number(span));
    // The y axis spans the scores seen, padded and rounded out to fives
    // within 0..100: a move of a point or two stays visible.
    const ys = points.map((p) => Number(p.score)).filter(Number.isFinite);
    const lo = Math.max(0, Math.floor((Math.min(...ys, 50) - 2) / 5) * 5);
    const hi = Math.min(100, Math.ceil((Math.max(...ys, 50) + 2) / 5) * 5);
    const py = (s) => 8 + (H - B - 8) * (1 - (Math.min(hi, Math.max(lo, Number(s))) - lo) / (hi - lo || 1));
    svg.append(h('svg:line', {class: 'axis', x1: L, y1: H - B, x2: W - 4, y2: H - B}));
    svg.append(h('svg:line', {class: 'axis', x1: L, y1: 8, x2: L, y2: H - B}));
    for (const v of [lo, (lo + hi) / 2, hi]) svg.append(h('svg:text', {x: 4, y: py(v) + 4}, String(v)));
    if (points.length) {
      svg.append(h('svg:text', {x: L, y: H - 6}, 'height ' + points[0].h));
      svg.append(h('svg:text', {x: W - 8, y: H - 6, 'text-anchor': 'end'}, String(points[points.length - 1].h)));
      // Scores step at the sampled heights: draw the path as steps.
      let d = '';
      points.forEach((p, i) => {
        const x = px(p.h).toFixed(1);
        const y = py(p.score).toFixed(1);
        d += i === 0 ? `M ${x} ${y}` : ` H ${x} V ${y}`;
      });
      svg.append(h('svg:path', {class: 'line', d}));
      for (const p of points) svg.append(h('svg:circle', {class: 'pt', cx: px(p.h).toFixed(1), cy: py(p.score).toFixed(1), r: 3}));
    }
    return svg;
  }

  async function listingsTable(listings, withScore, capability) {
    const rows = await Promise.all(listings.map(async (l) => {
      let score = null;
      if (withScore) {
        const r = await api('/agentchain/reputation/v1/agents/' + l.provider + '?capability=' + encodeURIComponent(capability || l.capability));
        score = r.score;
      }
      return h('tr', {'data-listing-id': l.id},
        h('td', {class: 'num'}, l.id),
        h('td', {}, await agentLink(l.provider)),
        h('td', {}, l.capability),
        h('td', {}, l.title),
        h('td', {class: 'num'}, coin(l.price), l.billing === 'LISTING_BILLING_PER_BLOCK' ? ' per block' : ' per job'),
        withScore ? h('td', {class: 'num', 'data-score': score}, fmtScore(score)) : null,
        h('td', {}, status(l.status)),
        h('td', {}, uri(l.terms_uri)));
    }));
    const head = ['ID', 'Provider', 'Capability', 'Title', 'Price'].concat(withScore ? ['Score'] : [], ['Status', 'Terms']);
    return table('Listings', head, rows, {'data-table': 'listings'});
  }

  async function jobsTable(jobs, caption) {
    const rows = await Promise.all(jobs.map(async (j) => h('tr', {'data-job-id': j.id, 'data-job-status': j.status},
      h('td', {}, jobLink(j.id)),
      h('td', {}, status(j.status)),
      h('td', {}, addr(j.client)),
      h('td', {}, await agentLink(j.provider)),
      h('td', {class: 'num'}, coin(j.price)),
      h('td', {class: 'num'}, height(j.created_height)),
      h('td', {class: 'num'}, height(j.settled_height)))));
    return table(caption, ['Job', 'Status', 'Client', 'Provider', 'Price', 'Created', 'Settled'], rows, {'data-table': 'jobs'});
  }

  async function feedbackTable(feedback) {
    const rows = await Promise.all(feedback.map(async (f) => h('tr', {'data-feedback-job': f.job_id},
      h('td', {}, jobLink(f.job_id)),
      // A ruling has no rating agent: its rater is the arbiter's account.
      h('td', {}, isZero(f.rater_agent) ? addr(f.rater) : await agentLink(f.rater_agent)),
      h('td', {}, short(f.role || '').toLowerCase()),
      h('td', {class: 'num'}, f.score),
      h('td', {}, (f.tags || []).join(', ')),
      h('td', {}, uri(f.comment_uri)),
      h('td', {class: 'num'}, height(f.height)),
      h('td', {}, f.revoked ? h('span', {class: 'warn'}, 'revoked at ', height(f.revoked_height)) : 'counted'),
      h('td', {}, f.response_uri ? [uri(f.response_uri), ' ', hash(f.response_hash), ' at ', height(f.response_height)] : h('span', {class: 'muted'}, 'no response')))));
    return table('Feedback', ['Job', 'Rater', 'Role', 'Score', 'Tags', 'Comment', 'Height', 'Counted', 'Response'], rows, {'data-table': 'feedback'});
  }

  // Listings by capability.
  route(/^\/listings$/, (m, query) => ({
    title: 'Listings',
    nav: 'listings',
    form: searchForm('/listings', [
      {name: 'cap', label: 'Capability', placeholder: 'e.g. summarize'},
      {name: 'denom', label: 'Price denom', placeholder: 'any, e.g. uagnt'},
    ], query, 'Find listings'),
    async data() {
      const cap = (query.get('cap') || '').toLowerCase();
      if (!cap) return [h('p', {}, 'Choose a capability to see its listings, cheapest first, with each provider’s score for it.'), await capabilityLinks('/listings')];
      const denom = query.get('denom') || '';
      const {items, more} = await list('/agentchain/market/v1/capabilities/' + encodeURIComponent(cap) + '/listings' +
        (denom ? '?denom=' + encodeURIComponent(denom) : ''), 'listings', 1);
      return [
        await listingsTable(items, true, cap),
        more ? h('p', {class: 'muted'}, 'The first 100 listings.') : null,
      ];
    },
  }));

  const JOB_STATUSES = ['JOB_STATUS_FUNDED', 'JOB_STATUS_IN_PROGRESS', 'JOB_STATUS_DELIVERED', 'JOB_STATUS_DISPUTED',
    'JOB_STATUS_COMPLETED', 'JOB_STATUS_RESOLVED', 'JOB_STATUS_CANCELLED', 'JOB_STATUS_EXPIRED'];

  // Jobs by status.
  route(/^\/jobs$/, (m, query) => ({
    title: 'Jobs',
    nav: 'jobs',
    form: searchForm('/jobs', [
      {name: 'status', label: 'Status', options: [['', 'every status']].concat(JOB_STATUSES.map((s) => [s, short(s).replace(/_/g, ' ').toLowerCase()]))},
    ], query, 'Filter jobs'),
    async data() {
      const want = query.get('status');
      const statuses = want ? [want] : JOB_STATUSES;
      const pages = await Promise.all(statuses.map((s) => api('/agentchain/market/v1/job_status/' + s + '/jobs?pagination.limit=100')));
      const jobs = pages.flatMap((p) => p.jobs || []).sort((a, b) => (big(b.id) > big(a.id) ? 1 : -1));
      return [
        h('p', {class: 'muted'}, 'Settled jobs are kept for a while, then pruned; their escrows too.'),
        await jobsTable(jobs, 'Jobs, newest first'),
      ];
    },
  }));

  // jobTimeline lists the states a job went through with their heights, from
  // what the job and its escrow record: created (funded), accepted (in
  // progress), each milestone's delivery and payment, the rejection or
  // dispute, and the settlement that ended it.
  function jobTimeline(j, escrow) {
    const ev = [];
    const add = (state, hgt, note) => {
      if (!isZero(hgt)) ev.push({state, h: big(hgt), note});
    };
    add('JOB_STATUS_FUNDED', j.created_height, 'escrow #' + j.escrow_id + ' funded with ' + coinText(j.price.amount, j.price.denom));
    add('JOB_STATUS_IN_PROGRESS', j.accepted_height, 'the provider accepted');
    const ms = j.milestones || [];
    const settled = big(j.settled_height);
    ms.forEach((m, i) => {
      const label = ms.length > 1 ? 'milestone ' + i + (m.title ? ' (' + m.title + ')' : '') : 'the result';
      add('JOB_STATUS_DELIVERED', m.delivered_height, label + ' delivered');
      // A milestone paid before the job ended is a step of its own; the
      // last one's payment is the job's completion below.
      if (!isZero(m.completed_height) && big(m.completed_height) !== settled) {
        add('MILESTONE_PAID', m.completed_height, label + ' accepted and paid');
      }
    });
    const disputed = escrow && escrow.dispute && !isZero(escrow.dispute.opened_height)
      ? escrow.dispute.opened_height : (j.rejection ? j.rejection.height : '0');
    if (!isZero(disputed)) {
      add('JOB_STATUS_DISPUTED', disputed, j.rejection ? 'the client rejected the delivery: ' + short(j.rejection.reason).replace(/_/g, ' ').toLowerCase() : 'a dispute opened');
    }
    const terminal = ['JOB_STATUS_COMPLETED', 'JOB_STATUS_RESOLVED', 'JOB_STATUS_CANCELLED', 'JOB_STATUS_EXPIRED'];
    if (terminal.includes(j.status)) add(j.status, j.settled_height, 'settled');
    ev.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
    return ev;
  }

  // One job.
  route(/^\/job\/(\d+)$/, (m) => {
    const id = m[1];
    return {
      title: 'Job #' + id,
      nav: 'jobs',
      async data() {
        const {job: j} = await api('/agentchain/market/v1/jobs/' + id);
        const [escrowResp, children, provFb, clientFb] = await Promise.all([
          isZero(j.escrow_id) ? null : apiOr('/agentchain/escrow/v1/escrows/' + j.escrow_id, null),
          api('/agentchain/market/v1/jobs/' + id + '/children?pagination.limit=100'),
          api('/agentchain/reputation/v1/agents/' + j.provider + '/received?pagination.limit=100'),
          isZero(j.client_agent) ? {feedback: []} : api('/agentchain/reputation/v1/agents/' + j.client_agent + '/received?pagination.limit=100'),
        ]);
        const escrow = escrowResp && escrowResp.escrow;
        const timeline = jobTimeline(j, escrow);
        const feedback = [...(provFb.feedback || []), ...(clientFb.feedback || [])].filter((f) => f.job_id === j.id);
        const d = escrow && escrow.dispute;
        const hasDispute = !!(j.rejection || d || j.status === 'JOB_STATUS_RESOLVED' || j.status === 'JOB_STATUS_DISPUTED');
        return [
          h('p', {class: 'status-line'}, 'Status: ', h('strong', {'data-job-status': j.status}, short(j.status).replace(/_/g, ' ').toLowerCase())),
          section('Timeline', h('ol', {class: 'timeline', 'data-timeline': j.id}, timeline.map((e) => h('li', {'data-state': e.state, 'data-height': e.h.toString()},
            h('span', {class: 'state'}, short(e.state).replace(/_/g, ' ').toLowerCase()), ' at height ', h('span', {}, group(e.h)),
            h('div', {class: 'muted'}, e.note))))),
          section('Parties and terms', kv([
            ['Client', addr(j.client)],
            ['Client agent', await agentLink(j.client_agent)],
            ['Provider', await agentLink(j.provider)],
            ['Provider payout', addr(j.provider_payout)],
            ['Price', coin(j.price)],
            ['Listing', isZero(j.listing_id) ? '—' : '#' + j.listing_id],
            ['Request', isZero(j.request_id) ? '—' : h('a', {href: '#/request/' + j.request_id}, 'request #' + j.request_id)],
            j.purchase_request_id ? ['Purchase (pay-per-call)', h('code', {}, j.purchase_request_id), ' · calls: ', String(j.calls)] : null,
            isZero(j.stream_id) ? null : ['Stream', h('a', {href: '#/stream/' + j.stream_id}, 'stream #' + j.stream_id)],
            ['Spec', uri(j.spec_uri), ' ', hash(j.spec_hash)],
            ['Deliver by', height(j.deliver_by)],
            ['Review window', group(j.review_window_blocks) + ' blocks'],
            ['Arbiter', addr(j.arbiter)],
            isZero(j.parent_job_id) ? null : ['Parent job', jobLink(j.parent_job_id)],
            ['Subcontracts', (children.jobs || []).length ? children.jobs.map((c, i) => [i ? ', ' : '', jobLink(c.id)]) : '—'],
            j.self_dealing ? ['Self-dealing', h('span', {class: 'warn'}, 'client and provider share an owner: no reputation counts')] : null,
          ])),
          section('Deliverables', table('Deliverables by hash', ['#', 'Title', 'Amount', 'Result', 'Result hash', 'Delivered', 'Paid'],
            (j.milestones || []).map((ms, i) => h('tr', {'data-milestone': i, 'data-result-hash': b64hex(ms.result_hash)},
              h('td', {class: 'num'}, i), h('td', {}, ms.title || '—'), h('td', {class: 'num'}, coin(ms.amount)),
              h('td', {}, uri(ms.result_uri)), h('td', {}, hash(ms.result_hash)),
              h('td', {class: 'num'}, height(ms.delivered_height)), h('td', {class: 'num'}, height(ms.completed_height)))))),
          section('Escrow', escrow ? escrowKV(escrow) : h('p', {class: 'muted'}, isZero(j.escrow_id) ? 'No escrow.' : 'Escrow #' + j.escrow_id + ' is closed and pruned.')),
          hasDispute ? section('Dispute and split', kv([
            j.rejection ? ['Rejected', short(j.rejection.reason).replace(/_/g, ' ').toLowerCase(), ' at ', height(j.rejection.height), ' · evidence ', hash(j.rejection.evidence_hash)] : null,
            d ? ['Dispute', short(d.reason || '').replace(/_/g, ' ').toLowerCase(), ' opened at ', height(d.opened_height), ', deadline ', height(d.deadline_height)] : null,
            d && d.resolved_by ? ['Resolved by', addr(d.resolved_by)] : null,
            ['Provider share', h('span', {'data-split': 'provider_share_bps', 'data-value': String(d && d.payee_share_bps ? d.payee_share_bps : j.provider_share_bps)}, bps(d && d.payee_share_bps ? d.payee_share_bps : j.provider_share_bps))],
            ['Paid to the provider', h('span', {'data-split': 'provider_paid'}, coins(j.provider_paid))],
            ['Market take', h('span', {'data-split': 'take_paid'}, coins(j.take_paid))],
            ['Arbiter fee', h('span', {'data-split': 'arbiter_fee_paid'}, coins(j.arbiter_fee_paid))],
            ['Refunded to the client', h('span', {'data-split': 'client_refunded'}, coins(j.client_refunded))],
          ])) : section('Payments', kv([
            ['Paid to the provider', h('span', {'data-split': 'provider_paid'}, coins(j.provider_paid))],
            ['Market take', h('span', {'data-split': 'take_paid'}, coins(j.take_paid))],
            ['Refunded to the client', h('span', {'data-split': 'client_refunded'}, coins(j.client_refunded))],
          ])),
          section('Feedback', await feedbackTable(feedback)),
        ];
      },
    };
  });

  function escrowKV(e) {
    return kv([
      ['Escrow', h('a', {href: '#/escrow/' + e.id}, '#' + e.id), ' ', status(e.status)],
      ['Amount', h('span', {'data-escrow-amount': ''}, coins(e.amount))],
      ['Released', coins(e.released)],
      ['Refunded', coins(e.refunded)],
      ['Payer', addr(e.payer)],
      ['Payee', addr(e.payee)],
      ['Arbiter', addr(e.arbiter)],
      ['Owner module', e.owner_module || 'none (direct escrow)'],
      ['Created at', height(e.created_height)],
      ['Expires at', height(e.expires_height)],
      ['Closed at', height(e.closed_height)],
      e.reference ? ['Reference', h('code', {}, e.reference)] : null,
    ]);
  }

  route(/^\/escrow\/(\d+)$/, (m) => ({
    title: 'Escrow #' + m[1],
    nav: 'accounts',
    async data() {
      const r = await apiOr('/agentchain/escrow/v1/escrows/' + m[1], null);
      return r ? escrowKV(r.escrow) : h('p', {class: 'muted'}, 'No such escrow (closed escrows are pruned after a while).');
    },
  }));

  // Requests for quote and their bids.
  route(/^\/requests$/, (m, query) => ({
    title: 'Requests',
    nav: 'requests',
    form: searchForm('/requests', [{name: 'cap', label: 'Capability', placeholder: 'e.g. summarize'}], query, 'Find open requests'),
    async data() {
      const cap = (query.get('cap') || '').toLowerCase();
      if (!cap) return [h('p', {}, 'Choose a capability to see its open requests for quote.'), await capabilityLinks('/requests')];
      const {items} = await list('/agentchain/market/v1/capabilities/' + encodeURIComponent(cap) + '/requests', 'requests', 1);
      return table('Open requests', ['Request', 'Client', 'Budget', 'Bids', 'Bids close at', 'Posted'],
        items.map((r) => h('tr', {'data-request-id': r.id},
          h('td', {}, h('a', {href: '#/request/' + r.id}, 'request #' + r.id)), h('td', {}, addr(r.client)), h('td', {class: 'num'}, coin(r.budget)),
          h('td', {class: 'num'}, String(r.bid_count)), h('td', {class: 'num'}, height(r.bid_deadline)), h('td', {class: 'num'}, height(r.created_height)))));
    },
  }));

  route(/^\/request\/(\d+)$/, (m) => ({
    title: 'Request #' + m[1],
    nav: 'requests',
    async data() {
      const [{request: r}, bids] = await Promise.all([
        api('/agentchain/market/v1/requests/' + m[1]),
        api('/agentchain/market/v1/requests/' + m[1] + '/bids?pagination.limit=100'),
      ]);
      const rows = await Promise.all((bids.bids || []).map(async (b) => h('tr', {'data-bid-id': b.id},
        h('td', {class: 'num'}, String(b.id)), h('td', {}, await agentLink(b.provider)), h('td', {class: 'num'}, coin(b.price)),
        h('td', {class: 'num'}, group(b.delivery_blocks)), h('td', {}, uri(b.note_uri)), h('td', {class: 'num'}, height(b.created_height)))));
      return [
        kv([
          ['Status', status(r.status)],
          ['Client', addr(r.client)],
          ['Client agent', await agentLink(r.client_agent)],
          ['Capability', r.capability],
          ['Budget', coin(r.budget)],
          ['Spec', uri(r.spec_uri), ' ', hash(r.spec_hash)],
          ['Minimum provider score', String(r.min_provider_score)],
          ['Bids close at', height(r.bid_deadline)],
          ['Posted at', height(r.created_height)],
          ['Closed at', height(r.closed_height)],
          ['Job', isZero(r.job_id) ? '—' : jobLink(r.job_id)],
        ]),
        section('Bids', table('Bids', ['Bid', 'Provider', 'Price', 'Delivery (blocks)', 'Note', 'Placed'], rows)),
      ];
    },
  }));

  // Streams and purchases are per account: the chain indexes them by payer,
  // payee and client.
  route(/^\/accounts$/, (m, query) => ({
    title: 'Streams and purchases',
    nav: 'accounts',
    form: (() => {
      const f = searchForm('/accounts', [{name: 'address', label: 'Account address', placeholder: 'agent1…'}], query, 'Look up an account');
      return f;
    })(),
    async data() {
      const a = (query.get('address') || '').trim();
      if (a) {
        location.replace('#/account/' + encodeURIComponent(a));
        return [];
      }
      return h('p', {}, 'Enter an account to see its streams (as payer and payee), its pay-per-call purchases, its jobs as client and its escrows. Agents’ pages link their owners and keys.');
    },
  }));

  route(/^\/account\/([a-z0-9]+)$/, (m) => {
    const a = m[1];
    return {
      title: 'Account ' + a,
      nav: 'accounts',
      async data() {
        const enc = encodeURIComponent(a);
        const [owned, byKey, jobs, sPayer, sPayee, ePayer, ePayee, bal] = await Promise.all([
          api('/agentchain/agentid/v1/owners/' + enc + '/agents?pagination.limit=100'),
          apiOr('/agentchain/agentid/v1/agent_by_address/' + enc, null),
          api('/agentchain/market/v1/clients/' + enc + '/jobs?pagination.limit=100'),
          api('/agentchain/escrow/v1/payers/' + enc + '/streams?pagination.limit=100'),
          api('/agentchain/escrow/v1/payees/' + enc + '/streams?pagination.limit=100'),
          api('/agentchain/escrow/v1/payers/' + enc + '/escrows?pagination.limit=100'),
          api('/agentchain/escrow/v1/payees/' + enc + '/escrows?pagination.limit=100'),
          api('/cosmos/bank/v1beta1/balances/' + enc),
        ]);
        const all = jobs.jobs || [];
        const purchases = all.filter((j) => j.purchase_request_id);
        const streams = [...(sPayer.streams || []), ...(sPayee.streams || [])];
        const escrows = [...(ePayer.escrows || []), ...(ePayee.escrows || [])];
        return [
          kv([
            ['Balance', coins(bal.balances)],
            ['Agent key of', byKey ? await agentLink(byKey.agent.id) : '—'],
            ['Owns', (owned.agents || []).length ? await Promise.all(owned.agents.map(async (x, i) => [i ? ', ' : '', await agentLink(x.id)])) : '—'],
          ]),
          section('Streams', table('Streams', ['Stream', 'Payer', 'Payee', 'Rate', 'Deposit', 'Accrued', 'Withdrawable', 'Status'],
            streams.map((v) => h('tr', {'data-stream-id': v.stream.id},
              h('td', {}, h('a', {href: '#/stream/' + v.stream.id}, 'stream #' + v.stream.id)), h('td', {}, addr(v.stream.payer)), h('td', {}, addr(v.stream.payee)),
              h('td', {class: 'num'}, coin(v.stream.rate), perBlocks(v.stream.period_blocks)), h('td', {class: 'num'}, coin(v.stream.deposit)),
              h('td', {class: 'num'}, coin(v.accrued)), h('td', {class: 'num'}, coin(v.withdrawable)), h('td', {}, status(v.stream.status)))))),
          section('Purchases', table('Pay-per-call purchases', ['Job', 'Request id', 'Provider', 'Price', 'Calls', 'Status', 'Height'],
            await Promise.all(purchases.map(async (j) => h('tr', {'data-purchase': j.purchase_request_id},
              h('td', {}, jobLink(j.id)), h('td', {}, h('code', {}, j.purchase_request_id)), h('td', {}, await agentLink(j.provider)),
              h('td', {class: 'num'}, coin(j.price)), h('td', {class: 'num'}, String(j.calls)), h('td', {}, status(j.status)), h('td', {class: 'num'}, height(j.created_height))))))),
          section('Jobs as client', await jobsTable(all.filter((j) => !j.purchase_request_id), 'Jobs as client')),
          section('Escrows', table('Escrows', ['Escrow', 'Payer', 'Payee', 'Amount', 'Status', 'Created'],
            escrows.map((e) => h('tr', {},
              h('td', {}, h('a', {href: '#/escrow/' + e.id}, 'escrow #' + e.id)), h('td', {}, addr(e.payer)), h('td', {}, addr(e.payee)),
              h('td', {class: 'num'}, coins(e.amount)), h('td', {}, status(e.status)), h('td', {class: 'num'}, height(e.created_height)))))),
        ];
      },
    };
  });

  route(/^\/stream\/(\d+)$/, (m) => ({
    title: 'Stream #' + m[1],
    nav: 'accounts',
    async data() {
      const {stream: v} = await api('/agentchain/escrow/v1/streams/' + m[1]);
      const s = v.stream;
      return kv([
        ['Status', status(s.status)],
        ['Payer', addr(s.payer)],
        ['Payee', addr(s.payee)],
        ['Rate', coin(s.rate), perBlocks(s.period_blocks)],
        ['Deposit', coin(s.deposit)],
        ['Accrued', coin(v.accrued), ' at height ', height(v.height)],
        ['Withdrawn', coin(s.withdrawn)],
        ['Withdrawable now', coin(v.withdrawable)],
        ['Unaccrued', coin(v.unaccrued)],
        ['Refunded', coin(s.refunded)],
        ['Start, cliff, end', height(s.start_height), ', ', height(s.cliff_height), ', ', height(s.end_height)],
        ['Runs out at', height(v.runs_out_height)],
        ['Exhausted', v.exhausted ? 'yes' : 'no'],
        ['Owner module', s.owner_module || 'none (direct stream)'],
        ['Closed at', height(s.closed_height)],
      ]);
    },
  }));

  // ---- time -----------------------------------------------------------------

  // parseTime reads CometBFT's RFC 3339 times, which carry nanoseconds.
  function parseTime(s) {
    return Date.parse(String(s).replace(/(\.\d{3})\d+/, '$1'));
  }
  function fmtTime(s) {
    const t = parseTime(s);
    return Number.isFinite(t) ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : String(s);
  }

  // ---- router and refresh ---------------------------------------------------

  let current = null; // {key, view, seq}
  let seq = 0;
  let refreshing = false;
  let again = false;

  function setTitle(t) {
    const h1 = $('#view h1');
    if (h1) h1.textContent = t;
    document.title = t + ' · agentchain';
  }

  function parseRoute() {
    const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
    const [path, qs] = raw.split('?');
    return {key: raw, path, query: new URLSearchParams(qs || '')};
  }

  function render() {
    const r = parseRoute();
    let view = null;
    for (const [re, fn] of views) {
      const m = r.path.match(re);
      if (m) {
        view = fn(m, r.query);
        break;
      }
    }
    if (!view) view = {title: 'Not found', nav: '', data: async () => h('p', {}, 'No such page. ', h('a', {href: '#/'}, 'Back to the network.'))};
    current = {key: r.key, view, seq: ++seq};
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === view.nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const data = h('div', {id: 'data', 'aria-busy': 'true'}, h('p', {class: 'muted'}, 'Loading…'));
    $('#view').replaceChildren(...[h('h1', {}, view.title), view.form, data].filter(Boolean));
    document.title = view.title + ' · agentchain';
    refresh();
  }

  // refresh rebuilds the current view's data off-screen and swaps it in,
  // one refresh at a time; a block that arrives meanwhile asks for one more.
  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    const mine = current;
    let content;
    try {
      content = await mine.view.data();
    } catch (e) {
      content = h('p', {class: 'error', role: 'alert'}, 'The node did not answer: ' + (e && e.message ? e.message : String(e)));
    }
    if (current === mine) {
      const box = $('#data');
      const before = box && box.querySelector('[data-job-status]');
      if (box) {
        box.replaceChildren(...[content].flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false));
        box.setAttribute('aria-busy', 'false');
        box.dataset.refreshedAt = String(latestHeight);
        // The data is rebuilt on every block; a status that changed is told
        // through a live region that stays, which screen readers announce.
        const after = box.querySelector('[data-job-status]');
        if (before && after && before.dataset.jobStatus !== after.dataset.jobStatus) {
          $('#announce').textContent = document.title.split(' · ')[0] + ' is now ' + after.textContent;
        }
      }
    }
    refreshing = false;
    if (again || current !== mine) {
      again = false;
      refresh();
    }
  }

  // ---- live updates ---------------------------------------------------------

  let latestHeight = '';
  let backoff = 500;
  let lastRefresh = 0;
  let timer = null;

  // onBlock refreshes the view at most every 700 ms: on a fast devnet the
  // page would otherwise never settle.
  function onBlock(hgt) {
    latestHeight = hgt;
    $('#live-height').textContent = 'block ' + group(hgt);
    $('#live-height').dataset.height = hgt;
    if (timer) return;
    const wait = Math.max(0, 700 - (Date.now() - lastRefresh));
    timer = setTimeout(() => {
      timer = null;
      lastRefresh = Date.now();
      refresh();
    }, wait);
  }

  function setLive(on, text) {
    const el = $('#live');
    el.classList.toggle('on', on);
    el.classList.toggle('off', !on);
    el.dataset.live = on ? 'on' : 'off';
    $('#live-text').textContent = text;
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    try {
      ws = new WebSocket(proto + '//' + location.host + '/rpc/websocket');
    } catch {
      setLive(false, 'offline');
      setTimeout(connect, backoff);
      return;
    }
    ws.addEventListener('open', () => {
      backoff = 500;
      ws.send(JSON.stringify({jsonrpc: '2.0', id: 'blocks', method: 'subscribe', params: {query: "tm.event='NewBlock'"}}));
    });
    ws.addEventListener('message', (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.error) {
        setLive(false, 'not live: ' + (msg.error.data || msg.error.message));
        return;
      }
      const r = msg.result;
      if (r && r.data && r.data.type === 'tendermint/event/NewBlock') {
        if (!$('#live').classList.contains('on')) setLive(true, 'Live');
        onBlock(r.data.value.block.header.height);
      } else if (r && msg.id === 'blocks') {
        setLive(true, 'Live');
      }
    });
    ws.addEventListener('close', () => {
      setLive(false, 'reconnecting…');
      backoff = Math.min(backoff * 2, 10000);
      setTimeout(connect, backoff);
    });
  }

  async function init() {
    $('#skip').addEventListener('click', (ev) => {
      ev.preventDefault();
      $('#main').focus();
    });
    window.addEventListener('hashchange', render);
    render();
    connect();
    try {
      const st = await rpc('status');
      $('#chain-id').textContent = st.node_info.network;
    } catch {
      $('#chain-id').textContent = 'node unreachable';
    }
  }

  init();
})();
