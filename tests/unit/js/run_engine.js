// Test driver: trains the browser engine (playground/mlp/web/engine.js) in Node on a JSON case
// read from stdin and prints the parameters and losses as JSON (tests/unit/test_browser_engine.py).
const path = require("path");
const E = require(path.join(__dirname, "..", "..", "..", "playground", "mlp", "web", "engine.js"));
let input = "";
process.stdin.on("data", (d) => { input += d; });
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const out = cases.map((c) => {
    const net = E.makeNet(c.net);
    const X = Float64Array.from(c.X), T = Float64Array.from(c.T);
    const Xte = Float64Array.from(c.Xte), Tte = Float64Array.from(c.Tte);
    const batchLosses = [];
    for (let e = 0; e < c.epochs; e++) batchLosses.push(E.trainEpoch(net, X, T, c.n));
    const flow = E.layerGradientRMS(net, X, T, c.n).map((l) => l.rms);
    return {
      theta: Array.from(net.theta), m: Array.from(net.m), v: Array.from(net.v), step: net.step,
      batch_losses: batchLosses, train_loss: E.dataLoss(net, X, T, c.n),
      test_loss: E.dataLoss(net, Xte, Tte, c.nte), flow,
    };
  });
  process.stdout.write(JSON.stringify(out));
});
// `node run_engine.js grid`: gridValues (layer at a time) must equal nodeValues (point by point)
if (process.argv[2] === "grid") {
  process.stdin.removeAllListeners("end");
  process.stdin.on("end", () => {
    const c = JSON.parse(input)[0];
    const net = E.makeNet(c.net);
    for (let e = 0; e < 20; e++) E.trainEpoch(net, Float64Array.from(c.X), Float64Array.from(c.T), c.n);
    const X = Float64Array.from(c.X), nNodes = net.a.length;
    const a = Array.from({ length: nNodes }, () => new Float64Array(c.n));
    const b = Array.from({ length: nNodes }, () => new Float64Array(c.n));
    E.nodeValues(net, X, c.n, a);
    E.gridValues(net, X, c.n, b, new Float64Array(c.n));
    let diff = 0;
    for (let k = 0; k < nNodes; k++) for (let r = 0; r < c.n; r++) diff = Math.max(diff, Math.abs(a[k][r] - b[k][r]));
    process.stdout.write(JSON.stringify({ diff, nodes: nNodes }));
  });
}
