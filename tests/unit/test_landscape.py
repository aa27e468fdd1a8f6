"""Loss landscapes: the in-plane gradient, the optimizers on the plane, divergence, the ranking."""
import numpy as np
import pytest
import torch

from playground.mlp import landscape as LS
from playground.mlp import landscape_figures as LF


@pytest.fixture(scope="module")
def lands():
    return {k: make() for k, make in LS.SCENARIOS.items()}


@pytest.mark.parametrize("key", list(LS.SCENARIOS))
def test_plane_gradient_is_the_finite_difference_of_the_plane_loss(lands, key):
    land = lands[key]
    a0, a1, b0, b1 = land.extent
    h = 1e-5 * (a1 - a0)
    for fa, fb in ((0.3, 0.7), (0.8, 0.2), (0.55, 0.45)):
        a, b = a0 + fa * (a1 - a0), b0 + fb * (b1 - b0)
        loss, g = land.grad_at(a, b)
        assert loss == pytest.approx(land.loss_at(a, b), abs=1e-12)
        fd = [(land.loss_at(a + h, b) - land.loss_at(a - h, b)) / (2 * h),
              (land.loss_at(a, b + h) - land.loss_at(a, b - h)) / (2 * h)]
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8)
        assert np.abs(g).max() > 1e-6  # not a vacuous check


def test_valley_is_a_linear_neuron_with_the_bias_held_at_zero(lands):
    land = lands["valley"]
    w = np.array([0.4, -1.2])
    loss, g = land.grad_at(*w)
    r = land.X @ w - land.T[:, 0]
    assert loss == pytest.approx(0.5 * np.mean(r ** 2))
    np.testing.assert_allclose(g, (r[:, None] * land.X).mean(0), atol=1e-12)
    alphas, betas, Z = LS.grid(land, 9)
    assert Z[2, 5] == pytest.approx(land.loss_at(alphas[5], betas[2]))
    best = np.linalg.lstsq(land.X, land.T[:, 0], rcond=None)[0]  # least squares: gradient 0
    loss, g = land.grad_at(*best)
    assert np.abs(g).max() < 1e-12 and loss <= Z.min()


TORCH_OPT = {
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.99, eps=1e-8),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.9, 0.999), eps=1e-8),
}


@pytest.mark.parametrize("opt", LS.OPT_KEYS)
def test_steps_match_torch_optim_on_the_two_numbers(lands, opt):
    land, lr = lands["sigmoid"], 0.3
    traj = LS.run(land, opt, lr, (-2.0, 1.0), 5)
    p = torch.tensor([-2.0, 1.0], dtype=torch.float64, requires_grad=True)
    topt = TORCH_OPT[opt]([p], lr)
    for k in range(1, 6):
        _, g = land.grad_at(*p.detach().numpy())
        topt.zero_grad()
        p.grad = torch.tensor(g)
        topt.step()
        np.testing.assert_allclose(traj.points[k], p.detach().numpy(), atol=1e-12)
    _, g0 = land.grad_at(-2.0, 1.0)
    if opt == "sgd":  # by hand: one plain gradient step
        np.testing.assert_allclose(traj.points[1], np.array([-2.0, 1.0]) - lr * g0, atol=1e-15)
    if opt == "adam":  # by hand: Adam's first step is lr * sign(g) (up to eps)
        np.testing.assert_allclose(traj.points[1], np.array([-2.0, 1.0]) - lr * np.sign(g0), atol=1e-6)


def test_trajectories_are_deterministic():
    runs = []
    for _ in range(2):
        land = LS.network_slice(seed=3)
        runs.append([LS.run(land, o, land.lrs[o], land.start, 40) for o in LS.OPT_KEYS])
    for t1, t2 in zip(*runs):
        np.testing.assert_array_equal(t1.points, t2.points)
        np.testing.assert_array_equal(t1.losses, t2.losses)
    other = LS.network_slice(seed=4)
    assert not np.array_equal(other.d1, LS.network_slice(seed=3).d1)
    assert np.linalg.norm(other.d1) == pytest.approx(np.linalg.norm(other.theta0))


def test_divergence_is_detected_and_explained(lands):
    land = lands["valley"]
    _, _, Z = LS.grid(land, 21)
    t = LS.run(land, "sgd", 20.0, land.start, 100, float(Z.max()))
    assert t.status == "diverged" and 1 <= t.stopped_at < 20
    assert len(t.points) == t.stopped_at and np.all(np.isfinite(t.losses))
    assert t.message() == (f"SGD with lr 20 diverged at step {t.stopped_at} (the loss exploded) — "
                           "lower the learning rate.")
    assert LS.run(land, "sgd", 0.5, land.start, 100, float(Z.max())).status == "ok"
    # the sigmoid's loss is bounded, so a runaway shows as leaving the map
    t = LS.run(lands["sigmoid"], "adam", 50.0, (-1.0, 0.0), 100, 0.5)
    assert t.status == "left" and "shot far off the map" in t.message()
    assert not lands["sigmoid"].inside(*t.points[-1] * 0 + 100)


def test_start_is_clamped_to_the_map(lands):
    land = lands["valley"]
    assert LS.clamp_start(land, 1.0, -2.0) == ((1.0, -2.0), None)
    (a, b), msg = LS.clamp_start(land, 7.5, -4.0)
    assert (a, b) == (3.0, -3.0) and "outside the map" in msg and "(3, -3)" in msg
    assert LS.clamp_start(land, float("nan"), 0.0)[0] == land.start


def _traj(opt, losses):
    losses = np.asarray(losses, float)
    return LS.Trajectory(opt, 0.1, np.zeros((len(losses), 2)), losses)


def test_ranking_by_first_step_at_the_minimum():
    Z = np.array([[1.0, 2.0], [0.5, 3.0]])
    trajs = [_traj("sgd", [2.0, 1.0, 0.4, 0.2]), _traj("adam", [2.0, 0.25, 0.2, 0.2]),
             _traj("momentum", [2.0, 1.5, 1.2, 1.0])]
    rows, level = LS.ranking(trajs, Z)
    assert level == pytest.approx(0.2 + 0.01 * (2.0 - 0.2))
    assert [r["optimizer"] for r in rows] == ["Adam", "SGD", "SGD + momentum"]
    assert [r["reached at step"] for r in rows] == [2, 3, None]
    assert [r["rank"] for r in rows] == [1, 2, None]


def test_figures_animate_every_path(lands):
    land = lands["sigmoid"]
    alphas, betas, Z = LS.grid(land, 15)
    trajs = [LS.run(land, o, land.lrs[o], land.start, 120, float(Z.max())) for o in LS.OPT_KEYS]
    fig = LF.contour_figure(land, alphas, betas, Z, trajs, land.start)
    assert fig["data"][0]["name"] == "click to start here"  # clicks land on the invisible grid
    assert len(fig["data"][0]["x"]) == 8 * 8  # every 2nd of the 15 x 15 grid points
    assert fig["data"][0]["customdata"][9] == pytest.approx(land.loss_at(alphas[2], betas[2]), abs=1e-5)
    assert not any(d["type"] in ("contour", "heatmap") for d in fig["data"])   # blank when animated
    assert fig["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    assert [f["name"] for f in fig["frames"]][:3] == ["0", "5", "10"]   # round steps (120 / 30 → 5)
    assert len(fig["frames"]) == 120 // 5 + 1
    last = fig["frames"][-1]
    assert last["name"] == "120" and len(last["data"]) == 4
    assert len(last["data"][0]["x"]) == 121 and len(fig["frames"][0]["data"][0]["x"]) == 1
    assert [fig["data"][i]["name"] for i in last["traces"]] == [t.label for t in trajs]
    surf = LF.surface_figure(land, alphas, betas, Z, trajs)
    assert surf["data"][0]["type"] == "surface" and len(surf["frames"]) == 120 // 5 + 1
    assert LF.frame_steps([_traj("sgd", [1.0, 0.5, 0.2])]) == [0, 1, 2]
    assert LF.frame_steps([_traj("sgd", list(np.linspace(1, 0, 98)))])[-3:] == [90, 95, 97]
    both = LF.landscape_figure(land, alphas, betas, Z, trajs, land.start)   # one Play for both
    n = len(fig["data"])
    assert [d.get("scene") for d in both["data"]] == [None] * n + ["scene"] * (len(trajs) + 1)
    assert len(both["layout"]["updatemenus"]) == 1 and len(both["frames"]) == 120 // 5 + 1
    last = both["frames"][-1]
    assert [both["data"][i]["name"] for i in last["traces"]] == [t.label for t in trajs] * 2
    assert both["data"][last["traces"][-1]]["type"] == "scatter3d"


def test_map_image_bands_low_loss_yellow():
    import base64
    import io

    from PIL import Image
    logz = np.tile(np.linspace(-2, 1, 15), (15, 1))          # loss grows to the right
    png = LF.map_image(logz, -2.0, 1.0).split(",", 1)[1]
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(png))))
    assert img.shape == (LF.MAP_PIXELS, LF.MAP_PIXELS, 3)
    left, right = img[100, 2].astype(int), img[100, -3].astype(int)
    assert left[0] > 200 and left[2] < 100 and right[2] > 60 and right[0] < 100   # yellow → purple
    assert len({tuple(p) for p in img[100]}) <= LF.BANDS                         # banded


def test_url_round_trip_and_bad_values(lands):
    land = lands["sigmoid"]
    vals, warns = LS.from_query({"scenario": "sigmoid", "start": "-3,2.5", "lr_adam": "0.2",
                                 "lr_sgd": "0.3", "steps": "1000", "opts": "adam,bogus,sgd"})
    assert vals == {"scenario": "sigmoid", "start_a_sigmoid": -3.0, "start_b_sigmoid": 2.5,
                    "lr_sigmoid_adam": 0.2, "lr_sigmoid_sgd": 0.2, "steps_sigmoid": LS.MAX_STEPS,
                    "opts": ["sgd", "adam"]}
    assert len(warns) == 3  # bogus optimizer, lr 0.3 not on the slider, steps out of range
    assert LS.to_query(vals, land) == {"scenario": "sigmoid", "opts": "sgd,adam", "start": "-3,2.5",
                                       "steps": "300", "lr_sgd": "0.2", "lr_adam": "0.2"}
    assert LS.to_query({}, lands["valley"]) == {}
    vals, warns = LS.from_query({"scenario": "moon", "start": "1,nan", "lr_adam": "x"})
    assert vals == {"scenario": "valley"} and len(warns) == 3
