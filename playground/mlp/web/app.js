// The playground component (Streamlit components v2): the live part of the page. It trains
// with MLPEngine, keeps the session in MLPLive, draws with MLPDraw and MLPDiagram, and tells
// Python what happened (state "report") or what the student changed (trigger "setting").
// Contract: playground/mlp/browser.py. Python glue: playground/ui/mlp_live.py.
const ALL_FEATURES = [["x1", "X₁"], ["x2", "X₂"], ["x1sq", "X₁²"], ["x2sq", "X₂²"], ["x1x2", "X₁X₂"],
                      ["sinx1", "sin(X₁)"], ["sinx2", "sin(X₂)"]].map(([key, label]) => ({ key, label }));
const SPEEDS = [1, 2, 5, 10, 20, 50, 100];
const GRID = 100;             // the output heatmap's resolution (thumbnails use every 4th point)
const ICONS = {               // Material Symbols paths (Apache-2.0), inline: nothing from a CDN
  play: "M8 5v14l11-7z", pause: "M6 19h4V5H6v14zm8-14v14h4V5h-4z",
  step: "M6 18l8.5-6L6 6v12zM16 6v12h2V6h-2z",
  reset: "M12 5V1L7 6l5 5V7c3.31 0 6 2.69 6 6s-2.69 6-6 6-6-2.69-6-6H4c0 4.42 3.58 8 8 8s8-3.58 8-8-3.58-8-8-8z",
};
const views = new WeakMap();   // parentElement -> the live view (survives reruns, not remounts)

const h = MLPDraw.el;

function iconButton(parent, icon, label, cls) {
  const b = h("button", "pg-btn " + (cls || ""), parent);
  b.innerHTML = `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${ICONS[icon]}"/></svg><span></span>`;
  b.querySelector("span").textContent = label;
  b.setAttribute("aria-label", label);
  return b;
}

function setIcon(b, icon, label) {
  b.querySelector("path").setAttribute("d", ICONS[icon]);
  b.querySelector("span").textContent = label;
  b.setAttribute("aria-label", label);
}

function gridFeatures(features) {
  const xy = MLPDraw.grid(GRID), n = GRID * GRID, F = features.length;
  const X = new Float64Array(n * F), scale = new Array(F).fill(1e-9);
  for (let p = 0; p < n; p++) for (let f = 0; f < F; f++) {
    const v = MLPEngine.FEATURES[features[f].key](xy[2 * p], xy[2 * p + 1]);
    X[p * F + f] = v;
    scale[f] = Math.max(scale[f], Math.abs(v));
  }
  return { X, scale, n };
}

function classNames(s) {
  if (s.kind === "binary") return ["−1 (orange)", "+1 (blue)"];
  return Array.from({ length: s.nClasses }, (_, k) => `class ${k}`);
}

class LiveView {
  constructor(root, api) {
    this.root = root; this.api = api; this.s = null; this.frame = 0; this.dirty = true;
    this.raf = null; this.selected = null;
    this.stats = { frames: 0, epochs: 0, drawMs: 0, trainMs: 0 };
  }

  // data from Python: a new run_id starts over; the same one updates settings in place
  load(data) {
    this.api.data = data;
    const fresh = !this.s;
    if (!this.trainer) this.trainer = MLPTrainers.make(this, () => this.fallBack());
    if (fresh || this.s.runId !== data.run_id) {
      this.trainer.init(data, fresh ? data.resume : null);
      this.grid = gridFeatures(this.s.features);
      this.selected = null;
      this.layout();
    } else {
      const before = JSON.stringify([this.s.view.show_test, this.s.view.discretize, data.locks]);
      this.trainer.update(data);
      if (before !== JSON.stringify([this.s.view.show_test, this.s.view.discretize, data.locks])) this.layout();
    }
    this.changed();
  }

  // a browser that refuses the worker: train in the page instead, from the last state we drew
  fallBack() {
    const data = this.api.data, s = this.s;
    this.trainer = new MLPTrainers.LocalTrainer(this);
    this.trainer.init(data, s ? MLPLive.report(s, "pause", true) : data.resume);
    this.layout();
    this.changed();
  }

  changed() { this.dirty = true; this.kick(); }

  report(rep) { this.api.setStateValue("report", rep); }

  // a setup change for Python (settings table, URL); `n` makes every click a new event
  setting(key, value) {
    this.clicks = (this.clicks || 0) + 1;
    this.api.setTriggerValue("setting", { key, value, n: this.clicks });
  }

  layout() {
    const data = this.api.data, s = this.s, root = this.root;
    root.textContent = "";
    const app = h("div", "pg-app", root);
    const width = Math.max(640, Math.floor(this.api.host.getBoundingClientRect().width || 900));
    this.width = width;
    // transport bar
    const bar = h("div", "pg-bar", app);
    this.playBtn = iconButton(bar, "play", "Play", "pg-primary");
    this.stepBtn = iconButton(bar, "step", "Step");
    this.resetBtn = iconButton(bar, "reset", "Reset");
    this.playBtn.onclick = () => this.setPlaying(!s.playing);
    this.stepBtn.onclick = () => this.step();
    this.resetBtn.onclick = () => this.reset();
    this.stepBtn.title = "Train exactly one epoch.";
    this.resetBtn.title = "Back to the initial weights of this seed.";
    const ep = h("div", "pg-epoch", bar);
    h("span", "pg-small", ep, "Epoch");
    this.epochEl = h("span", "pg-epochnum", ep, "0");
    const sp = h("label", "pg-speed", data.locks.training ? null : bar, "Speed ");
    this.speedSel = h("select", "", sp);
    for (const v of SPEEDS) { const o = h("option", "", this.speedSel, `${v} epoch${v > 1 ? "s" : ""}/frame`); o.value = v; }
    this.speedSel.value = String(SPEEDS.includes(s.view.speed) ? s.view.speed : 5);
    this.speedSel.onchange = () => {
      s.view.speed = Number(this.speedSel.value);
      this.setting("speed", s.view.speed);
    };
    this.statusEl = h("div", "pg-status", bar);
    // main: network | output
    const main = h("div", "pg-main", app);
    const left = h("div", "pg-left", main), right = h("div", "pg-right", main);
    const outW = Math.min(330, Math.max(250, Math.floor(width * 0.3)));
    right.style.width = `${outW}px`;
    this.diagram = MLPDiagram.build(left, {
      s, allFeatures: ALL_FEATURES, width: width - outW - 24, height: 420, locks: data.locks,
      actLabels: data.nets[0].act_labels,
    }, {
      features: (keys) => this.setting("features", keys),
      layers: (sizes) => this.setting("layers", sizes),
      select: (l, j) => this.select(l, j),
    });
    h("div", "pg-title", right, "Output");
    this.statsEl = h("div", "pg-stats", right);
    this.lossCanvas = h("canvas", "pg-loss", right);
    const pics = h("div", "pg-pics", right);
    const nPics = s.nets.length, picSize = nPics > 1 ? Math.floor((outW - 8) / 2) : Math.min(outW, 300);
    this.outPics = s.nets.map((r) => {
      const box = h("div", "pg-picbox", pics);
      if (nPics > 1) h("div", "pg-small", box, r.name);
      const c = h("canvas", "pg-outcanvas", box);
      c.width = c.height = picSize; c.style.width = c.style.height = `${picSize}px`;
      return { canvas: c, size: picSize, pic: MLPDraw.image(GRID), dots: this.dots(picSize) };
    });
    const toggles = h("div", "pg-toggles", data.locks.view ? null : right);
    for (const [key, label] of [["show_test", "Show test data"], ["discretize", "Discretize output"], ["grad_links", "Links show ∂L/∂w"]]) {
      const lab = h("label", "", toggles), cb = h("input", "", lab);
      cb.type = "checkbox"; cb.checked = !!s.view[key];
      lab.appendChild(document.createTextNode(" " + label));
      cb.onchange = () => {
        s.view[key] = cb.checked;
        if (key === "show_test") this.outPics.forEach((p) => { p.dots = this.dots(p.size); });
        this.dirty = true; this.kick();
        this.setting(key, cb.checked);
      };
    }
    this.msgEl = h("div", "pg-msg", app);
    const extra = h("div", "pg-extra", app);
    const fl = h("div", "pg-flow", extra);
    h("div", "pg-title", fl, "Gradient flow (RMS ∂L/∂W per layer, log scale)");
    this.flowCanvas = h("canvas", "", fl);
    this.flowLegend = h("div", "pg-legend", fl);
    if (s.kind !== "regression") {
      const cf = h("div", "pg-conf", extra);
      h("div", "pg-title", cf, "Confusion matrix (test data)");
      this.confCanvas = h("canvas", "", cf);
    } else this.confCanvas = null;
    this.values = s.nets.map((r) => Array.from({ length: r.net.a.length }, () => new Float64Array(GRID * GRID)));
    this.zbuf = new Float64Array(GRID * GRID);
    if (this.selected) this.select(this.selected.l, this.selected.j);
    this.dirty = true;
  }

  // the data points, drawn once per layout on their own canvas and laid over the heatmap
  dots(size) {
    const c = document.createElement("canvas");
    c.width = c.height = size;
    const ctx = c.getContext("2d"), r = size > 200 ? 3 : 2;
    MLPDraw.points(ctx, this.s.train, this.s.kind, 0, 0, size, "#fff", r);
    if (this.s.view.show_test) MLPDraw.points(ctx, this.s.test, this.s.kind, 0, 0, size, "#000", r);
    return c;
  }

  select(l, j) {
    this.selected = { l, j };
    this.diagram.select(l, j, (parent, L, J, x, y) => this.panel(parent, L, J, x, y));
  }

  // the enlarged neuron beside the network, with its bias and incoming weights to edit
  panel(parent, l, j, x, y) {
    const s = this.s, r = s.nets[0], net = r.net, card = h("div", "pg-panel", parent);
    Object.assign(card.style, { left: `${x}px`, top: `${y}px` });
    const head = h("div", "pg-panelhead", card, this.diagram.neuronName(l, j));
    const close = h("button", "pg-mini", head, "×");
    close.title = "Close"; close.onclick = () => { this.selected = null; this.diagram.select(null, null); };
    const cv = h("canvas", "pg-big", card);
    cv.width = cv.height = 150;
    const pic = MLPDraw.image(GRID);
    const note = h("div", "pg-small", card);
    const [w0, b0, nIn, nOut] = net.layout[l - 1];
    const fields = [["bias", b0 + j]];
    for (let i = 0; i < nIn; i++) fields.push([`w from ${this.diagram.neuronName(l - 1, i)}`, w0 + i * nOut + j]);
    const inputs = fields.map(([label, index]) => {
      const row = h("label", "pg-field", card, label + " ");
      const inp = h("input", "", row);
      inp.type = "number"; inp.step = "0.01";
      inp.onchange = () => {
        note.textContent = this.trainer.edit(0, index, inp.value === "" ? NaN : inp.value);
        inp.value = String(+net.theta[index].toFixed(4));
        this.changed();
      };
      return [inp, index];
    });
    const refresh = (values) => {
      const isProb = l === net.sizes.length - 1 && net.lossCode === 1;
      const v = isProb ? values.map((q) => 2 * q - 1) : values;
      MLPDraw.blit(cv.getContext("2d"), MLPDraw.valuesInto(pic, v, 1, false, 1), 0, 0, 150, false);
      for (const [inp, index] of inputs) {
        inp.disabled = s.playing;
        if (this.api.shadow.activeElement !== inp) inp.value = String(+net.theta[index].toFixed(4));
      }
      if (s.playing) note.textContent = "Pause to edit the weights.";
      else if (note.textContent === "Pause to edit the weights.") note.textContent = "";
    };
    return { root: card, refresh };
  }

  setPlaying(on) {
    const s = this.s;
    if (on && s.nets.some((r) => r.status === "diverged")) return;   // Reset first
    if (on && MLPLive.reachedStop(s)) return;
    this.trainer.play(on);
    setIcon(this.playBtn, on ? "pause" : "play", on ? "Pause" : "Play");   // in the click itself
    this.changed();
  }

  step() { this.trainer.step(); this.changed(); }

  reset() { this.trainer.reset(); this.changed(); }

  kick() {
    if (this.raf === null) this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  tick(now) {
    this.raf = null;
    if (!this.api.host.isConnected) { this.trainer.stop(); return; }   // the page is gone
    const s = this.s;
    if (s.playing) {
      const t0 = performance.now();
      this.trainer.frame(now);
      this.stats.trainMs += performance.now() - t0;
      this.frame += 1;
      this.dirty = true;
    }
    if (this.dirty) {
      const t0 = performance.now();
      this.draw();
      this.dirty = false;
      this.stats.frames += 1;
      this.stats.drawMs += performance.now() - t0;
    }
    if (s.playing) this.kick();
  }

  draw() {
    const s = this.s, A = s.nets[0];
    setIcon(this.playBtn, s.playing ? "pause" : "play", s.playing ? "Pause" : "Play");
    this.epochEl.textContent = s.epoch.toLocaleString("en-US");
    const T = (this.stats.parts = this.stats.parts || {}), tick = (name, t0) => { T[name] = (T[name] || 0) + performance.now() - t0; return performance.now(); };
    let t0 = performance.now();
    s.nets.forEach((r, k) => {
      MLPEngine.gridValues(r.net, this.grid.X, this.grid.n, this.values[k], this.zbuf);
      t0 = tick("grid", t0);
      const out = this.outPics[k], L = r.net.sizes.length - 1, off = r.net.a.length - r.net.sizes[L];
      let canvas;
      if (s.kind === "multiclass") {
        canvas = MLPDraw.classesInto(out.pic, this.values[k].slice(off), s.view.discretize);
      } else {
        let v = this.values[k][off];
        if (r.net.lossCode === 1) { // two-class softmax: p(+1) - p(-1)
          const p0 = this.values[k][off], p1 = this.values[k][off + 1];
          v = out.tmp || (out.tmp = new Float64Array(p0.length));
          for (let q = 0; q < p0.length; q++) v[q] = p1[q] - p0[q];
        }
        canvas = MLPDraw.valuesInto(out.pic, v, 1, s.view.discretize && s.kind !== "regression", 1);
      }
      const ctx = out.canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.size, out.size);
      ctx.globalAlpha = 0.72;   // a lighter background, so the points stand out (TF Playground)
      MLPDraw.blit(ctx, canvas, 0, 0, out.size, true);
      ctx.globalAlpha = 1;
      ctx.drawImage(out.dots, 0, 0);
    });
    t0 = tick("outpic", t0);
    this.diagram.update(this.values[0], this.grid.scale, s.view.grad_links);
    t0 = tick("diagram", t0);
    // numbers
    this.statsEl.textContent = "";
    for (const r of s.nets) {
      const line = h("div", "", this.statsEl), acc = MLPLive.accuracy(s, r, "test");
      const name = s.nets.length > 1 ? `${r.name}: ` : "";
      line.textContent = `${name}test loss ${r.testLoss.toFixed(3)} · train ${r.trainLoss.toFixed(3)}` +
        (Number.isNaN(acc) ? "" : ` · test accuracy ${(100 * acc).toFixed(1)}%`);
    }
    const colors = ["#333", "#d62728"];
    const series = [];
    s.nets.forEach((r, k) => {
      series.push({ values: r.history.map((q) => [q[0], q[1]]), color: colors[k], width: 2 });
      series.push({ values: r.history.map((q) => [q[0], q[2]]), color: colors[k], width: 1, dash: [3, 2] });
    });
    t0 = tick("stats", t0);
    MLPDraw.lines(this.lossCanvas, this.outPics[0].size * (s.nets.length > 1 ? 2 : 1), 84, series);
    t0 = tick("loss", t0);
    // gradient flow of A
    const L = A.net.sizes.length - 1, fseries = [];
    for (let l = 0; l < L; l++) fseries.push({ values: A.flow.epochs.map((e, q) => [e, A.flow.grad[q][l]]), color: MLPDraw.layerColor(l, L), width: 2 });
    MLPDraw.lines(this.flowCanvas, Math.min(520, this.width - 300), 110, fseries, { log: true });
    if (this.flowLegend.childElementCount !== L) {
      this.flowLegend.textContent = "";
      for (let l = 0; l < L; l++) {
        const sw = h("span", "pg-swatch", this.flowLegend, l === L - 1 ? "output" : `layer ${l + 1}`);
        sw.style.borderColor = MLPDraw.layerColor(l, L);
      }
    }
    t0 = tick("flow", t0);
    if (this.confCanvas && (!s.playing || this.frame % 6 === 0)) {
      MLPDraw.confusion(this.confCanvas, MLPLive.confusion(s, A, "test"), classNames(s), 250);
    }
    const msgs = s.nets.filter((r) => r.message).map((r) => (s.nets.length > 1 ? `${r.name}: ` : "") + r.message);
    if (s.timedOut && !s.playing) msgs.push(`Paused after ${Math.round(s.view.max_seconds / 60)} minutes of training to share the computer. Press Play to go on.`);
    this.msgEl.textContent = msgs.join(" ");
    this.msgEl.className = "pg-msg" + (s.nets.some((r) => r.status === "diverged") ? " pg-bad" : msgs.length ? " pg-info" : "");
    this.statusEl.textContent = s.playing ? "training in your browser" : "";
    this.stats.epoch = s.epoch;
  }
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  let view = views.get(parentElement);
  try {
    if (!view) {
      const root = document.createElement("div");
      parentElement.appendChild(root);
      const fallback = parentElement.querySelector(".pg-fallback");
      if (fallback) fallback.remove();
      view = new LiveView(root, { host: parentElement.host || parentElement, shadow: parentElement });
      views.set(parentElement, view);
      view.api.host.pgView = view;   // benchmarks and browser tests read view.stats
    }
    view.api.setStateValue = setStateValue;
    view.api.setTriggerValue = setTriggerValue;
    view.load(data);
    // Streamlit calls this before new data and when the element goes away (a page switch):
    // only then is the host detached, and the worker is stopped
    const v = view;
    return () => setTimeout(() => { if (!v.api.host.isConnected && v.trainer) v.trainer.stop(); }, 200);
  } catch (err) {
    const box = document.createElement("div");
    box.className = "pg-msg pg-bad";
    box.textContent = `The live playground could not start in this browser (${err && err.name ? err.name : "error"}). ` +
      "Please use a current Chrome, Edge, Firefox or Safari.";
    parentElement.appendChild(box);
    console.warn("playground:", err);
  }
}
