// Test driver for playground/mlp/web/live.js (the browser's live session) in Node.
// stdin: {"spec": <browser.spec>, "scenario": name, ...}; stdout: JSON results.
const path = require("path");
const web = path.join(__dirname, "..", "..", "..", "playground", "mlp", "web");
global.MLPEngine = require(path.join(web, "engine.js"));
const L = require(path.join(web, "live.js"));
let input = "";
process.stdin.on("data", (d) => { input += d; });
process.stdin.on("end", () => {
  const c = JSON.parse(input), spec = c.spec, out = {};
  const theta = (s) => Array.from(s.nets[0].net.theta);
  if (c.scenario === "reset") {
    const s = L.create(spec);
    L.train(s, 30, Infinity);
    out.first = theta(s);
    L.reset(s);
    out.after_reset_epoch = s.epoch;
    out.after_reset_theta = theta(s);
    L.train(s, 30, Infinity);
    out.second = theta(s);
  } else if (c.scenario === "budget") {
    const a = L.create(spec), b = L.create(spec);
    L.train(a, 60, Infinity);
    let t = 0; const clock = () => (t += 1);   // a fake clock: every call is 1 ms later
    let frames = 0;
    while (b.epoch < 60) { L.train(b, 60 - b.epoch, 3, clock); frames += 1; }
    out.a = theta(a); out.b = theta(b); out.frames = frames;
    out.history_len = b.nets[0].history.length;
  } else if (c.scenario === "stop") {
    const s = L.create(spec);
    s.view.stop_at = 25;
    out.ran = L.train(s, 100, Infinity);
    out.epoch = s.epoch; out.status = s.nets[0].status; out.message = s.nets[0].message;
    out.more = L.train(s, 10, Infinity);
  } else if (c.scenario === "diverge") {
    const s = L.create(spec);
    for (let k = 0; k < 40 && s.nets[0].status !== "diverged"; k++) L.train(s, 5, Infinity);
    out.status = s.nets[0].status; out.message = s.nets[0].message; out.epoch = s.epoch;
    out.report = L.report(s, "diverged", true);
  } else if (c.scenario === "report") {
    const s = L.create(spec);
    L.train(s, c.epochs || 40, Infinity);
    out.report = L.report(s, "pause", true);
    out.grid = (() => {   // the network's outputs on a few points, to compare with the export
      const X = Float64Array.from(c.points), n = c.points.length / s.nets[0].net.sizes[0];
      const vals = Array.from({ length: s.nets[0].net.a.length }, () => new Float64Array(n));
      MLPEngine.gridValues(s.nets[0].net, X, n, vals, new Float64Array(n));
      const nOut = s.nets[0].net.sizes[s.nets[0].net.sizes.length - 1], off = s.nets[0].net.a.length - nOut;
      return vals.slice(off).map((v) => Array.from(v));
    })();
    out.tick = L.report(s, "tick", false);       // nothing new since: an empty tail
    L.train(s, 3, Infinity);
    out.tick2 = L.report(s, "tick", false);
  } else if (c.scenario === "resume") {
    const a = L.create(spec);
    L.train(a, 20, Infinity);
    L.train(a, 10, Infinity);
    out.continued = theta(a);
    const b = L.create(spec);
    out.resumed = L.resume(b, c.resume);
    L.train(b, 10, Infinity);
    out.from_resume = theta(b); out.epoch = b.epoch;
  } else if (c.scenario === "mirror") {
    const w = L.create(spec), m = L.create(spec);
    let since = -1;
    for (let k = 0; k < 15; k++) {
      L.train(w, 7, Infinity);
      const f = JSON.parse(JSON.stringify(L.frame(w, since), (key, v) => (v instanceof Float64Array ? Array.from(v) : v)));
      since = w.epoch;
      f.nets.forEach((q) => { q.theta = Float64Array.from(q.theta); });
      L.applyFrame(m, f);
    }
    out.same_theta = theta(w).every((v, i) => v === m.nets[0].net.theta[i]);
    out.w_hist = w.nets[0].history.map((h) => h[0]); out.m_hist = m.nets[0].history.map((h) => h[0]);
    out.w_flow = w.nets[0].flow.epochs; out.m_flow = m.nets[0].flow.epochs;
    out.epoch = m.epoch;
  } else if (c.scenario === "edit") {
    const s = L.create(spec);
    out.note_big = L.setParam(s, s.nets[0], 0, 1e9);
    out.v_big = s.nets[0].net.theta[0];
    out.note_nan = L.setParam(s, s.nets[0], 1, NaN);
    out.v_nan = s.nets[0].net.theta[1];
    out.note_ok = L.setParam(s, s.nets[0], 2, 0.25);
    out.v_ok = s.nets[0].net.theta[2];
    out.loss = s.nets[0].trainLoss; out.hist_last = s.nets[0].history[s.nets[0].history.length - 1];
  } else if (c.scenario === "confusion") {
    const s = L.create(spec);
    L.train(s, c.epochs || 50, Infinity);
    out.cm = L.confusion(s, s.nets[0], "test");
    out.acc = L.accuracy(s, s.nets[0], "test");
    out.theta = theta(s); out.epoch = s.epoch;
  }
  process.stdout.write(JSON.stringify(out));
});
