"""What a model costs: the one module that measures every model in the app the same way.

For one input of a model: parameters, size in MB, multiply-accumulates (MACs), latency on this
server, peak working memory, and a rough energy estimate. Torch models are measured through
``fn``, a zero-argument function that runs one input through the model (how the page uses it);
the playground's NumPy networks through :func:`network_cost`.

What is measured, exactly:

* **Parameters** — distinct parameter tensors (shared / tied weights counted once).
* **Size** — bytes of the parameters and buffers (e.g. BatchNorm statistics) in memory, in
  MB = 10⁶ bytes; the download is about the same for float32 weights.
* **MACs** — ``torch.utils.flop_counter.FlopCounterMode`` counts the matrix products,
  convolutions and attention of one call (MACs = FLOPs / 2, exact for Linear, Conv and
  attention). Fused attention kernels the counter has no formula for (in torch 2.14 the CPU
  kernel behind ``F.scaled_dot_product_attention`` counted 0) get one here:
  L·S·(E + Eᵥ) per batch and head, the same as the two matrix products QKᵀ and A·V. It does not see inside PyTorch's fused RNN kernels, so ``nn.RNN/LSTM/GRU`` are
  added by formula (gates × hidden × (inputs + hidden) per step and layer). Embedding look-ups,
  activations and normalisation are not multiply-accumulates and are left out.
* **Latency** — median wall-clock time of ``repeats`` calls after a warm-up, under
  ``torch.inference_mode()``, on this server as it is loaded right now.
* **Peak memory** — the weights plus the peak of tensor memory allocated during one call
  (activations and temporaries), read from PyTorch's CPU allocator through the profiler. The
  Python process itself (libraries, Streamlit) is not included.
* **Energy** — latency × busy cores × :data:`WATTS_PER_CORE`. An estimate from a stated power
  figure, not a measurement.
"""
from __future__ import annotations

import statistics
import threading
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

WATTS_PER_CORE = 15.0       # a typical server / laptop CPU core under full load (stated, not measured)
PHONE_CHARGE_WH = 15.0      # a smartphone battery, for a sense of scale
MB = 1e6
# One measurement at a time per server (re-entrant: a caller may hold it while it builds the
# model): less noise, fair CPU use, and at most one temporary model in memory.
MEASURE_LOCK = threading.RLock()


@dataclass
class Cost:
    name: str
    params: int
    size_mb: float
    macs: int
    latency_ms: float
    best_ms: float
    peak_mb: float               # weights + peak of activations/temporaries during one call
    activations_mb: float        # the second part alone
    threads: int
    input_desc: str
    dtype: str = "float32"
    repeats: int = 5
    notes: list[str] = field(default_factory=list)

    @property
    def joules(self) -> float:
        """Estimated energy of one inference: latency × busy cores × watts per core."""
        return self.latency_ms / 1000.0 * self.threads * WATTS_PER_CORE

    @property
    def wh_per_1000(self) -> float:
        return self.joules * 1000.0 / 3600.0

    @property
    def gmacs_per_s(self) -> float:
        return self.macs / max(self.latency_ms, 1e-9) / 1e6

    def row(self) -> dict:
        """The numbers as one table row (for the comparison table)."""
        return {"Model": self.name, "Parameters": self.params, "Size (MB)": round(self.size_mb, 2),
                "MACs per input": self.macs, "Latency (ms)": round(self.latency_ms, 3),
                "Peak memory (MB)": round(self.peak_mb, 2),
                "Energy per 1000 (Wh)": float(f"{self.wh_per_1000:.3g}"), "Input": self.input_desc}


# ---- counting -----------------------------------------------------------------------------
def count_params(module) -> int:
    """Distinct parameters (``module.parameters()`` already skips tied duplicates)."""
    return int(sum(p.numel() for p in module.parameters()))


def size_bytes(module) -> int:
    """Bytes of parameters and buffers, each storage counted once."""
    seen, total = set(), 0
    for t in list(module.parameters()) + list(module.buffers()):
        if t.device.type == "meta":
            total += t.numel() * t.element_size()
            continue
        key = (t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape))
        if key not in seen:
            seen.add(key)
            total += t.numel() * t.element_size()
    return int(total)


def dtype_of(module) -> str:
    kinds = sorted({str(p.dtype).replace("torch.", "") for p in module.parameters()})
    return "/".join(kinds) or "none"


_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _rnn_macs(mod, inputs) -> int:
    """MACs of one call of nn.RNN/LSTM/GRU: per step and layer gates × hidden × (in + hidden)."""
    x = inputs[0]
    if hasattr(x, "batch_sizes") and x.batch_sizes is not None:   # PackedSequence
        steps_batch = int(x.batch_sizes.sum())
    elif x.dim() == 3:
        steps_batch = x.shape[0] * x.shape[1]
    else:                                                       # unbatched (T, n_in)
        steps_batch = x.shape[0]
    g, h = _GATES[type(mod).__name__], mod.hidden_size
    dirs = 2 if mod.bidirectional else 1
    total = 0
    for layer in range(mod.num_layers):
        n_in = mod.input_size if layer == 0 else h * dirs
        total += dirs * g * h * (n_in + h)
    if getattr(mod, "proj_size", 0):
        raise NotImplementedError("LSTM with proj_size is not counted")
    return int(steps_batch * total)


# Fused scaled-dot-product attention kernels (whichever exist in this torch). The counter's own
# formulas are kept where it has one; the others (e.g. ``_scaled_dot_product_flash_attention_for_cpu``,
# what ``F.scaled_dot_product_attention`` runs on CPU) get :func:`_sdpa_flops`.
SDPA_OPS = ("_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_flash_attention",
            "_scaled_dot_product_efficient_attention", "_scaled_dot_product_cudnn_attention",
            "_scaled_dot_product_fused_attention_overrideable",
            "_scaled_dot_product_attention_math_for_mps")


def _sdpa_flops(q, k, v, *args, out_shape=None, **kwargs) -> int:
    """FLOPs of attention from the shapes (…, L, E), (…, S, E), (…, S, Eᵥ): QKᵀ and A·V, each
    L·S per head (key/value heads broadcast to the query's, as in grouped-query attention)."""
    lead = 1
    for n in q[:-2]:
        lead *= int(n)
    length, e, s, ev = int(q[-2]), int(q[-1]), int(k[-2]), int(v[-1])
    return 2 * lead * length * s * (e + ev)


def missing_attention_formulas() -> dict:
    """{aten op: formula} for the fused attention ops this torch's counter does not count."""
    import torch
    from torch.utils import flop_counter

    out = {}
    for name in SDPA_OPS:
        op = getattr(torch.ops.aten, name, None)
        if op is not None and op not in flop_counter.flop_registry:
            out[op] = _sdpa_flops
    return out


def count_macs(fn: Callable[[], object], module=None) -> int:
    """Multiply-accumulates of one call of ``fn`` (FLOPs / 2, plus recurrent layers whose fused
    kernel the counter cannot see, by formula)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False, custom_mapping=missing_attention_formulas())
    extra, handles, before = [0], [], {}

    def pre(mod, inputs):
        before[id(mod)] = counter.get_total_flops()

    def post(mod, inputs, output):
        if counter.get_total_flops() == before.pop(id(mod), None):   # a fused kernel: not seen
            extra[0] += _rnn_macs(mod, inputs)

    if module is not None:
        for m in module.modules():
            if type(m).__name__ in _GATES and isinstance(m, torch.nn.RNNBase):
                handles += [m.register_forward_pre_hook(pre), m.register_forward_hook(post)]
    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)   # the fused attention kernel is not counted
    try:
        with torch.inference_mode(), counter:
            fn()
    finally:
        torch.backends.mha.set_fastpath_enabled(fast)
        for h in handles:
            h.remove()
    return int(counter.get_total_flops() // 2 + extra[0])


# ---- timing and memory ----------------------------------------------------------------------
def measure_latency(fn: Callable[[], object], repeats: int = 5, warmup: int = 1,
                    max_seconds: float = 20.0) -> tuple[float, float, int]:
    """(median ms, best ms, runs) of ``fn()`` under inference_mode; stops early after
    ``max_seconds`` so a slow model on a busy server does not hold the page forever."""
    import torch

    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            fn()
        start = time.perf_counter()
        for _ in range(max(1, repeats)):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000.0)
            if time.perf_counter() - start > max_seconds:
                break
    return statistics.median(times), min(times), len(times)


def peak_tensor_bytes(fn: Callable[[], object]) -> int:
    """Peak of CPU tensor memory allocated (and not yet freed) during one call of ``fn``.

    Reads the allocation / free events of PyTorch's CPU allocator recorded by the profiler
    (``profile_memory=True``), in time order. Memory that existed before the call (the
    weights) is not included.
    """
    import torch
    from torch.profiler import ProfilerActivity, profile

    with torch.inference_mode(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    deltas = []
    try:    # raw allocator events: every allocation and free with its time stamp
        for e in prof.profiler.kineto_results.events():
            if e.name() == "[memory]" and e.device_type() == torch.autograd.DeviceType.CPU:
                deltas.append((e.start_ns(), e.nbytes()))
    except (AttributeError, RuntimeError):   # pragma: no cover - older/newer profiler API
        deltas = [(ev.time_range.start, ev.self_cpu_memory_usage) for ev in prof.events()
                  if ev.self_cpu_memory_usage and ev.device_type == torch.autograd.DeviceType.CPU]
    cur = peak = 0
    for _, d in sorted(deltas, key=lambda t: t[0]):
        cur += d
        peak = max(peak, cur)
    return int(peak)


def measure(name: str, module, fn: Callable[[], object], input_desc: str, repeats: int = 5,
            notes: list[str] | None = None, macs: int | None = None) -> Cost:
    """Everything for one torch model: ``fn()`` runs one input through ``module``. ``macs`` may
    be given when already counted (e.g. on the meta device, which needs no memory)."""
    import torch

    with MEASURE_LOCK:
        params, size = count_params(module), size_bytes(module)
        macs = count_macs(fn, module) if macs is None else int(macs)
        act = peak_tensor_bytes(fn)
        median, best, runs = measure_latency(fn, repeats)
    return Cost(name, params, size / MB, macs, median, best, (size + act) / MB, act / MB,
                torch.get_num_threads(), input_desc, dtype_of(module), runs, list(notes or []))


class BudgetError(RuntimeError):
    """Measuring now would push the server's memory over its budget; the text says so."""


def rss_mb() -> float | None:
    """This process's resident memory in MB (Linux /proc), or None where unavailable."""
    try:
        import os

        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def release_memory():
    """Give freed heap memory back to the operating system (glibc keeps it otherwise), so a
    temporary model does not leave the server's resident memory higher than before."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):   # not glibc (macOS, musl): nothing to do
        pass


def network_cost(net, name: str = "Playground network", repeats: int = 200,
                 input_desc: str | None = None) -> Cost:
    """The playground's NumPy :class:`~playground.mlp.network.Network` on one point.

    MACs = Σ n_in × n_out over the layers (the weight products; biases and activations are
    additions and function calls). Memory is measured with ``tracemalloc``, which sees NumPy's
    allocations; the parameters are float64 (8 bytes each)."""
    sizes = list(net.sizes)
    macs = int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))
    x = np.zeros((1, sizes[0]))
    net.predict(x)                 # (no server-wide lock: a few milliseconds in all)
    act = 0
    if not tracemalloc.is_tracing():
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            net.predict(x)
            act = max(0, tracemalloc.get_traced_memory()[1] - base)
        finally:
            tracemalloc.stop()
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        net.predict(x)
        times.append((time.perf_counter() - t0) * 1000.0)
    size = net.theta.nbytes
    desc = input_desc or f"one point ({sizes[0]} input feature{'s' if sizes[0] != 1 else ''})"
    return Cost(name, int(net.n_params), size / MB, macs, statistics.median(times), min(times),
                (size + act) / MB, act / MB, 1, desc, str(net.theta.dtype), len(times))


# ---- words for the panel --------------------------------------------------------------------
def human(n: float, unit: str = "") -> str:
    """1234 → '1.23 k', 5.6e9 → '5.6 G' (SI prefixes, 3 significant digits)."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.3g} {prefix}{unit}"
    return f"{n:.3g} {unit}".rstrip() if isinstance(n, float) else f"{n} {unit}".rstrip()


def drivers(c: Cost) -> str:
    """One or two sentences on what drives this model's cost, from its own numbers."""
    if c.macs < 1e5:
        return (f"With only {human(c.macs)} multiply-accumulates per input the arithmetic is "
                f"nothing; the {c.latency_ms * 1000:.0f} µs are Python and NumPy overhead per call, "
                "so batching many points into one call is what makes it cheap.")
    per_param = c.macs / max(c.params, 1)
    desc = c.input_desc.lower()
    where = ("once per token" if "token" in desc else "once per time step" if "sequence" in desc
             else "once per pixel position" if ("image" in desc or "photo" in desc) else "many times")
    if per_param < 3:
        reuse = ("each weight is used about once per input, so moving "
                 f"{c.size_mb:.0f} MB of weights through memory matters as much as the arithmetic")
    else:
        reuse = (f"each weight is reused about {per_param:.0f}× per input ({where}), so the "
                 "arithmetic dominates and grows with the input size")
    return (f"{human(c.macs)} multiply-accumulates for one input — {reuse}. This CPU managed "
            f"{c.gmacs_per_s:.1f} GMAC/s on {c.threads} thread{'s' if c.threads != 1 else ''}.")


def _sig(x: float, digits: int = 2) -> str:
    """x rounded to ``digits`` significant digits, without scientific notation: 170, 3.5, 0.42."""
    return f"{float(f'{x:.{digits}g}'):g}"


def wh_text(wh: float) -> str:
    """Energy in Wh, or mWh / µWh for small amounts (2 significant digits)."""
    for factor, unit in ((1.0, "Wh"), (1e-3, "mWh")):
        if wh >= factor:
            return f"{_sig(wh / factor)} {unit}"
    return f"{_sig(wh / 1e-6)} µWh"


def energy_text(c: Cost) -> str:
    wh = c.wh_per_1000
    phone = wh / PHONE_CHARGE_WH
    return (f"≈ {wh_text(wh)} per 1000 inferences ({c.joules:.3g} J each), assuming "
            f"{WATTS_PER_CORE:.0f} W per busy CPU core × {c.threads} "
            f"core{'s' if c.threads != 1 else ''} — about {phone:.2g} of a phone charge "
            f"({PHONE_CHARGE_WH:.0f} Wh). An estimate, not a measurement.")


def table_text(x: float | None, digits: int = 3) -> str:
    """A table cell: 3 significant digits without scientific notation, "—" when not measured."""
    if x is None:
        return "—"
    return np.format_float_positional(float(x), precision=digits, unique=False, fractional=False,
                                      trim="-")


def energy_vs_work(costs: list[Cost]) -> str:
    """Does the energy follow the work (MACs) among these measured models? Said from their numbers:
    the energy estimate comes from the time, so it follows the work only where every model runs
    its arithmetic at a similar speed."""
    cs = sorted((c for c in costs if c.macs > 0), key=lambda c: c.macs)
    if len(cs) < 2:
        return ""
    flips = [(a, b) for i, a in enumerate(cs) for b in cs[i + 1:] if a.wh_per_1000 > b.wh_per_1000]
    fast, slow = max(cs, key=lambda c: c.gmacs_per_s), min(cs, key=lambda c: c.gmacs_per_s)
    speeds = (f"this server ran their arithmetic at {fast.gmacs_per_s:.3g} GMAC/s ({fast.name}) "
              f"down to {slow.gmacs_per_s:.3g} GMAC/s ({slow.name})")
    if not flips:
        return (f"Here the energy rises with the work: of these {len(cs)} models, every one with "
                f"more MACs also takes more energy. The energy is estimated from the time, and {speeds}.")
    a, b = max(flips, key=lambda p: (p[1].macs / p[0].macs) * (p[0].wh_per_1000 / p[1].wh_per_1000))
    return (f"The energy does not simply follow the work: {a.name} does {human(a.macs)} MACs per "
            f"input and takes {wh_text(a.wh_per_1000)} per 1000, while {b.name} does "
            f"{human(b.macs)} MACs and takes {wh_text(b.wh_per_1000)}. The energy is estimated from "
            f"the time, and {speeds}: how well a model's layers suit the CPU (and Python overhead "
            f"for small models) matters as much as the count of MACs. "
            f"{len(flips)} of {len(cs) * (len(cs) - 1) // 2} pairs are in this reversed order.")


def comparison_figure(costs: list[Cost], height: int | None = None) -> dict:
    """Measured models side by side: MACs per input and energy per 1000 inferences (log scales)."""
    costs = sorted(costs, key=lambda c: c.macs)
    names = [c.name for c in costs]
    h = height or 140 + 34 * len(costs)
    return {
        "data": [
            {"type": "bar", "orientation": "h", "y": names, "x": [max(c.macs, 1) for c in costs],
             "name": "MACs per input", "marker": {"color": "#0877bd"}, "xaxis": "x",
             "text": [human(c.macs) for c in costs], "textposition": "auto",
             "hovertemplate": "%{y}: %{x:.3s} MACs<extra></extra>"},
            {"type": "bar", "orientation": "h", "y": names, "x": [c.wh_per_1000 for c in costs],
             "name": "Wh per 1000 inferences", "marker": {"color": "#f59322"}, "xaxis": "x2",
             "text": [wh_text(c.wh_per_1000) for c in costs], "textposition": "auto",
             "hovertemplate": "%{y}: %{x:.3g} Wh per 1000<extra></extra>"},
        ],
        "layout": {"height": h, "template": "plotly_white", "showlegend": False, "bargap": 0.25,
                   "margin": {"l": 10, "r": 20, "t": 50, "b": 40},
                   "xaxis": {"type": "log", "domain": [0, 0.48], "title": {"text": "MACs per input (log)"}},
                   "xaxis2": {"type": "log", "domain": [0.52, 1],
                              "title": {"text": "Wh per 1000 inferences (log, estimate)"}},
                   "yaxis": {"automargin": True},
                   "title": {"text": "Work per input and energy per 1000 inferences"}},
    }
