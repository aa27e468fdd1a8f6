// The network diagram: every input feature, neuron and output as a small live heatmap; links
// coloured by sign and sized by |weight| (or |∂L/∂w|); + / − for layers and neurons; click an
// input to use it or not; click a neuron to enlarge it and edit its weights beside it.
var MLPDiagram = (function (D) {
  "use strict";
  const SVGNS = "http://www.w3.org/2000/svg";
  const BOX = 34, THUMB = 25, HEAD = 62;

  const el = D.el;

  function svg(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function neuronName(l, j, nLayers, features) {
    if (l === 0) return features[j].label;
    if (l === nLayers) return `output ${j + 1}`;
    return `neuron ${l}.${j + 1}`;
  }

  // host: element; model: {s, allFeatures, width, height, locks, playing()}; on: callbacks
  function build(host, model, on) {
    const s = model.s, r = s.nets[0], net = r.net, sizes = net.sizes, L = sizes.length - 1;
    const W = model.width, used = new Set(s.features.map((f) => f.key));
    const inputs = model.allFeatures; // every feature, used or not (TF Playground shows all)
    const colX = (l) => 8 + l * (W - 16 - BOX) / Math.max(L, 1);
    const rowY = (i) => HEAD + i * (BOX + 10);
    const root = el("div", "pg-diagram", host);
    const height = Math.max(rowY(Math.max(inputs.length, ...Array.from(sizes))) + 4, model.height);
    root.style.height = `${height}px`;
    const links = svg("svg", { width: W, height, class: "pg-links" }, root);
    const tip = el("div", "pg-tip", root);
    tip.style.display = "none";

    // positions of the nodes that exist in the network: layer 0 = the used features only
    const usedIdx = inputs.map((f, i) => (used.has(f.key) ? i : -1)).filter((i) => i >= 0);
    const pos = (l, j) => [colX(l), l === 0 ? rowY(usedIdx[j]) : rowY(j)];
    const nodes = [], linkEls = [];

    // links first (under the boxes)
    for (let l = 1; l <= L; l++) {
      const [w0] = net.layout[l - 1], nOut = sizes[l];
      for (let i = 0; i < sizes[l - 1]; i++) for (let j = 0; j < nOut; j++) {
        const [x1, y1] = pos(l - 1, i), [x2, y2] = pos(l, j);
        const a = x1 + BOX, b = y1 + BOX / 2, c = x2, d = y2 + BOX / 2, m = (a + c) / 2;
        const p = svg("path", { d: `M${a},${b} C${m},${b} ${m},${d} ${c},${d}`, fill: "none",
                                class: "pg-link" }, links);
        const info = { el: p, index: w0 + i * nOut + j, l, i, j };
        p.addEventListener("mousemove", (ev) => showTip(ev, linkText(info)));
        p.addEventListener("mouseleave", hideTip);
        linkEls.push(info);
      }
    }

    function linkText(info) {
      const w = net.theta[info.index];
      let t = `${neuronName(info.l - 1, info.i, L, s.features)} → ${neuronName(info.l, info.j, L, s.features)}: weight ${D.fmt(w)}`;
      if (r.lastGrads) t += `, ∂L/∂w ${D.fmt(r.lastGrads[info.l - 1][info.i * sizes[info.l] + info.j])}`;
      return t;
    }

    function showTip(ev, text) {
      const box = root.getBoundingClientRect();
      tip.textContent = text;
      tip.style.display = "block";
      tip.style.left = `${Math.min(ev.clientX - box.left + 12, W - 220)}px`;
      tip.style.top = `${ev.clientY - box.top + 12}px`;
    }
    function hideTip() { tip.style.display = "none"; }

    // input features: all of them, the unused ones dimmed; click toggles
    inputs.forEach((f, i) => {
      const x = colX(0), y = rowY(i), isUsed = used.has(f.key);
      const box = el("div", "pg-node pg-input" + (isUsed ? "" : " pg-off") + (model.locks.features ? "" : " pg-click"), root);
      Object.assign(box.style, { left: `${x}px`, top: `${y}px` });
      const lab = el("div", "pg-flabel", root, f.label);
      Object.assign(lab.style, { left: `${x + BOX + 3}px`, top: `${y - 12}px` });
      const cv = el("canvas", "pg-thumb", box);
      box.title = model.locks.features ? f.label : `${f.label}: click to ${isUsed ? "stop using" : "use"} this input`;
      if (!model.locks.features) {
        box.addEventListener("click", () => {
          const next = inputs.filter((g) => (g.key === f.key ? !isUsed : used.has(g.key))).map((g) => g.key);
          if (next.length) on.features(next);
        });
      }
      if (isUsed) nodes.push({ l: 0, j: usedIdx.indexOf(i), canvas: cv, box });
      else { cv.width = cv.height = 1; }
    });

    for (let l = 1; l <= L; l++) for (let j = 0; j < sizes[l]; j++) {
      const [x, y] = pos(l, j);
      const box = el("div", "pg-node pg-click" + (l === L ? " pg-out" : ""), root);
      Object.assign(box.style, { left: `${x}px`, top: `${y}px` });
      const cv = el("canvas", "pg-thumb", box);
      box.title = `${neuronName(l, j, L, s.features)} (${l < L || s.kind !== "multiclass" ? model.actLabels[l - 1] : "softmax"}): click to enlarge and edit`;
      box.addEventListener("click", () => on.select(l, j));
      nodes.push({ l, j, canvas: cv, box });
    }

    // layer headers: + / − neurons; + / − layers
    const hidden = Array.from(sizes.slice(1, L));
    if (!model.locks.network) {
      const top = el("div", "pg-layers", root);
      const minus = el("button", "pg-mini", top, "−"), plus = el("button", "pg-mini", top, "+");
      el("span", "", top, ` ${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}`);
      minus.title = "Remove the last hidden layer"; plus.title = "Add a hidden layer";
      minus.disabled = hidden.length === 0; plus.disabled = hidden.length >= 6;
      minus.onclick = () => on.layers(hidden.slice(0, -1));
      plus.onclick = () => on.layers(hidden.concat([hidden.length ? hidden[hidden.length - 1] : 4]));
    }
    for (let l = 1; l < L; l++) {
      const head = el("div", "pg-head", root);
      Object.assign(head.style, { left: `${colX(l) + BOX / 2 - 57}px`, top: "22px" });
      if (!model.locks.network) {
        const m = el("button", "pg-mini", head, "−"), p = el("button", "pg-mini", head, "+");
        m.disabled = hidden[l - 1] <= 1; p.disabled = hidden[l - 1] >= 8;
        m.title = "One neuron less"; p.title = "One neuron more";
        m.onclick = () => { const h = hidden.slice(); h[l - 1] -= 1; on.layers(h); };
        p.onclick = () => { const h = hidden.slice(); h[l - 1] += 1; on.layers(h); };
      }
      el("div", "pg-hlabel", head, `${hidden[l - 1]} · ${model.actLabels[l - 1]}`);
    }
    const outHead = el("div", "pg-head", root);
    Object.assign(outHead.style, { left: `${colX(L) + BOX - 114}px`, top: "40px", textAlign: "right" });
    el("div", "pg-hlabel", outHead, sizes[L] > 1 ? "outputs · softmax" : `output · ${model.actLabels[L - 1]}`);
    const inHead = el("div", "pg-head pg-inhead", root, "Inputs");
    Object.assign(inHead.style, { left: "4px", top: "40px" });

    const thumbs = nodes.map(() => D.image(THUMB));
    let selected = null, panel = null;

    // values[k]: node k's value over the 100×100 grid (MLPEngine.nodeValues), featScale per input
    function update(values, featScale, gradLinks) {
      const offsets = [0];
      for (let l = 0; l < L; l++) offsets.push(offsets[l] + sizes[l]);
      nodes.forEach((nd, k) => {
        const v = values[offsets[nd.l] + nd.j];
        const isProb = nd.l === L && net.lossCode === 1;
        const scale = nd.l === 0 ? featScale[nd.j] : 1;
        const pic = thumbs[k];
        if (isProb) { // probability 0..1 shown as -1..1
          const tmp = pic.tmp || (pic.tmp = new Float64Array(v.length));
          for (let q = 0; q < v.length; q++) tmp[q] = 2 * v[q] - 1;
          D.valuesInto(pic, tmp, 1, false, 4);
        } else D.valuesInto(pic, v, scale, false, 4);
        const ctx = nd.canvas.getContext("2d");
        if (nd.canvas.width !== BOX) { nd.canvas.width = nd.canvas.height = BOX; }
        D.blit(ctx, pic.canvas, 0, 0, BOX, false);
      });
      let max = 1e-12;
      const val = (info) => (gradLinks && r.lastGrads ? r.lastGrads[info.l - 1][info.i * sizes[info.l] + info.j] : net.theta[info.index]);
      if (gradLinks) for (const info of linkEls) max = Math.max(max, Math.abs(val(info)));
      for (const info of linkEls) {
        const w = val(info), mag = Math.abs(w) / (gradLinks ? max : 1);
        info.el.setAttribute("stroke", !Number.isFinite(w) ? "#d62728" : w >= 0 ? "#0877bd" : "#f59322");
        info.el.setAttribute("stroke-width", String(Math.min(6, 0.5 + (gradLinks ? 5 * mag : 1.5 * mag))));
        info.el.setAttribute("stroke-opacity", String(Math.min(1, 0.35 + mag)));
      }
      if (panel) panel.refresh(values[offsets[selected.l] + selected.j]);
    }

    function select(l, j, makePanel) {
      nodes.forEach((nd) => nd.box.classList.toggle("pg-selected", nd.l === l && nd.j === j));
      if (panel) { panel.root.remove(); panel = null; }
      selected = l === null ? null : { l, j };
      if (selected) {
        const [x, y] = pos(l, j);
        panel = makePanel(root, l, j, x + BOX + 8 + 250 > W ? Math.max(0, x - 258) : x + BOX + 8, Math.max(0, Math.min(y - 20, height - 330)));
      }
    }

    return { root, update, select, height, neuronName: (l, j) => neuronName(l, j, L, s.features),
             selected: () => selected, destroy: () => root.remove() };
  }

  return { build, BOX };
})(MLPDraw);
