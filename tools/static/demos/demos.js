// Live demos of The LSTM Book, run in the reader's browser by ONNX Runtime Web (WASM, one
// thread). A page holds <div class="lstm-demo" data-demo="sample|gates|chat"></div> and loads
// this script; the models and the runtime are static files in _static/demos/assets/, written by
// tools/build_demos.py. window.lstmDemos is the programmatic hook the tests and benchmarks use.
(function () {
  "use strict";
  if (window.lstmDemos) { window.lstmDemos.mountAll(); return; }
  const BASE = new URL(".", document.currentScript.src).href;   // .../_static/demos/
  const ASSETS = BASE + "assets/";
  const SERVE = "python -m http.server -d _build/html";

  // ---- loading the runtime, the settings and the graphs --------------------------------------
  let loading = null;
  const sessions = {};
  function addScript(src) {
    return new Promise((ok, fail) => {
      const s = document.createElement("script");
      s.src = src; s.onload = ok;
      s.onerror = () => fail(new Error("could not load " + src));
      document.head.appendChild(s);
    });
  }
  function load() {        // the settings (demos.json) and the runtime, once per page
    if (location.protocol === "file:") {
      return Promise.reject(new Error("This live demo needs the book served over HTTP: run `"
        + SERVE + "` and open http://localhost:8000/."));
    }
    loading = loading || (async () => {
      const r = await fetch(ASSETS + "demos.json").catch(() => null);
      if (!r || !r.ok) {
        throw new Error("This build has no demo files (they come from tools/build_demos.py,"
          + " which `make book` runs).");
      }
      const cfg = await r.json();
      await addScript(ASSETS + "ort/ort.wasm.min.js");
      ort.env.wasm.wasmPaths = ASSETS + "ort/";
      ort.env.wasm.numThreads = 1;     // no SharedArrayBuffer: works on any static server
      return cfg;
    })();
    return loading;
  }
  async function session(file) {
    await load();
    sessions[file] = sessions[file] || ort.InferenceSession.create(ASSETS + file,
      { executionProviders: ["wasm"] });
    return sessions[file];
  }
  const i64 = (ids, dims) => new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), dims);
  const f32 = (data, dims) => new ort.Tensor("float32", data, dims);

  // ---- decoding: the same rules as lstm_book.lm.filter_logits / draw_token -----------------
  function argmax(z) {
    let best = 0;
    for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
    return best;
  }
  function rng(seed) {            // mulberry32: a reproducible sample for a given seed
    if (seed === null || seed === undefined || seed === "") return Math.random;
    let a = Number(seed) >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0; let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // One token from logits z with the banned ids removed: greedy when temperature is 0, else
  // drawn from softmax(z / temperature) restricted to the nucleus of probability topP.
  function choose(z, banned, temperature, topP, random) {
    z = Float64Array.from(z);
    for (const b of banned) z[b] = -Infinity;
    if (!(temperature > 0)) return argmax(z);
    const order = Array.from(z.keys()).sort((a, b) => z[b] - z[a]);
    const top = z[order[0]];
    const p = order.map(i => Math.exp((z[i] - top) / temperature));
    const sum = p.reduce((a, b) => a + b, 0);
    let kept = 0, mass = 0;
    while (kept < p.length && p[kept] > 0 && (topP >= 1 || mass < topP)) {
      mass += p[kept] / sum; kept++;
    }
    kept = Math.max(kept, 1);   // top-p 0 (or below the first token's share): the likeliest one
    let r = random() * p.slice(0, kept).reduce((a, b) => a + b, 0);
    for (let k = 0; k < kept; k++) { r -= p[k]; if (r < 0) return order[k]; }
    return order[kept - 1];
  }

  // ---- the character model: one step of its gates graph ---------------------------------------
  async function charModel() {
    const cfg = (await load()).lm;
    const sess = await session(cfg.graph);
    const stoi = new Map(cfg.itos.map((s, i) => [s, i]));
    const L = cfg.layers, H = cfg.hidden;
    return {
      cfg, L, H,
      zero: () => ({ h: new Float32Array(L * H), c: new Float32Array(L * H) }),
      encode(text) {   // characters -> ids, as lstm_book.lm.prime_ids does for a char model
        const chars = Array.from(text);
        const unseen = [...new Set(chars.filter(ch => !stoi.has(ch)))];
        if (unseen.length) {
          throw new Error("the model never saw " + unseen.map(c => JSON.stringify(c)).join(", ")
            + " in training");
        }
        return chars.length ? chars.map(ch => stoi.get(ch)) : [stoi.get("\n")];
      },
      async step(id, st) {     // -> {logits (V), gates (L, 4, H), h, c} after token `id`
        const out = await sess.run({ tokens: i64([id], [1, 1]), h: f32(st.h, [L, 1, H]),
                                     c: f32(st.c, [L, 1, H]) });
        return { logits: out.logits.data, gates: out.gates.data,
                 h: out.h_out.data, c: out.c_out.data };
      },
    };
  }
  const tick = () => new Promise(r => setTimeout(r, 0));
  // Generate n characters after `prime`; onChar(ch) is called as each one is drawn.
  async function generate({ prime = "ROMEO:\n", n = 300, temperature = 0, topP = 1,
                            seed = null, onChar = null, stop = () => false } = {}) {
    const m = await charModel();
    const random = rng(seed);
    let st = m.zero(), out = null, text = "", first = null, shown = performance.now();
    for (const id of m.encode(prime)) out = await m.step(id, st), st = out;
    const t0 = performance.now();
    for (let k = 0; k < n && !stop(); k++) {
      const id = choose(out.logits, m.cfg.never_draw, temperature, topP, random);
      const ch = m.cfg.itos[id];
      text += ch;
      if (first === null) first = performance.now();
      if (onChar) onChar(ch);
      out = await m.step(id, st); st = out;
      if (performance.now() - shown > 30) { await tick(); shown = performance.now(); }
    }
    const secs = (performance.now() - t0) / 1000;
    const stats = { firstCharMs: first, chars: text.length, charsPerSec: text.length / secs };
    api.stats.sample = stats;
    return { text, ...stats };
  }
  // Gates and cell state of every layer, character by character, from the zero state.
  async function gates(sentence, onStep = null) {
    const m = await charModel();
    let st = m.zero(), shown = performance.now();
    const steps = [];
    for (const id of m.encode(sentence)) {
      const out = await m.step(id, st); st = out;
      steps.push({ gates: out.gates, c: out.c });
      if (onStep) onStep(steps.length - 1, out);
      // let the page redraw now and then, not after every character
      if (performance.now() - shown > 30) { await tick(); shown = performance.now(); }
    }
    return { L: m.L, H: m.H, steps };
  }

  // ---- the chatbot: encoder graph, then the decoder step graph --------------------------------
  function normalize(text) {   // lstm_book.chatbot.normalize_text
    const s = text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
    const tokens = s.match(/[a-z0-9]+(?:'[a-z]+)*|[.!?,]/g) || [];
    return tokens.filter((t, i) => !(".!?,".includes(t) && i && ".!?,".includes(tokens[i - 1])));
  }
  function detokenize(words) {  // lstm_book.data.WordTokenizer.detokenize
    return words.join(" ").replace(/ ([.,;:!?)\]}'])/g, "$1").replace(/([(\[{]) /g, "$1");
  }
  async function chatbot() {
    const cfg = (await load()).chat;
    const [enc, dec] = await Promise.all([session(cfg.encoder), session(cfg.step)]);
    const stoi = new Map(cfg.itos.map((s, i) => [s, i]));
    return { cfg, enc, dec, stoi };
  }
  function take(t, rows, L, K, H) {   // rows of a (L, K, H) state, in the order `rows`
    const out = new Float32Array(L * rows.length * H);
    for (let l = 0; l < L; l++) rows.forEach((r, j) => out.set(
      t.subarray((l * K + r) * H, (l * K + r + 1) * H), (l * rows.length + j) * H));
    return out;
  }
  // The reply to `text`: greedy (chapter 8's generate), sampled, or beam search (chapter 10).
  async function reply(text, { mode = "greedy", temperature = 0.8, topP = 0.9, beam = 5,
                               seed = null } = {}) {
    const bot = await chatbot();
    const { cfg, enc, dec, stoi } = bot;
    let words = normalize(text);
    if (!words.length) throw new Error("nothing to reply to: no words or punctuation marks");
    words = words.slice(-cfg.max_tokens);
    const ids = words.map(w => stoi.has(w) ? stoi.get(w) : 1);              // 1: <unk>
    const S = ids.length, L = cfg.layers, H = cfg.hidden, V = cfg.itos.length;
    const e = await enc.run({ tokens: i64(ids, [1, S]), lengths: i64([S], [1]) });
    const K = mode === "beam" ? beam : 1;
    const rep = (t) => { const o = new Float32Array(t.length * K);
                            for (let k = 0; k < K; k++) o.set(t, k * t.length); return o; };
    const memory = f32(rep(e.memory.data), [K, S, H]);
    const mask = new ort.Tensor("bool", new Uint8Array(K * S).fill(1), [K, S]);
    const first = Array(K).fill(0);           // the statement's state, once for each beam row
    let h = take(e.h.data, first, L, 1, H), c = take(e.c.data, first, L, 1, H);
    const stepRun = async (tokens) => {
      const out = await dec.run({ tokens: i64(tokens, [K, 1]), h: f32(h, [L, K, H]),
                                  c: f32(c, [L, K, H]), memory, mask });
      return out;
    };
    const maxLen = cfg.max_tokens + 1, banned = cfg.never_draw, EOS = 3, BOS = 2;
    let out = [];
    if (mode !== "beam") {
      const random = rng(seed);
      let tok = BOS;
      for (let t = 0; t < maxLen; t++) {
        const o = await stepRun([tok]);
        h = o.h_out.data; c = o.c_out.data;
        tok = choose(o.logits.data, banned, mode === "greedy" ? 0 : temperature, topP, random);
        if (tok === EOS) break;
        out.push(tok);
      }
    } else {
      out = await beamSearch(stepRun, K, V, maxLen, banned, EOS, BOS, (rows) => {
        h = take(h, rows, L, K, H); c = take(c, rows, L, K, H);
      }, (o) => { h = o.h_out.data; c = o.c_out.data; });
    }
    const reply = out.map(i => cfg.itos[i]);
    return { statement: words, ids: out, words: reply, text: detokenize(reply) };
  }
  // Beam search as lstm_book.decoding.beam_search with one input, alpha 0 and n_best 1.
  async function beamSearch(stepRun, K, V, maxLen, banned, EOS, BOS, reorder, keep) {
    let beams = [{ toks: [], lp: 0 }], finished = [], tokens = Array(K).fill(BOS);
    for (let t = 1; t <= maxLen; t++) {
      const o = await stepRun(tokens); keep(o);
      const z = o.logits.data, cands = [];
      for (let k = 0; k < beams.length; k++) {
        const row = z.subarray(k * V, (k + 1) * V);
        let top = -Infinity; for (const v of row) top = Math.max(top, v);
        let s = 0; for (const v of row) s += Math.exp(v - top);
        const lse = top + Math.log(s);
        for (let v = 0; v < V; v++) {
          if (!banned.includes(v)) cands.push([beams[k].lp + row[v] - lse, k, v]);
        }
      }
      cands.sort((a, b) => b[0] - a[0]);
      const alive = [];
      for (const [lp, k, v] of cands.slice(0, 2 * K)) {
        if (alive.length === K) break;
        const toks = beams[k].toks.concat([v]);
        if (v === EOS) finished.push({ toks: toks.slice(0, -1), lp });
        else alive.push({ k, v, toks, lp });
      }
      if (t === maxLen) { finished.push(...alive); alive.length = 0; }
      const best = Math.max(...finished.map(f => f.lp), -Infinity);
      const bound = Math.max(...alive.map(a => a.lp), -Infinity);
      if (!alive.length || best >= bound) break;
      reorder(alive.map(a => a.k).concat(Array(K - alive.length).fill(0)));
      beams = alive.map(a => ({ toks: a.toks, lp: a.lp }));
      tokens = alive.map(a => a.v).concat(Array(K - alive.length).fill(BOS));
    }
    finished.sort((a, b) => b.lp - a.lp);
    return finished.length ? finished[0].toks : [];
  }

  // ---- the page: three small interfaces --------------------------------------------------------
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    e.append(...kids); return e;
  };
  const field = (label, input) => el("label", {}, label + " ", input);
  function fail(status, err) { status.textContent = err.message; status.classList.add("error"); }

  function mountSample(box) {
    const prime = el("textarea", { rows: 2, class: "prime" }); prime.value = "ROMEO:\n";
    const temp = el("input", { type: "number", min: 0, max: 3, step: 0.1, value: 0.8,
                               class: "temperature" });
    const topP = el("input", { type: "number", min: 0.05, max: 1, step: 0.05, value: 0.9,
                               class: "top-p" });
    const n = el("input", { type: "number", min: 1, max: 5000, value: 500, class: "length" });
    const go = el("button", { class: "go", text: "Generate" });
    const halt = el("button", { class: "stop", text: "Stop" });
    const out = el("pre", { class: "output" }), status = el("div", { class: "status" });
    box.append(el("div", { class: "controls" }, field("Prime", prime),
                  field("Temperature (0: greedy)", temp), field("Top-p", topP),
                  field("Characters", n), go, halt), out, status);
    let stopped = false;
    halt.onclick = () => { stopped = true; };
    go.onclick = async () => {
      status.classList.remove("error");
      if (!(+n.value >= 1) || !Number.isInteger(+n.value)) {
        return fail(status, new Error("Characters: a whole number of at least 1"));
      }
      if (temp.value === "" || !(+temp.value >= 0)) {
        return fail(status, new Error("Temperature: 0 (greedy) or a positive number"));
      }
      stopped = false; go.disabled = true; halt.disabled = false; out.textContent = "";
      status.textContent = "loading…";
      const shown = el("span", { class: "prime-text", text: prime.value });
      out.append(shown, document.createTextNode(""));
      const gen = out.lastChild;
      try {
        const r = await generate({ prime: prime.value, n: +n.value, temperature: +temp.value,
                                   topP: +topP.value, onChar: ch => {
                                     gen.data += ch;   // follow the text unless scrolled up
                                     const near = out.scrollHeight - out.scrollTop
                                                  - out.clientHeight < 60;
                                     if (near) out.scrollTop = out.scrollHeight;
                                   },
                                   stop: () => stopped });
        status.textContent = `${r.chars} characters, ${r.charsPerSec.toFixed(0)} characters/s`;
      } catch (e) { fail(status, e); }
      go.disabled = false; halt.disabled = true;
    };
    halt.disabled = true;
    return { go };
  }

  function mountGates(box) {
    const text = el("input", { type: "text", class: "sentence", size: 60,   // ⏎: a line break
                               value: "MACBETH:⏎Is this a dagger which I see before me?" });
    const units = el("input", { type: "text", class: "units", size: 30 });
    const go = el("button", { class: "go", text: "Show gates" });
    const table = el("div", { class: "gates" }), status = el("div", { class: "status" });
    box.append(el("div", { class: "controls" }, field("Text (⏎: a line break)", text),
                  field("Units (layer:unit, …)", units), go), table, status);
    load().then(cfg => {
      if (!units.value) units.value = cfg.lm.units.map(u => `${u.layer + 1}:${u.unit}`).join(", ");
    }).catch(e => fail(status, e));
    go.onclick = async () => {
      go.disabled = true; status.textContent = "loading…"; status.classList.remove("error");
      try {
        const cfg = await load();
        const labels = new Map(cfg.lm.units.map(u => [`${u.layer}:${u.unit}`, u.label]));
        const chosen = units.value.split(",").map(s => s.trim()).filter(Boolean).map(s => {
          const [l, u] = s.split(":").map(Number);
          const whole = Number.isInteger(l) && Number.isInteger(u);
          if (!(whole && l >= 1 && l <= cfg.lm.layers && u >= 0 && u < cfg.lm.hidden)) {
            throw new Error(`no unit ${s}: write layer:unit, layer 1 to ${cfg.lm.layers}, `
              + `unit 0 to ${cfg.lm.hidden - 1}`);
          }
          return { layer: l - 1, unit: u };
        });
        const sentence = text.value.replace(/⏎/g, "\n");
        const chars = Array.from(sentence);
        if (!chars.length) throw new Error("type a text first (one column per character)");
        status.textContent = `reading ${chars.length} characters…`;
        const t = el("table", {});
        const head = el("tr", {}, el("th", { text: "" }),
                        ...chars.map(ch => el("th", { text: ch === "\n" ? "⏎" : ch })));
        t.append(head);
        const rows = [];
        for (const { layer, unit } of chosen) {
          const label = labels.get(`${layer}:${unit}`);
          t.append(el("tr", { class: "unit" }, el("th", { colspan: chars.length + 1,
            text: `layer ${layer + 1}, unit ${unit}` + (label ? ` (${label})` : "") })));
          for (const kind of ["i", "f", "o", "c"]) {
            const tr = el("tr", { "data-layer": layer, "data-unit": unit, "data-kind": kind },
                          el("th", { text: { i: "input", f: "forget", o: "output",
                                             c: "cell c" }[kind] }));
            t.append(tr); rows.push({ layer, unit, kind, tr });
          }
        }
        table.replaceChildren(t);
        const H = cfg.lm.hidden, K = { i: 0, f: 1, g: 2, o: 3 };
        await gates(sentence, (s, out) => {
          for (const { layer, unit, kind, tr } of rows) {
            const v = kind === "c" ? out.c[layer * H + unit]
              : out.gates[(layer * 4 + K[kind]) * H + unit];
            const td = el("td", { "data-v": String(v), title: `${chars[s]}: ${kind} = ${v}` });
            td.style.background = kind === "c"
              ? `rgba(${v > 0 ? "214,39,40" : "31,119,180"},${Math.min(1, Math.abs(v) / 2)})`
              : `rgba(31,119,180,${v})`;
            td.textContent = (kind === "c" ? v.toFixed(1) : v.toFixed(2)).replace(/^0\./, ".");
            tr.append(td);
          }
        });
        status.textContent = `${chars.length} characters: gates in [0, 1] (darker: nearer 1); `
          + "cell state red above 0, blue below. Hover for exact values.";
        table.dataset.done = "1";
      } catch (e) { fail(status, e); }
      go.disabled = false;
    };
    return { go };
  }

  function mountChat(box) {
    const text = el("input", { type: "text", class: "statement", size: 40,
                               value: "where are you going?" });
    const mode = el("select", { class: "mode" }, el("option", { value: "greedy", text: "greedy" }),
                    el("option", { value: "sample", text: "sampled (T 0.8, top-p 0.9)" }),
                    el("option", { value: "beam", text: "beam search (5)" }));
    const go = el("button", { class: "go", text: "Say it" });
    const log = el("div", { class: "log" }), status = el("div", { class: "status" });
    box.append(el("div", { class: "controls" }, field("You", text), mode, go), log, status);
    const send = async () => {
      if (go.disabled) return;   // one reply at a time
      go.disabled = true; status.textContent = "loading…"; status.classList.remove("error");
      try {
        const r = await reply(text.value, { mode: mode.value });
        log.append(el("div", { class: "you", text: "you: " + r.statement.join(" ") }),
                   el("div", { class: "bot", text: `bot (${mode.value}): ` + r.text }));
        log.lastChild.scrollIntoView({ block: "nearest" });
        status.textContent = "";
      } catch (e) { fail(status, e); }
      go.disabled = false;
    };
    go.onclick = send;
    text.addEventListener("keydown", e => { if (e.key === "Enter") send(); });
    return { go };
  }

  const MOUNT = { sample: mountSample, gates: mountGates, chat: mountChat };
  function mountAll() {
    if (!document.querySelector('link[data-lstm-demos]')) {
      document.head.append(el("link", { rel: "stylesheet", href: BASE + "demos.css",
                                        "data-lstm-demos": "1" }));
    }
    for (const box of document.querySelectorAll(".lstm-demo:not([data-mounted])")) {
      box.dataset.mounted = "1";
      const make = MOUNT[box.dataset.demo];
      if (!make) continue;
      make(box);
      const status = box.querySelector(".status");
      if (location.protocol === "file:") load().catch(e => fail(status, e));
      else {   // fetch the runtime and the model once the demo comes into view
        new IntersectionObserver((seen, obs) => {
          if (seen.some(s => s.isIntersecting)) {
            obs.disconnect();
            load().then(() => box.dataset.demo === "chat" ? chatbot() : charModel())
              .catch(e => fail(status, e));
          }
        }).observe(box);
      }
    }
  }
  const api = { load, generate, greedy: (prime, n) => generate({ prime, n }).then(r => r.text),
                gates, reply, normalize, mountAll, stats: {} };
  window.lstmDemos = api;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
