// TF Playground's own engine (../shared/tfp-bench/nn.js, not part of this repo) on the spiral
// setup over N runs, as its bench.js does it but with more runs: the median test loss after
// 500 epochs. Usage: node benchmarks/tfp_quality.js [runs]
const path = require("path");
const nn = require(path.join(__dirname, "..", "..", "shared", "tfp-bench", "nn.js"));
const runs = Number(process.argv[2] || 100);
const rand = (a, b) => Math.random() * (b - a) + a;
function spiral(num) {
  const pts = [], n = num / 2;
  for (const [dt, label] of [[0, 1], [Math.PI, -1]]) for (let i = 0; i < n; i++) {
    const r = i / n * 5, t = 1.75 * i / n * 2 * Math.PI + dt;
    pts.push({ x: r * Math.sin(t) + rand(-1, 1) * 0, y: r * Math.cos(t) + rand(-1, 1) * 0, label });
  }
  return pts;
}
const ls = [];
for (let s = 0; s < runs; s++) {
  const data = spiral(500);
  for (let i = data.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [data[i], data[j]] = [data[j], data[i]]; }
  const train = data.slice(0, 250), test = data.slice(250);
  const net = nn.buildNetwork([2, 8, 8, 1], nn.Activations.TANH, nn.Activations.TANH, null, ["x1", "x2"], false);
  for (let e = 0; e < 500; e++) train.forEach((p, i) => {
    nn.forwardProp(net, [p.x, p.y]); nn.backProp(net, p.label, nn.Errors.SQUARE);
    if ((i + 1) % 10 === 0) nn.updateWeights(net, 0.03, 0);
  });
  let l = 0;
  for (const p of test) l += nn.Errors.SQUARE.error(nn.forwardProp(net, [p.x, p.y]), p.label);
  ls.push(l / test.length);
}
ls.sort((a, b) => a - b);
const q = (f) => ls[Math.floor(f * (ls.length - 1))];
console.log(JSON.stringify({ runs, median: +((ls[(runs - 1) >> 1] + ls[runs >> 1]) / 2).toFixed(4), q25: +q(0.25).toFixed(4), q75: +q(0.75).toFixed(4) }));
