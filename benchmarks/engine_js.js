// The browser engine (playground/mlp/web/engine.js) on the benchmark setup, in Node.
// stdin: {"net": ..., "X": ..., "T": ..., "n": ...} from benchmarks/engine.py; prints JSON.
const path = require("path");
const E = require(path.join(__dirname, "..", "playground", "mlp", "web", "engine.js"));
let input = "";
process.stdin.on("data", (d) => { input += d; });
process.stdin.on("end", () => {
  const c = JSON.parse(input), net = E.makeNet(c.net);
  const X = Float64Array.from(c.X), T = Float64Array.from(c.T);
  for (let k = 0; k < 20; k++) E.trainEpoch(net, X, T, c.n);
  const rates = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let k = 0; k < 2000; k++) E.trainEpoch(net, X, T, c.n);
    rates.push(2000 / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  rates.sort((a, b) => a - b);
  // one frame: every node over the 100 x 100 grid, as the page draws it
  const G = 100, F = c.net.sizes[0], gx = new Float64Array(G * G * F);
  for (let i = 0; i < G * G; i++) { gx[i * F] = -6 + 12 * (i % G) / (G - 1); gx[i * F + 1] = 6 - 12 * Math.floor(i / G) / (G - 1); }
  const vals = Array.from({ length: net.a.length }, () => new Float64Array(G * G)), z = new Float64Array(G * G);
  const times = [];
  for (let r = 0; r < 100; r++) {
    const t = process.hrtime.bigint();
    E.gridValues(net, gx, G * G, vals, z);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ training_epochs_per_s: Math.round(rates[2]), grid_frame_ms: +times[50].toFixed(3) }));
});
