// The playground's training engine for the browser: a line-by-line port of
// playground/mlp/kernel.py (and the formulas of playground/mlp/activations.py).
//
// Read it as the lesson, in the same words as the Python kernel:
//   forward   z_j = b_j + sum_i a_i W_ij,      a_j = f(z_j)
//   output    delta = dL/dz  (squared error: (a - t) f'(z);  softmax + cross-entropy: p - t)
//   backward  dL/dW_ij = a_i delta_j,  dL/db_j = delta_j,  delta_i = f'(z_i) sum_j W_ij delta_j
//   update    theta <- optimizer(theta, mean gradient over the batch + regularization)
//
// All parameters live in one flat Float64Array `theta`: layer l stores W[l] (row-major,
// W[i, j] links input i to neuron j), then b[l]. The loops, their order and the float
// operations are the Python kernel's, so both runtimes give the same numbers
// (tests/unit/test_browser_engine.py runs this file in Node and compares).
//
// Usable as a plain script (defines the global `MLPEngine`), from Node (`require`), and
// concatenated in front of the component's ES module (playground/ui/mlp_live.py).
var MLPEngine = (function () {
  "use strict";
  const GELU_C = 0.7978845608028654; // sqrt(2 / pi)

  // Each activation is an object with f(x) and df(x, y), y = f(x): the same formulas,
  // written the same way, as playground/mlp/activations.py. Order = activation codes.
  const ACTIVATIONS = [
    { key: "relu", f: (x) => Math.max(x, 0.0), df: (x, y) => (x > 0 ? 1.0 : 0.0) },
    { key: "leaky_relu", f: (x) => Math.max(x, 0.01 * x), df: (x, y) => 0.01 + 0.99 * (x > 0 ? 1 : 0) },
    { key: "elu", f: (x) => Math.max(x, 0.0) + Math.expm1(Math.min(x, 0.0)),
      df: (x, y) => (x > 0 ? 1.0 : 0.0) + (x <= 0 ? 1 : 0) * (y + 1.0) },
    { key: "gelu", f: (x) => 0.5 * x * (1.0 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x))),
      df: (x, y) => {
        const t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3 * 0.044715 * x * x);
      } },
    { key: "silu", f: (x) => x * 0.5 * (1.0 + Math.tanh(0.5 * x)),
      df: (x, y) => { const s = 0.5 * (1.0 + Math.tanh(0.5 * x)); return s * (1.0 + x * (1.0 - s)); } },
    { key: "softplus", f: (x) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0.0),
      df: (x, y) => 0.5 * (1.0 + Math.tanh(0.5 * x)) },
    { key: "tanh", f: (x) => Math.tanh(x), df: (x, y) => 1.0 - y * y },
    { key: "sigmoid", f: (x) => 0.5 * (1.0 + Math.tanh(0.5 * x)), df: (x, y) => y * (1.0 - y) },
    { key: "linear", f: (x) => x * 1.0, df: (x, y) => x * 0.0 + 1.0 },
  ];
  const LOSS_SQUARED = 0, LOSS_CROSS_ENTROPY = 1;
  const REG_NONE = 0, REG_L1 = 1, REG_L2 = 2;
  const OPT_SGD = 0, OPT_MOMENTUM = 1, OPT_RMSPROP = 2, OPT_ADAM = 3;

  // numba's float ** int: exponentiation by squaring (math.pow past 0x10000), so Adam's bias
  // corrections match the Python kernel to the last bit.
  function intPower(a, b) {
    if (b > 0x10000) return Math.pow(a, b);
    let r = 1.0, exp = b;
    while (exp !== 0) {
      if (exp & 1) r *= a;
      exp >>= 1;
      a *= a;
    }
    return r;
  }

  // Forward pass of one example (row `r` of the flat matrix X with sizes[0] columns);
  // fills z and a for every node; returns the index of the first output node.
  function forwardOne(theta, sizes, acts, lossCode, X, r, z, a) {
    const nLayers = sizes.length - 1;
    const n0 = sizes[0];
    for (let i = 0; i < n0; i++) a[i] = X[r * n0 + i];
    let p = 0, aIn = 0;
    for (let l = 1; l <= nLayers; l++) {
      const nIn = sizes[l - 1], nOut = sizes[l];
      const aOut = aIn + nIn, b = p + nIn * nOut, f = ACTIVATIONS[acts[l - 1]].f;
      for (let j = 0; j < nOut; j++) {
        let s = theta[b + j];
        for (let i = 0; i < nIn; i++) s += a[aIn + i] * theta[p + i * nOut + j];
        z[aOut + j] = s;
        a[aOut + j] = f(s);
      }
      p = b + nOut;
      aIn = aOut;
    }
    if (lossCode === LOSS_CROSS_ENTROPY) { // softmax over the output layer
      const nOut = sizes[nLayers];
      let m = z[aIn];
      for (let j = 1; j < nOut; j++) m = Math.max(m, z[aIn + j]);
      let total = 0.0;
      for (let j = 0; j < nOut; j++) { a[aIn + j] = Math.exp(z[aIn + j] - m); total += a[aIn + j]; }
      for (let j = 0; j < nOut; j++) a[aIn + j] /= total;
    }
    return aIn;
  }

  // Adds dLoss/dtheta of one example (after forwardOne) to grad; returns its loss.
  function backwardOne(theta, sizes, acts, lossCode, T, r, z, a, delta, grad) {
    const nLayers = sizes.length - 1;
    let aOut = 0;
    for (let l = 0; l < nLayers; l++) aOut += sizes[l];
    const nOut = sizes[nLayers];
    let loss = 0.0;
    const dOut = ACTIVATIONS[acts[nLayers - 1]].df;
    for (let j = 0; j < nOut; j++) {
      const o = a[aOut + j], t = T[r * nOut + j];
      if (lossCode === LOSS_CROSS_ENTROPY) {
        if (t > 0) loss -= t * Math.log(Math.max(o, 1e-300));
        delta[aOut + j] = o - t;
      } else {
        loss += 0.5 * (o - t) ** 2;
        delta[aOut + j] = (o - t) * dOut(z[aOut + j], o);
      }
    }
    let pEnd = theta.length;
    for (let l = nLayers; l > 0; l--) {
      const nIn = sizes[l - 1], nO = sizes[l];
      const b = pEnd - nO, p = b - nIn * nO, aIn = aOut - nIn;
      for (let j = 0; j < nO; j++) grad[b + j] += delta[aOut + j];
      const dPrev = l > 1 ? ACTIVATIONS[acts[l - 2]].df : null;
      for (let i = 0; i < nIn; i++) {
        let back = 0.0;
        const ai = a[aIn + i];
        for (let j = 0; j < nO; j++) {
          const d = delta[aOut + j];
          grad[p + i * nO + j] += ai * d;
          back += theta[p + i * nO + j] * d;
        }
        if (l > 1) delta[aIn + i] = back * dPrev(z[aIn + i], ai);
      }
      pEnd = p;
      aOut = aIn;
    }
    return loss;
  }

  // grad <- mean gradient of rows start:stop plus the regularization gradient.
  // Returns the mean data loss of those rows plus the regularization penalty.
  function batchGradient(net, X, T, start, stop, grad) {
    const { theta, sizes, acts, lossCode, regCode, regRate, regMask, z, a, delta } = net;
    grad.fill(0.0);
    let loss = 0.0;
    for (let r = start; r < stop; r++) {
      forwardOne(theta, sizes, acts, lossCode, X, r, z, a);
      loss += backwardOne(theta, sizes, acts, lossCode, T, r, z, a, delta, grad);
    }
    const n = stop - start;
    loss /= n;
    let penalty = 0.0;
    for (let k = 0; k < theta.length; k++) {
      grad[k] /= n;
      if (regCode !== REG_NONE && regMask[k]) {
        const w = theta[k];
        if (regCode === REG_L1) {
          penalty += Math.abs(w);
          grad[k] += regRate * ((w > 0 ? 1 : 0) * 1.0 - (w < 0 ? 1 : 0) * 1.0);
        } else {
          penalty += 0.5 * w * w;
          grad[k] += regRate * w;
        }
      }
    }
    return loss + regRate * penalty;
  }

  // One update of theta with the same rules as torch.optim (step counts from 1).
  function optimizerStep(net, grad) {
    const { theta, optCode, lr, hyper, m, v } = net;
    const step = net.step;
    const momentum = hyper[0], beta1 = hyper[1], beta2 = hyper[2], eps = hyper[3], alpha = hyper[4];
    for (let k = 0; k < theta.length; k++) {
      const g = grad[k];
      if (optCode === OPT_SGD) {
        theta[k] -= lr * g;
      } else if (optCode === OPT_MOMENTUM) {
        m[k] = step > 1 ? momentum * m[k] + g : g;
        theta[k] -= lr * m[k];
      } else if (optCode === OPT_RMSPROP) {
        v[k] = alpha * v[k] + (1 - alpha) * g * g;
        theta[k] -= lr * g / (Math.sqrt(v[k]) + eps);
      } else {
        m[k] = beta1 * m[k] + (1 - beta1) * g;
        v[k] = beta2 * v[k] + (1 - beta2) * g * g;
        const mHat = m[k] / (1 - intPower(beta1, step));
        const vHat = v[k] / (1 - intPower(beta2, step));
        theta[k] -= lr * mHat / (Math.sqrt(vHat) + eps);
      }
    }
  }

  // One pass over the training rows in order, one optimizer step per mini-batch.
  // Returns the mean batch loss.
  function trainEpoch(net, X, T, nRows) {
    let total = 0.0, batches = 0;
    const bs = Math.max(1, net.batch | 0);
    for (let start = 0; start < nRows; start += bs) {
      const stop = Math.min(start + bs, nRows);
      total += batchGradient(net, X, T, start, stop, net.grad);
      net.step += 1;
      optimizerStep(net, net.grad);
      batches += 1;
    }
    return total / Math.max(batches, 1);
  }

  // A network's state: structure, parameters, optimizer state and work buffers.
  // spec: {sizes, acts (codes), loss (code), theta, opt (code), lr, batch, reg (code),
  //        reg_rate, hyper[5], m?, v?, step?}
  function makeNet(spec) {
    const sizes = Int32Array.from(spec.sizes);
    const nLayers = sizes.length - 1;
    let nParams = 0;
    const layout = [];
    for (let l = 1; l <= nLayers; l++) {
      layout.push([nParams, nParams + sizes[l - 1] * sizes[l], sizes[l - 1], sizes[l]]);
      nParams += sizes[l - 1] * sizes[l] + sizes[l];
    }
    if (spec.theta.length !== nParams) throw new Error(`theta has ${spec.theta.length} values, the network needs ${nParams}`);
    const regMask = new Uint8Array(nParams);
    for (const [w0, b0] of layout) for (let k = w0; k < b0; k++) regMask[k] = 1;
    let nNodes = 0;
    for (const s of sizes) nNodes += s;
    return {
      sizes, layout, acts: Int32Array.from(spec.acts), lossCode: spec.loss,
      theta: Float64Array.from(spec.theta),
      optCode: spec.opt, lr: spec.lr, batch: spec.batch, regCode: spec.reg, regRate: spec.reg_rate,
      hyper: Float64Array.from(spec.hyper || [0.9, 0.9, 0.999, 1e-8, 0.99]),
      m: spec.m ? Float64Array.from(spec.m) : new Float64Array(nParams),
      v: spec.v ? Float64Array.from(spec.v) : new Float64Array(nParams),
      step: spec.step || 0, regMask,
      z: new Float64Array(nNodes), a: new Float64Array(nNodes), delta: new Float64Array(nNodes),
      grad: new Float64Array(nParams),
    };
  }

  // Mean loss per example over rows of X (the kernel's per-example forward pass).
  function dataLoss(net, X, T, nRows) {
    if (nRows === 0) return NaN;
    const { theta, sizes, acts, lossCode, z, a } = net;
    const nOut = sizes[sizes.length - 1];
    let total = 0.0;
    for (let r = 0; r < nRows; r++) {
      const o0 = forwardOne(theta, sizes, acts, lossCode, X, r, z, a);
      let l = 0.0;
      for (let j = 0; j < nOut; j++) {
        const o = a[o0 + j], t = T[r * nOut + j];
        if (lossCode === LOSS_CROSS_ENTROPY) { if (t > 0) l -= t * Math.log(Math.max(o, 1e-300)); }
        else l += 0.5 * (o - t) ** 2;
      }
      total += l;
    }
    return total / nRows;
  }

  // Every node's value for every row of X: out[node] is a Float64Array of nRows values.
  // (The heatmaps inside the neurons and the output picture.)
  function nodeValues(net, X, nRows, out) {
    const { theta, sizes, acts, lossCode, z, a } = net;
    const nNodes = a.length;
    for (let r = 0; r < nRows; r++) {
      forwardOne(theta, sizes, acts, lossCode, X, r, z, a);
      for (let k = 0; k < nNodes; k++) out[k][r] = a[k];
    }
    return out;
  }

  // The same values, computed a layer at a time over all rows (as Network.forward): for the
  // 100×100 heatmap grid this is several times faster than one forwardOne per point, and the
  // sums run in the same order (bias, then inputs in order), so the numbers are identical.
  function gridValues(net, X, nRows, out, z) {
    const { theta, sizes, acts, lossCode } = net;
    const nLayers = sizes.length - 1, n0 = sizes[0];
    for (let i = 0; i < n0; i++) {
      const dst = out[i];
      for (let r = 0; r < nRows; r++) dst[r] = X[r * n0 + i];
    }
    let p = 0, aIn = 0;
    for (let l = 1; l <= nLayers; l++) {
      const nIn = sizes[l - 1], nOut = sizes[l], aOut = aIn + nIn, b = p + nIn * nOut;
      const last = l === nLayers && lossCode === LOSS_CROSS_ENTROPY;
      for (let j = 0; j < nOut; j++) {
        const zz = last ? out[aOut + j] : z, bias = theta[b + j];
        for (let r = 0; r < nRows; r++) zz[r] = bias;
        for (let i = 0; i < nIn; i++) {
          const w = theta[p + i * nOut + j], src = out[aIn + i];
          for (let r = 0; r < nRows; r++) zz[r] += src[r] * w;
        }
        if (!last) applyActivation(acts[l - 1], z, out[aOut + j], nRows);
      }
      if (last) { // softmax over the output nodes, point by point
        for (let r = 0; r < nRows; r++) {
          let m = out[aOut][r];
          for (let j = 1; j < nOut; j++) m = Math.max(m, out[aOut + j][r]);
          let total = 0.0;
          for (let j = 0; j < nOut; j++) { const e = Math.exp(out[aOut + j][r] - m); out[aOut + j][r] = e; total += e; }
          for (let j = 0; j < nOut; j++) out[aOut + j][r] /= total;
        }
      }
      p = b + nOut;
      aIn = aOut;
    }
    return out;
  }

  function applyActivation(code, z, dst, n) {
    const f = ACTIVATIONS[code].f;
    if (code === 6) { for (let r = 0; r < n; r++) dst[r] = Math.tanh(z[r]); return; }
    if (code === 0) { for (let r = 0; r < n; r++) dst[r] = Math.max(z[r], 0.0); return; }
    for (let r = 0; r < n; r++) dst[r] = f(z[r]);
  }

  // Per-layer RMS of dL/dW over all rows (as playground/mlp/gradflow.py records it).
  function layerGradientRMS(net, X, T, nRows) {
    const g = new Float64Array(net.theta.length);
    batchGradient(net, X, T, 0, nRows, g);
    return net.layout.map(([w0, b0]) => {
      let s = 0.0;
      for (let k = w0; k < b0; k++) s += g[k] * g[k];
      return { rms: Math.sqrt(s / Math.max(b0 - w0, 1)), grad: g.subarray(w0, b0) };
    });
  }

  // Input features from a point, as playground/mlp/features.py.
  const FEATURES = {
    x1: (a, b) => a, x2: (a, b) => b, x1sq: (a, b) => a * a, x2sq: (a, b) => b * b,
    x1x2: (a, b) => a * b, sinx1: (a, b) => Math.sin(a), sinx2: (a, b) => Math.sin(b),
  };

  return {
    ACTIVATIONS, FEATURES, LOSS_SQUARED, LOSS_CROSS_ENTROPY, REG_NONE, REG_L1, REG_L2,
    OPT_SGD, OPT_MOMENTUM, OPT_RMSPROP, OPT_ADAM,
    intPower, forwardOne, backwardOne, batchGradient, optimizerStep, trainEpoch, makeNet,
    dataLoss, nodeValues, gridValues, layerGradientRMS,
  };
})();
if (typeof module !== "undefined" && module.exports) module.exports = MLPEngine;
