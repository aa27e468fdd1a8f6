"""Generative models: losses go down on a fixed seed, the forward process has its closed-form
moments, a trained 2-D diffusion model's samples match the target, the ELBO terms add up, the
page sentences follow the numbers, bad uploads are refused without echoing them."""
import math

import numpy as np
import pytest
import torch

from playground.cnn import digits as D
from playground.generative import data2d as D2, diffusion as Df, gan as G, settings as S, vae as V

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def digits():
    return D.load("digits8", 0)


# ---- data and distances -------------------------------------------------------------------
def test_targets_are_seeded_and_in_view():
    for t in ("ring", "moons", "spiral", "grid", "gaussian"):
        a = D2.sample(t, 300, np.random.default_rng(1))
        assert a.shape == (300, 2) and np.abs(a).max() < D2.VIEW
        assert np.array_equal(a, D2.sample(t, 300, np.random.default_rng(1)))


def test_distances_tell_same_from_different():
    rng = np.random.default_rng(0)
    ring, ring2, moons = (D2.sample("ring", 300, rng), D2.sample("ring", 300, rng),
                          D2.sample("moons", 300, rng))
    assert D2.energy_distance(ring, ring2) < 0.05 < D2.energy_distance(ring, moons)
    assert D2.mmd(ring, ring2) < D2.mmd(ring, moons)
    one_mode = ring[np.argmin(((ring - D2.ring_centres()[0]) ** 2).sum(1))] + 0.05 * rng.standard_normal((300, 2))
    assert D2.modes_covered(ring, D2.ring_centres()).sum() == 8
    assert D2.modes_covered(one_mode, D2.ring_centres()).sum() == 1


def test_uploaded_points_are_checked_and_never_echoed():
    pts, notes = D2.parse_points(b"x,y\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(20)) +
                                 b"nan,1\nsecret words,2\n")
    assert pts.shape == (20, 2) and np.abs(pts).max() <= 2.2 + 1e-6
    assert any("2 rows" in n for n in notes)
    for bad in (b"\xff\xfe\x00binary", b"only,one\n1\n2\n", b"secret,stuff\n" * 30):
        with pytest.raises(D2.PointsError) as e:
            D2.parse_points(bad)
        assert "secret" not in str(e.value) and "binary" not in str(e.value)


def test_url_settings_round_trip_and_warn():
    vals, warns = S.from_query(S.GAN_PARSERS)({"lr_g": "0.0031", "target": "nope", "latent": "99"})
    assert vals == {"lr_g": 3e-3, "latent": 8} and len(warns) == 1 and "target" in warns[0]
    assert S.to_query({**S.GAN_DEFAULTS, "lr_g": 3e-3}, S.GAN_DEFAULTS) == {"lr_g": "0.003"}
    assert S.gan_settings(S.preset_values("collapse")) == G.PRESETS["collapse"][1]


# ---- GAN ----------------------------------------------------------------------------------
def test_gan_learns_the_ring_and_says_so():
    run = G.GANRun(G.Settings(seed=0))
    d0 = run.quality[-1][1]
    for _ in range(15):
        run.step(100, max_seconds=None)
    assert run.steps_g == 1500 and run.steps_d == 1500 and run.status == "ok"
    d1 = run.quality[-1][1]
    assert d1 < 0.1 * d0                          # the distance to the target fell tenfold
    assert run.quality[-1][2] >= 6
    text = " ".join(G.describe(run))
    assert "mode collapse" not in text


def test_each_players_loss_goes_down_while_the_other_stands_still():
    """Together the losses settle near 2 ln 2 and ln 2 rather than fall; alone, each one falls."""
    run = G.GANRun(G.Settings(seed=0))
    run.step_d(1)
    first_d = run.loss_d
    run.step_d(60, max_seconds=None)          # every step, however busy the machine
    assert run.loss_d < 0.7 * first_d
    run.step_g(1)
    first_g = run.loss_g
    run.step_g(60, max_seconds=None)
    assert run.loss_g < 0.7 * first_g


def test_step_d_and_step_g_move_one_network_each():
    run = G.GANRun(G.Settings(seed=1))
    g0 = [p.clone() for p in run.G.parameters()]
    d0 = [p.clone() for p in run.D.parameters()]
    run.step_d(1)
    assert (run.steps_d, run.steps_g) == (1, 0)
    assert all(torch.equal(a, b) for a, b in zip(g0, run.G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(d0, run.D.parameters()))
    d1 = [p.clone() for p in run.D.parameters()]
    run.step_g(1)
    assert (run.steps_d, run.steps_g) == (1, 1)
    assert all(torch.equal(a, b) for a, b in zip(d1, run.D.parameters()))
    x, v = run.g_arrows(16)
    assert x.shape == v.shape == (16, 2) and np.isfinite(v).all()


def test_mode_collapse_preset_collapses_and_is_named():
    run = G.GANRun(G.PRESETS["collapse"][1])
    for _ in range(10):
        run.step(100, max_seconds=None)
    assert run.quality[-1][2] <= 3
    assert any("mode collapse" in line for line in G.describe(run))


def test_gan_overflow_pauses_with_an_explanation():
    run = G.GANRun(G.Settings(seed=0))
    with torch.no_grad():
        next(run.D.parameters()).fill_(float("nan"))
    assert run.step(5, max_seconds=None) == 0
    assert run.status == "diverged" and "NaN" in run.message and "Lower the learning rate" in run.message
    assert run.step(5) == 0


def test_oscillation_sentence_follows_the_numbers():
    run = G.GANRun(G.Settings(target="gaussian"))
    run.steps_g = 2000
    run.quality = [(s, 0.5 + 0.4 * math.sin(s / 60), -1) for s in range(1000, 2001, 20)]
    assert any("Not converging" in line for line in G.describe(run))
    run.quality = [(s, 1.0 - s / 2500, -1) for s in range(1000, 2001, 20)]   # steadily falling
    assert not any("Not converging" in line for line in G.describe(run))


# ---- VAE ----------------------------------------------------------------------------------
def test_elbo_terms_add_up(digits):
    torch.manual_seed(0)
    model = V.VAE(64, 2, 32)
    x = digits.x_train[:16].flatten(1)
    t = V.elbo_terms(model, x, torch.Generator().manual_seed(0))
    mu, logvar, z = t["mu"], t["logvar"], t["z"]
    logits = model.decode_logits(z)
    log_px = (x * torch.nn.functional.logsigmoid(logits) + (1 - x) * torch.nn.functional.logsigmoid(-logits)).sum(1)
    assert torch.allclose(t["recon_each"], -log_px, atol=1e-4)
    q = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    assert torch.allclose(t["kl_each"], torch.distributions.kl_divergence(q, p).sum(1), atol=1e-5)
    # the Monte Carlo estimate log q(z|x) − log p(z) averages to the closed-form KL
    zs = q.sample((4000,))
    mc = (q.log_prob(zs) - p.log_prob(zs)).sum(-1).mean(0)
    assert torch.allclose(mc, t["kl_each"], atol=0.1, rtol=0.05)
    run = V.VAERun(digits, V.Settings(beta=0.5))
    assert run.loss == pytest.approx(run.recon + 0.5 * run.kl)


def test_vae_loss_goes_down_and_codes_are_used(digits):
    run = V.VAERun(digits, V.Settings(seed=0))
    first = run.loss
    for _ in range(6):
        run.step(100, max_seconds=None)
    assert run.loss < 0.75 * first and run.kl > 0.5
    o, r = run.reconstruct(range(4))
    assert o.shape == r.shape == (4, 8, 8)
    assert run.decode_grid(5).shape == (25, 8, 8) and run.interpolate(0, 1, 6).shape == (6, 8, 8)
    assert np.array_equal(run.sample(4, 3), run.sample(4, 3))
    assert "Both terms are active" in V.describe(run)


def test_vae_nan_stops_and_explains(digits):
    run = V.VAERun(digits, V.Settings())
    with torch.no_grad():
        next(run.model.parameters()).fill_(float("nan"))
    assert run.step(3, max_seconds=None) == 0 and run.status == "diverged"
    assert "NaN" in run.message and "Lower the learning rate" in run.message


def test_vae_large_beta_collapses_and_says_so(digits):
    run = V.VAERun(digits, V.Settings(beta=8.0, seed=0))
    run.step(1, max_seconds=None)
    assert run.kl < 0.05 and "not started" in V.describe(run)      # early: not called a collapse
    assert "posterior collapse" not in V.describe(run)
    for _ in range(6):
        run.step(100, max_seconds=None)
    assert run.kl < 0.05 and "posterior collapse" in V.describe(run)


# ---- diffusion ----------------------------------------------------------------------------
@pytest.mark.parametrize("schedule", list(Df.SCHEDULES))
def test_forward_process_has_the_closed_form_moments(schedule):
    T, x0 = 50, np.array([[1.5, -0.5]])
    ab = Df.alpha_bar(schedule, T).numpy()
    assert np.all(np.diff(ab) < 0) and 0 < ab[-1] < 0.05
    many = np.repeat(x0, 20000, 0)
    snaps = Df.forward_steps(many, schedule, T, seed=0, keep=[1, 10, 25, 50])
    for t, xt in snaps.items():
        mean, var = Df.q_moments(x0[0], schedule, T, t)
        assert np.allclose(xt.mean(0), mean, atol=0.03)
        assert np.allclose(xt.var(0), var, rtol=0.05, atol=2e-4)
        assert mean == pytest.approx(math.sqrt(ab[t - 1]) * x0[0])


def test_trained_2d_diffusion_matches_the_target():
    run = Df.DiffusionRun(Df.Settings(data="moons", T=50, seed=0))
    floor = D2.baseline_distance("moons", 400)
    assert run.quality(seed=3) > 8 * floor                 # untrained: nowhere near
    for _ in range(20):
        run.step(100, max_seconds=None)
    h = np.array(run.history)
    assert h[-3:, 1].mean() < h[0, 1]
    assert D2.matches(run.quality(seed=3), floor)          # DDPM over all 50 steps
    assert run.quality(seed=3, sampler_steps=20) < 6 * floor   # DDIM, 20 steps: still rougher
    p, v = run.field(5)
    assert p.shape == v.shape and np.isfinite(v).all()


def test_digits_diffusion_learns_and_guidance_changes_samples(digits):
    run = Df.DiffusionRun(Df.Settings(data="digits", T=50, width=128, batch=64),
                          digits.x_train, digits.y_train)
    run.step(1, max_seconds=None)
    first = run.loss
    for _ in range(3):
        run.step(100, max_seconds=None)
    assert run.loss < 0.7 * first
    x, snaps = run.sample(3, 0, 10, c=3, guidance=2.0, keep=5)
    assert x.shape == (3, 8, 8) and len(snaps) == 5 and snaps[0][0] == 50 and snaps[-1][0] == 0
    y, _ = run.sample(3, 0, 10, c=3, guidance=0.0)
    assert not np.allclose(x, y)


def test_diffusion_nan_stops_and_explains():
    run = Df.DiffusionRun(Df.Settings(data="ring", T=20))
    with torch.no_grad():
        next(run.model.parameters()).fill_(float("inf"))
    assert run.step(3, max_seconds=None) == 0 and run.status == "diverged"
    assert "Lower the learning rate" in run.message


def test_figures_draw_a_single_point_and_stay_finite():
    from playground.generative import figures as F

    for fig in (F.gan_losses([(1, 1, 1.3, 0.7, 0.5, 0.4)]), F.distance_curve([(0, 0.5, 2)]),
                F.elbo_curves([(0, 40.0, 0.01, 1.0)]), F.loss_line([(1, 0.9)])):
        assert all(t["mode"] == "markers" for t in fig["data"] if t.get("name") and "½" not in t["name"])
    img = F.tiles(np.full((3, 8, 8), np.nan), cols=2, cell=16)
    assert img.dtype == np.uint8 and img.shape[2] == 3


def test_a_drawing_becomes_points_where_it_was_drawn():
    img = np.zeros((100, 100, 4), np.uint8)
    img[10:20, 80:90, :3] = 255                      # a blob near the top right corner
    p = D2.points_from_drawing(img)
    assert p.shape == (100, 2) and (p[:, 0] > 1.5).all() and (p[:, 1] > 1.5).all()
    assert D2.points_from_drawing(np.zeros((100, 100, 4), np.uint8)) is None    # nothing drawn
    big = np.full((100, 100, 4), 255, np.uint8)
    assert len(D2.points_from_drawing(big, max_points=500)) == 500
    assert D2.fingerprint(p) == D2.fingerprint(p.copy()) != D2.fingerprint(p[:50])
    assert D2.sample("draw", 20, np.random.default_rng(0), p).shape == (20, 2)
