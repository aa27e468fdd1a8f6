// Canvas pictures of the playground: heatmaps (TF Playground's colours: orange −1, grey 0,
// blue +1, as playground/render.py), data points, loss curves, confusion matrix, gradient flow.
var MLPDraw = (function () {
  "use strict";
  const ORANGE = [245, 147, 34], MID = [232, 234, 235], BLUE = [8, 119, 189];
  const CLASS = [[245, 147, 34], [8, 119, 189], [46, 160, 67], [214, 39, 40], [148, 103, 189],
                 [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
  const VIEW = 6.0;
  const LUT = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = -1 + 2 * i / 255, end = t < 0 ? ORANGE : BLUE, w = Math.abs(t);
    for (let c = 0; c < 3; c++) LUT[3 * i + c] = Math.trunc(MID[c] + (end[c] - MID[c]) * w);
  }

  function lutIndex(v, discretize) {
    if (!Number.isFinite(v)) v = 0;
    if (discretize) v = Math.sign(v);
    return Math.trunc((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
  }

  // n*n grid points covering [-VIEW, VIEW]^2, row 0 at the top (x2 = +VIEW): render.grid
  function grid(n) {
    const xy = new Float64Array(2 * n * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      xy[2 * (r * n + c)] = -VIEW + 2 * VIEW * c / (n - 1);
      xy[2 * (r * n + c) + 1] = VIEW - 2 * VIEW * r / (n - 1);
    }
    return xy;
  }

  // A reusable n×n ImageData for a heatmap; `scaled` (input features) are scaled to [-1, 1].
  function image(n) {
    const c = document.createElement("canvas");
    c.width = c.height = n;
    const ctx = c.getContext("2d");
    return { canvas: c, ctx, img: ctx.createImageData(n, n), n };
  }

  // values: n*n numbers in [-1, 1] (or per-class probabilities, see classesInto)
  function valuesInto(pic, values, scale, discretize, step) {
    const d = pic.img.data, n = pic.n, full = Math.round(Math.sqrt(values.length)), s = step || 1;
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const i = lutIndex(values[(r * s) * full + c * s] / scale, discretize) * 3, o = 4 * (r * n + c);
      d[o] = LUT[i]; d[o + 1] = LUT[i + 1]; d[o + 2] = LUT[i + 2]; d[o + 3] = 255;
    }
    pic.ctx.putImageData(pic.img, 0, 0);
    return pic.canvas;
  }

  // probs: K arrays of n*n probabilities -> colour of the likeliest class, faded by doubt
  function classesInto(pic, probs, discretize) {
    const d = pic.img.data, n = pic.n, k = probs.length;
    for (let p = 0; p < n * n; p++) {
      let best = 0, top = -1;
      const col = [0, 0, 0];
      for (let j = 0; j < k; j++) {
        let v = probs[j][p];
        if (!Number.isFinite(v)) v = 1 / k;
        if (v > top) { top = v; best = j; }
      }
      for (let j = 0; j < k; j++) {
        let v = discretize ? (j === best ? 1 : 0) : probs[j][p];
        if (!Number.isFinite(v)) v = 1 / k;
        for (let c = 0; c < 3; c++) col[c] += v * CLASS[j % CLASS.length][c];
      }
      const conf = discretize ? 1 : (top - 1 / k) / (1 - 1 / k);
      for (let c = 0; c < 3; c++) d[4 * p + c] = Math.trunc(MID[c] + (col[c] - MID[c]) * (0.25 + 0.75 * conf));
      d[4 * p + 3] = 255;
    }
    pic.ctx.putImageData(pic.img, 0, 0);
    return pic.canvas;
  }

  function blit(ctx, canvas, x, y, size, smooth) {
    ctx.imageSmoothingEnabled = !!smooth;
    ctx.drawImage(canvas, x, y, size, size);
  }

  function pointColor(kind, y) {
    if (kind === "multiclass") return CLASS[(y | 0) % CLASS.length];
    const i = lutIndex(y, false) * 3;
    return [LUT[i], LUT[i + 1], LUT[i + 2]];
  }

  // training points with a white rim, test points with a black rim (TF Playground)
  function points(ctx, split, kind, x0, y0, size, stroke, r) {
    const xy = split.xy;
    for (let i = 0; i < split.n; i++) {
      const px = x0 + (xy[2 * i] + VIEW) / (2 * VIEW) * size;
      const py = y0 + (VIEW - xy[2 * i + 1]) / (2 * VIEW) * size;
      const c = pointColor(kind, split.y[i]);
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = stroke;
      ctx.stroke();
    }
  }

  // 1-2-5 ticks covering [lo, hi]
  function ticks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / Math.max(1, count), p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || 10 * p;
    const out = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
    return out;
  }

  function fmt(v) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
    return String(+v.toPrecision(3));
  }

  function sizeCanvas(canvas, w, h) {
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
      canvas.style.width = `${w}px`; canvas.style.height = `${h}px`;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return ctx;
  }

  // Lines over epochs: series = [{values: [[x, y], ...], color, width, dash}]; log: log10 y axis
  function lines(canvas, w, h, series, opts) {
    const o = Object.assign({ log: false, left: 38, bottom: 16, top: 6, right: 6, yLabel: "" }, opts || {});
    const ctx = sizeCanvas(canvas, w, h);
    const tf = (v) => (o.log ? Math.log10(v) : v);
    let xmax = 1, ylo = Infinity, yhi = -Infinity;
    for (const s of series) for (const [x, y] of s.values) {
      xmax = Math.max(xmax, x);
      if (Number.isFinite(y) && (!o.log || y > 0)) { ylo = Math.min(ylo, tf(y)); yhi = Math.max(yhi, tf(y)); }
    }
    if (!Number.isFinite(ylo)) { ylo = 0; yhi = 1; }
    if (!o.log) ylo = Math.min(0, ylo);
    if (yhi - ylo < 1e-9) yhi = ylo + (o.log ? 1 : Math.max(1e-3, Math.abs(ylo)));
    if (o.log) { ylo = Math.floor(ylo); yhi = Math.ceil(yhi); }
    const pw = w - o.left - o.right, ph = h - o.top - o.bottom;
    const X = (x) => o.left + x / xmax * pw, Y = (y) => o.top + (1 - (tf(y) - ylo) / (yhi - ylo)) * ph;
    ctx.font = "10px sans-serif"; ctx.fillStyle = "#555"; ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
    const yt = o.log ? ticks(ylo, yhi, 3).filter((t) => Number.isInteger(t)) : ticks(ylo, yhi, 3);
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const t of yt) {
      const py = o.top + (1 - (t - ylo) / (yhi - ylo)) * ph;
      ctx.beginPath(); ctx.moveTo(o.left, py); ctx.lineTo(o.left + pw, py); ctx.stroke();
      ctx.fillText(o.log ? `1e${t}` : fmt(t), o.left - 3, py);
    }
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (const t of ticks(0, xmax, 4)) ctx.fillText(fmt(t), X(t), o.top + ph + 3);
    for (const s of series) {
      ctx.beginPath(); ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.5;
      ctx.setLineDash(s.dash || []);
      let pen = false;
      for (const [x, y] of s.values) {
        if (!Number.isFinite(y) || (o.log && y <= 0)) { pen = false; continue; }
        const py = Math.min(Math.max(Y(y), o.top - 2), o.top + ph + 2);
        if (pen) ctx.lineTo(X(x), py); else ctx.moveTo(X(x), py);
        pen = true;
      }
      ctx.stroke();
      const only = s.values.filter(([, y]) => Number.isFinite(y) && (!o.log || y > 0));
      if (only.length === 1) {   // before training: one point, drawn as a dot, not an empty chart
        ctx.beginPath();
        ctx.arc(X(only[0][0]), Y(only[0][1]), 2.5, 0, 2 * Math.PI);
        ctx.fillStyle = s.color;
        ctx.fill();
      }
    }
    ctx.setLineDash([]);
  }

  // rows: true class, columns: predicted class
  function confusion(canvas, cm, names, w) {
    const k = cm.length, cell = Math.min(34, Math.floor((w - 70) / k)), left = 64, top = 26;
    const h = top + k * cell + 6;
    const ctx = sizeCanvas(canvas, w, h);
    let max = 1;
    for (const row of cm) for (const v of row) max = Math.max(max, v);
    ctx.font = "10px sans-serif"; ctx.fillStyle = "#555"; ctx.textAlign = "center";
    ctx.fillText("predicted →", left + k * cell / 2, 8);
    for (let i = 0; i < k; i++) {
      ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.fillStyle = "#555";
      ctx.fillText(names[i], left - 4, top + i * cell + cell / 2);
      ctx.textAlign = "center"; ctx.textBaseline = "bottom";
      ctx.fillText(names[i].split(" ")[0], left + i * cell + cell / 2, top - 1);
      for (let j = 0; j < k; j++) {
        const t = cm[i][j] / max, c = i === j ? BLUE : ORANGE;
        ctx.fillStyle = `rgb(${[0, 1, 2].map((q) => Math.round(255 + (c[q] - 255) * t)).join(",")})`;
        ctx.fillRect(left + j * cell, top + i * cell, cell - 1, cell - 1);
        ctx.fillStyle = t > 0.55 ? "#fff" : "#222"; ctx.textBaseline = "middle";
        ctx.fillText(String(cm[i][j]), left + j * cell + cell / 2, top + i * cell + cell / 2);
      }
    }
    return h;
  }

  // from the input (dark blue) to the output (orange), as gradflow._layer_colors
  function layerColor(i, n) {
    const t = i / Math.max(n - 1, 1);
    return `rgb(${Math.trunc(8 + t * 237)},${Math.trunc(119 + t * 28)},${Math.trunc(189 - t * 155)})`;
  }

  // a DOM element with a class and text, appended to parent (the diagram and the page use it)
  function el(tag, cls, parent, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  return { el, grid, image, valuesInto, classesInto, blit, points, lines, confusion, layerColor,
           ticks, fmt, sizeCanvas, pointColor, VIEW, CLASS };
})();
