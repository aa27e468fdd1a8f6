// One live session of the playground in the browser: the runs (A, and B when comparing),
// their history, gradient flow and status, trained frame by frame within a time budget.
// No drawing here (draw.js, diagram.js) and no Streamlit (app.js): Node can test it.
// The contract with Python is documented in playground/mlp/browser.py.
var MLPLive = (function (E) {
  "use strict";

  function rows(split) {
    return { n: split.n, X: Float64Array.from(split.X), T: Float64Array.from(split.T),
             xy: Float64Array.from(split.xy), y: Float64Array.from(split.y) };
  }

  function hyperOf(n) {
    return { opt: n.opt, lr: n.lr, batch: n.batch, reg: n.reg, reg_rate: n.reg_rate };
  }

  function freshNet(n) {
    return E.makeNet({ sizes: n.sizes, acts: n.acts, loss: n.loss, theta: n.theta0, opt: n.opt,
                       lr: n.lr, batch: n.batch, reg: n.reg, reg_rate: n.reg_rate, hyper: n.hyper });
  }

  // A session from the component's data (see browser.spec).
  function create(spec) {
    const s = {
      runId: spec.run_id, kind: spec.kind, nClasses: spec.n_classes, features: spec.features,
      train: rows(spec.train), test: rows(spec.test), view: Object.assign({}, spec.view),
      epoch: 0, playing: false, playStarted: 0, seq: 0, lastReport: 0, reportedEpoch: -1,
      nets: spec.nets.map((n) => ({
        spec: n, name: n.name, net: freshNet(n), status: "ready", message: "", history: [],
        flow: { epochs: [], grad: [], ratio: [] }, prevW: null, prevStep: 0, lastGrads: null,
      })),
    };
    for (const r of s.nets) record(s, r);
    return s;
  }

  // Settings that apply without a restart (as Run.set_hyper): same run_id, new values.
  function update(s, spec) {
    s.view = Object.assign({}, spec.view);
    spec.nets.forEach((n, i) => {
      const r = s.nets[i], net = r.net;
      if (!r) return;
      if (n.opt !== net.optCode) { // a new optimizer starts with fresh moments
        net.m.fill(0); net.v.fill(0); net.step = 0; r.prevStep = 0;
      }
      net.optCode = n.opt; net.lr = n.lr; net.batch = n.batch; net.regCode = n.reg;
      net.regRate = n.reg_rate; r.spec = n;
      if (r.status === "done" && !reachedStop(s)) r.status = "ready";
    });
  }

  // A page switch or reload: continue from what Python last heard.
  function resume(s, res) {
    if (!res || !Array.isArray(res.nets) || res.nets.length !== s.nets.length) return false;
    s.epoch = res.epoch;
    res.nets.forEach((q, i) => {
      const r = s.nets[i], net = r.net;
      net.theta.set(q.theta.map((x) => (x === null ? NaN : x)));
      net.m.set(q.m.map((x) => (x === null ? NaN : x)));
      net.v.set(q.v.map((x) => (x === null ? NaN : x)));
      net.step = q.step; r.prevStep = q.step; r.prevW = null;
      r.status = q.status; r.message = q.message;
      r.history = q.history.map((h) => [h[0], h[1] === null ? NaN : h[1], h[2] === null ? NaN : h[2]]);
      r.flow = { epochs: [], grad: [], ratio: [] };
      record(s, r, true);
    });
    return true;
  }

  function reset(s) {
    s.epoch = 0; s.playing = false;
    for (const r of s.nets) {
      r.net = freshNet(r.spec);
      r.status = "ready"; r.message = ""; r.history = []; r.prevW = null; r.prevStep = 0;
      r.flow = { epochs: [], grad: [], ratio: [] };
      record(s, r);
    }
  }

  function reachedStop(s) {
    return s.view.stop_at > 0 && s.epoch >= s.view.stop_at;
  }

  function weightsOnly(net) {
    return net.layout.map(([w0, b0]) => net.theta.slice(w0, b0));
  }

  function norm(a) {
    let t = 0.0;
    for (let k = 0; k < a.length; k++) t += a[k] * a[k];
    return Math.sqrt(t);
  }

  // Losses and gradient flow after a frame's training (as Run._record / FlowHistory.record).
  function record(s, r, keepHistory) {
    const net = r.net;
    const tr = E.dataLoss(net, s.train.X, s.train.T, s.train.n);
    const te = E.dataLoss(net, s.test.X, s.test.T, s.test.n);
    if (!keepHistory || r.history.length === 0) r.history.push([s.epoch, tr, te]);
    const hmax = s.view.history_max || 600;
    if (r.history.length > hmax) r.history = [r.history[0]].concat(r.history.filter((_, i) => i >= 2 && i % 2 === 0));
    const layers = E.layerGradientRMS(net, s.train.X, s.train.T, s.train.n);
    r.lastGrads = layers.map((l) => Float64Array.from(l.grad));
    const W = weightsOnly(net), steps = net.step - r.prevStep;
    const ratio = W.map((w, l) => {
      if (!r.prevW || steps <= 0) return NaN;
      const before = r.prevW[l], d = new Float64Array(w.length);
      for (let k = 0; k < w.length; k++) d[k] = w[k] - before[k];
      const size = norm(before);
      return size > 0 ? norm(d) / steps / size : NaN;
    });
    r.prevW = W; r.prevStep = net.step;
    r.flow.epochs.push(s.epoch); r.flow.grad.push(layers.map((l) => l.rms)); r.flow.ratio.push(ratio);
    if (r.flow.epochs.length > 300) {
      for (const k of ["epochs", "grad", "ratio"]) r.flow[k] = [r.flow[k][0]].concat(r.flow[k].filter((_, i) => i >= 2 && i % 2 === 0));
    }
    r.trainLoss = tr; r.testLoss = te;
  }

  function healthy(r) {
    const t = r.net.theta;
    if (!Number.isFinite(r.trainLoss)) return false;
    for (let k = 0; k < t.length; k++) if (!(Math.abs(t[k]) < 1e12)) return false;
    return true;
  }

  // Train every run in lockstep, one epoch at a time, until `maxEpochs` epochs ran, the stop
  // epoch is reached or `budgetMs` of wall time is used up. Returns the epochs that ran. The
  // numbers depend only on how many epochs ran, never on the budget: same seed, same run.
  function train(s, maxEpochs, budgetMs, clock) {
    const now = clock || (() => performance.now());
    const t0 = now();
    let ran = 0;
    const live = s.nets.filter((r) => r.status !== "diverged" && r.status !== "done");
    if (live.length === 0) return 0;
    while (ran < maxEpochs && !reachedStop(s)) {
      for (const r of live) E.trainEpoch(r.net, s.train.X, s.train.T, s.train.n);
      s.epoch += 1; ran += 1;
      if (now() - t0 >= budgetMs) break;
    }
    for (const r of live) {
      r.status = "training";
      record(s, r);
      if (!healthy(r)) {
        r.status = "diverged";
        r.message = r.spec.diverged_text.replace("{epoch}", String(s.epoch));
      } else if (reachedStop(s)) {
        r.status = "done";
        r.message = `Stopped at epoch ${s.epoch} as requested.`;
      }
    }
    return ran;
  }

  function anyStopped(s) {
    return s.nets.some((r) => r.status === "diverged" || r.status === "done");
  }

  function accuracy(s, r, split) {
    const d = split === "train" ? s.train : s.test;
    if (s.kind === "regression" || d.n === 0) return NaN;
    let ok = 0;
    const cm = confusion(s, r, split);
    for (let k = 0; k < cm.length; k++) ok += cm[k][k];
    return ok / d.n;
  }

  function trueClass(s, y) {
    return s.kind === "binary" ? (y > 0 ? 1 : 0) : y | 0;
  }

  function predictedClass(s, r, a, o0) {
    const nOut = r.net.sizes[r.net.sizes.length - 1];
    if (nOut === 1) return a[o0] > 0 ? 1 : 0;
    if (s.kind === "binary") return a[o0 + 1] - a[o0] > 0 ? 1 : 0;
    let best = 0;
    for (let j = 1; j < nOut; j++) if (a[o0 + j] > a[o0 + best]) best = j;
    return best;
  }

  // rows: true class, columns: predicted class (as Run.confusion)
  function confusion(s, r, split) {
    const d = split === "train" ? s.train : s.test, k = Math.max(s.nClasses, 2), net = r.net;
    const cm = Array.from({ length: k }, () => new Array(k).fill(0));
    if (s.kind === "regression") return cm;
    for (let i = 0; i < d.n; i++) {
      const o0 = E.forwardOne(net.theta, net.sizes, net.acts, net.lossCode, d.X, i, net.z, net.a);
      cm[trueClass(s, d.y[i])][predictedClass(s, r, net.a, o0)] += 1;
    }
    return cm;
  }

  function finiteOrNull(x) {
    return Number.isFinite(x) ? x : null;
  }

  // What Python hears (browser.apply_report). `full`: the whole history, else the new tail.
  function report(s, reason, full) {
    s.seq += 1;
    const since = s.reportedEpoch;
    const out = {
      run_id: s.runId, seq: s.seq, reason, playing: s.playing, epoch: s.epoch, full: !!full,
      nets: s.nets.map((r) => {
        const hist = full ? r.history : r.history.filter((h) => h[0] > since);
        const last = r.flow.epochs.length - 1;
        return {
          theta: Array.from(r.net.theta, finiteOrNull), m: Array.from(r.net.m, finiteOrNull),
          v: Array.from(r.net.v, finiteOrNull), step: r.net.step, status: r.status, message: r.message,
          history: hist.map((h) => [h[0], finiteOrNull(h[1]), finiteOrNull(h[2])]),
          flow: last < 0 ? null : { grad: r.flow.grad[last].map(finiteOrNull), ratio: r.flow.ratio[last].map(finiteOrNull) },
        };
      }),
    };
    s.reportedEpoch = s.epoch;
    return out;
  }

  // What the training worker posts after each chunk: enough for the page to draw. `since`:
  // the epoch of the last frame sent (-1: everything, e.g. after a reset).
  function frame(s, since) {
    return {
      epoch: s.epoch, playing: s.playing, timedOut: !!s.timedOut, full: since < 0,
      nets: s.nets.map((r) => ({
        theta: Float64Array.from(r.net.theta), status: r.status, message: r.message,
        trainLoss: r.trainLoss, testLoss: r.testLoss, lastGrads: r.lastGrads,
        history: since < 0 ? r.history : r.history.filter((h) => h[0] > since),
        flow: since < 0 ? r.flow : tail(r.flow, since),
      })),
    };
  }

  function tail(flow, since) {
    const k = flow.epochs.findIndex((e) => e > since);
    if (k < 0) return { epochs: [], grad: [], ratio: [] };
    return { epochs: flow.epochs.slice(k), grad: flow.grad.slice(k), ratio: flow.ratio.slice(k) };
  }

  function thin(list, max) {
    return list.length > max ? [list[0]].concat(list.filter((_, i) => i >= 2 && i % 2 === 0)) : list;
  }

  // The page's copy of the session (drawn, never trained) takes in a worker frame.
  function applyFrame(s, f) {
    s.epoch = f.epoch; s.playing = f.playing; s.timedOut = f.timedOut;
    f.nets.forEach((q, i) => {
      const r = s.nets[i];
      r.net.theta.set(q.theta);
      Object.assign(r, { status: q.status, message: q.message, trainLoss: q.trainLoss, testLoss: q.testLoss,
                         lastGrads: q.lastGrads });
      if (f.full) { r.history = q.history; r.flow = q.flow; return; }
      const hl = r.history.length ? r.history[r.history.length - 1][0] : -1;
      r.history = thin(r.history.concat(q.history.filter((h) => h[0] > hl)), s.view.history_max || 600);
      const fl = r.flow.epochs.length ? r.flow.epochs[r.flow.epochs.length - 1] : -1, t = tail(q.flow, fl);
      for (const k of ["epochs", "grad", "ratio"]) r.flow[k] = thin(r.flow[k].concat(t[k]), 300);
    });
  }

  // A hand edit of one parameter (the neuron panel). Values are clamped to ±100.
  function setParam(s, r, index, value) {
    let v = Number(value), note = "";
    if (!Number.isFinite(v)) { v = 0; note = "Not a number: set to 0."; }
    if (Math.abs(v) > 100) { v = Math.sign(v) * 100; note = "Clamped to ±100."; }
    r.net.theta[index] = v;
    record(s, r, true);
    r.history[r.history.length - 1] = [s.epoch, r.trainLoss, r.testLoss];
    if (r.status === "diverged" && healthy(r)) r.status = "training";
    return note;
  }

  return { create, update, resume, reset, train, anyStopped, accuracy, confusion, report, setParam,
           reachedStop, record, frame, applyFrame };
})(MLPEngine);
if (typeof module !== "undefined" && module.exports) module.exports = MLPLive;
