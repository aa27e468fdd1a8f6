"""The shared cost module against hand-computed numbers on small modules."""
import pytest
import torch
from torch import nn

from playground import catalog as K
from playground import cost as C
from playground.mlp.network import Network
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set


def macs(module, *inputs):
    return C.count_macs(lambda: module(*inputs), module)


def test_linear_and_mlp_macs_are_exact():
    assert macs(nn.Linear(10, 5), torch.randn(1, 10)) == 10 * 5
    assert macs(nn.Linear(10, 5), torch.randn(7, 10)) == 7 * 10 * 5     # per row
    mlp = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 3))
    assert macs(mlp, torch.randn(1, 10)) == 10 * 5 + 5 * 3               # activations are free


def test_conv_macs_are_exact():
    conv = nn.Conv2d(3, 4, 3, padding=1)                # 8×8 output, each 3·3·3 products
    assert macs(conv, torch.randn(1, 3, 8, 8)) == 4 * 8 * 8 * 3 * 3 * 3
    strided = nn.Conv2d(2, 6, 5, stride=2, groups=2)    # 13→5 per side, 1 input channel per group
    assert macs(strided, torch.randn(1, 2, 13, 13)) == 6 * 5 * 5 * 1 * 5 * 5


def test_attention_and_embedding():
    att = nn.MultiheadAttention(16, 2, batch_first=True)
    q = torch.randn(1, 5, 16)
    projections = 4 * 5 * 16 * 16                        # q, k, v and output: 5 tokens × 16²
    scores_and_mix = 2 * 5 * 5 * 16                      # QKᵀ and A·V over both heads
    assert macs(att, q, q, q) == projections + scores_and_mix
    assert macs(nn.Embedding(100, 8), torch.tensor([[1, 2, 3]])) == 0     # a look-up


@pytest.mark.parametrize("cls,gates", [(nn.RNN, 1), (nn.GRU, 3), (nn.LSTM, 4)])
def test_recurrent_layers_by_formula(cls, gates):
    rnn = cls(3, 8, num_layers=2, batch_first=True)
    steps = 2 * 7                                        # batch 2 × 7 time steps
    expected = steps * gates * 8 * ((3 + 8) + (8 + 8))
    assert macs(rnn, torch.randn(2, 7, 3)) == expected


def test_params_and_size_count_shared_weights_once():
    lin = nn.Linear(4, 4)
    tied = nn.Sequential(lin, nn.ReLU(), lin)
    assert C.count_params(tied) == 4 * 4 + 4
    bn = nn.BatchNorm1d(10)            # weight, bias (params); mean, var (float), count (int64)
    assert C.count_params(bn) == 20
    assert C.size_bytes(bn) == 20 * 4 + 20 * 4 + 8
    assert C.size_bytes(tied) == 20 * 4


def test_peak_memory_sees_the_activations():
    mlp = nn.Sequential(nn.Linear(1000, 1000), nn.ReLU(), nn.Linear(1000, 1000))
    x = torch.randn(64, 1000)
    peak = C.peak_tensor_bytes(lambda: mlp(x))
    one = 64 * 1000 * 4                                  # one activation tensor
    assert 2 * one <= peak <= 4 * one                    # two alive at once, weights excluded


def test_measure_fills_everything_and_energy_formula():
    mlp = nn.Sequential(nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 10))
    x = torch.randn(1, 100)
    c = C.measure("mlp", mlp, lambda: mlp(x), "one row", repeats=3)
    assert c.params == 100 * 50 + 50 + 50 * 10 + 10 and c.macs == 100 * 50 + 50 * 10
    assert c.size_mb == pytest.approx(c.params * 4 / 1e6)
    assert c.latency_ms > 0 and c.best_ms <= c.latency_ms and c.repeats == 3
    assert c.peak_mb >= c.size_mb and c.threads == torch.get_num_threads()
    assert c.joules == pytest.approx(c.latency_ms / 1000 * c.threads * C.WATTS_PER_CORE)
    assert c.wh_per_1000 == pytest.approx(c.joules * 1000 / 3600)
    row = c.row()
    assert row["MACs per input"] == c.macs and row["Parameters"] == c.params
    assert "W per busy CPU core" in C.energy_text(c) and "multiply-accumulates" in C.drivers(c)


def test_playground_network_cost():
    net = Network([2, 4, 2, 1], ["tanh", "tanh", "tanh"])
    c = C.network_cost(net, repeats=20)
    assert c.macs == 2 * 4 + 4 * 2 + 2 * 1
    assert c.params == net.n_params == (2 * 4 + 4) + (4 * 2 + 2) + (2 * 1 + 1)
    assert c.size_mb == pytest.approx(c.params * 8 / 1e6) and c.dtype == "float64"
    assert c.latency_ms > 0 and c.activations_mb > 0 and "overhead" in C.drivers(c)


@pytest.mark.parametrize("key", ["mobilenet_v3_large", "resnet50", "vit_b_16", "deeplabv3"])
def test_vision_models_match_torchvision_published_numbers(key):
    """On the meta device (no memory, no weights): params and MACs of the real architectures
    equal the numbers torchvision publishes with its weights (``num_params``, ``_ops`` in GMACs)."""
    from playground.vision import models as VM

    meta = VM.REGISTRY[key].weights.meta
    model, fn, desc = K.build(f"vision:{key}", meta=True)
    assert C.count_params(model) == meta["num_params"]
    assert C.count_macs(fn, model) / 1e9 == pytest.approx(meta["_ops"], abs=0.001)


def test_catalog_lists_every_model_and_measures_small_ones():
    from playground.language import models as LM
    from playground.vision import models as VM

    keys = {e.key for e in K.entries()}
    assert {K.PLAYGROUND, K.RECURRENT} <= keys
    assert {f"vision:{k}" for k in VM.REGISTRY} <= keys and {f"hf:{k}" for k in LM.REGISTRY} <= keys
    c = K.measure_entry(K.PLAYGROUND)
    assert c.macs == 2 * 4 + 4 * 2 + 2 * 1
    rnn = K.measure_entry(K.RECURRENT, repeats=2)
    model = K.build(K.RECURRENT)[0]
    T = int(rnn.input_desc.split()[3])
    hidden, n_in = model.hidden, model.n_in
    assert rnn.macs == T * (4 * hidden * (n_in + hidden) + hidden * model.n_out)   # LSTM + read-out


def test_comparison_figure_and_human():
    costs = [C.Cost("a", 1, 1.0, 10, 1.0, 1.0, 1.0, 0.0, 1, "x"),
             C.Cost("b", 2, 2.0, 10**9, 5.0, 4.0, 3.0, 1.0, 2, "y")]
    fig = C.comparison_figure(costs)
    assert [t["x"][-1] for t in fig["data"]] == [10**9, costs[1].wh_per_1000]
    assert fig["layout"]["xaxis"]["type"] == "log"
    assert C.human(5.6e9, "MAC") == "5.6 GMAC" and C.human(18) == "18"


def test_energy_units():
    assert C.wh_text(2.5) == "2.5 Wh" and C.wh_text(0.0045) == "4.5 mWh" and C.wh_text(3e-7) == "0.3 µWh"
    assert C.wh_text(0.17) == "170 mWh" and C.wh_text(1234) == "1200 Wh"


def test_memory_budget_refuses_big_temporary_models():
    vit = K.by_key()["vision:vit_b_16"]
    with pytest.raises(C.BudgetError, match="ViT-B/16"):
        K.check_budget(vit, budget_mb=C.rss_mb() + 100)        # 330 MB weights do not fit
    K.check_budget(K.by_key()["vision:mobilenet_v3_large"], budget_mb=C.rss_mb() + 500)
    with pytest.raises(C.BudgetError):
        K.measure_entry("vision:vit_b_16", budget_mb=C.rss_mb() + 100)
    assert C.rss_mb() > 50


# ---- attention through F.scaled_dot_product_attention ------------------------------------------
def test_scaled_dot_product_attention_is_counted_on_cpu():
    """QKᵀ (L·S·E) plus A·V (L·S·Eᵥ) per batch and head; torch 2.14's counter saw 0 here."""
    import torch.nn.functional as F

    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 4)
    expected = 2 * 3 * 5 * 7 * (8 + 4)
    assert C.count_macs(lambda: F.scaled_dot_product_attention(q, k, v)) == expected
    assert C.count_macs(lambda: F.scaled_dot_product_attention(q, q, q, is_causal=True)) == 2 * 3 * 5 * 5 * 16
    unbatched = torch.randn(4, 6, 8)                      # (heads, L, E)
    assert C.count_macs(lambda: F.scaled_dot_product_attention(unbatched, unbatched, unbatched)) == 4 * 6 * 6 * 16


def _attention_ops(fn) -> set:
    from torch.utils._python_dispatch import TorchDispatchMode

    seen = set()

    class Seen(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if "scaled_dot_product" in str(func):
                seen.add(str(func))
            return func(*args, **(kwargs or {}))

    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with torch.inference_mode(), Seen():
            fn()
    finally:
        torch.backends.mha.set_fastpath_enabled(fast)
    return seen


ATTENTION_MODELS = ("vision:vit_b_16", "hf:sentiment", "hf:fill_mask", "hf:t5", "hf:whisper",
                    "hf:bert", "hf:distilgpt2")


@pytest.mark.parametrize("key", [e.key for e in K.entries() if e.key.startswith(("vision:", "hf:"))
                                 and "ssdlite" not in e.key])
def test_every_catalog_model_counts_attention_like_the_math_kernel(key):
    """Each architecture in the app (vision at full size on the meta device, language models as
    tiny copies of the same classes): the count equals the one through PyTorch's plain-matmul
    attention kernel, which the counter has always seen."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    from playground.language import models as LM

    if key.startswith("vision:"):
        model, fn, _ = K.build(key, meta=True)
    else:
        spec = LM.REGISTRY[key.split(":", 1)[1]]
        model = LMB.build(spec.key)[0].eval().requires_grad_(False)
        fn, _ = LM.probe(spec, model, out_tokens=4)
    uses_sdpa = bool(_attention_ops(fn))
    assert uses_sdpa == (key in ATTENTION_MODELS)
    macs_now = C.count_macs(fn, model)
    with sdpa_kernel(SDPBackend.MATH):
        assert macs_now == C.count_macs(fn, model) > 0
def _cost(name, macs, ms):
    return C.Cost(name, 1000, 1.0, int(macs), ms, ms, 1.0, 0.1, 1, "one image")


def test_energy_vs_work_sentence_follows_the_numbers():
    resnet, gpt = _cost("ResNet-18", 1.8e9, 700.0), _cost("DistilGPT-2", 5.2e9, 500.0)
    text = C.energy_vs_work([gpt, resnet])
    assert "does not simply follow the work" in text
    assert "ResNet-18 does 1.8 G MACs" in text and "2.9 Wh" in text and "2.1 Wh" in text
    assert "1 of 1 pairs" in text
    text = C.energy_vs_work([_cost("ResNet-18", 1.8e9, 300.0), gpt])     # the opposite holds
    assert "rises with the work" in text and "does not" not in text
    assert C.energy_vs_work([gpt]) == ""


def test_table_cells_are_never_cut_off_or_none():
    assert C.table_text(None) == "—" and C.table_text(0.0000123) == "0.0000123"
    assert C.table_text(123456.0) == "123000" and C.table_text(2.5) == "2.5"
