"""The generative pages' live frames on a shared server: cutting the work into frames (the
GAN's quality number at most every ``eval_seconds``, a diffusion sampling spread over slices)
changes what is computed when, never the numbers."""
import numpy as np
import torch

from playground.generative import data2d as D2, diffusion as Df, gan as G, sampling as Sm

torch.set_num_threads(1)


def test_mmd_is_the_kernel_formula():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((50, 2)), rng.standard_normal((40, 2)) + 0.5

    def k(u, v):
        return np.exp(-((u[:, None] - v[None]) ** 2).sum(-1) / (2 * 0.2 ** 2)).mean()
    assert D2.mmd(a, b, 0.2) == float(k(a, a) + k(b, b) - 2 * k(a, b))
    assert D2.mmd(a, a, 0.2) == 0.0


def test_gan_quality_throttle_keeps_the_training_and_catches_up():
    a, b = G.GANRun(G.Settings(seed=3)), G.GANRun(G.Settings(seed=3))
    b.eval_seconds = 1e9                      # while playing: no evaluation between two looks
    for _ in range(4):
        a.step(25, max_seconds=10.0)
        b.step(25, max_seconds=10.0)
    assert (a.steps_g, a.loss_d, a.loss_g) == (b.steps_g, b.loss_d, b.loss_g)
    assert all(torch.equal(p, q) for p, q in zip(a.G.parameters(), b.G.parameters()))
    assert len(a.quality) == 5 and len(b.quality) == 1 and b.evaluated_at == 0
    b.catch_up()                              # Pause: the number of the current weights
    assert b.evaluated_at == 100 and b.quality[-1] == a.quality[-1]
    b.catch_up()
    assert len(b.quality) == 2


def trained(**kw) -> Df.DiffusionRun:
    run = Df.DiffusionRun(Df.Settings(T=40, width=32, depth=2, batch=64, **kw))
    run.step(15, max_seconds=None)
    return run


def test_a_sampling_in_slices_equals_one_call_even_while_training_goes_on():
    run = trained()
    want, want_snaps = run.sample(64, 5, None, keep=6)
    rev = Df.Reverse(run, 64, 5, None, keep=6, frozen=True)
    slices = 0
    while not rev.advance(0.0):               # one denoising step per slice
        run.step(1, max_seconds=None)         # the weights move on between two slices
        slices += 1
    got, snaps = rev.result()
    assert slices == 39 and rev.at == 15 and np.array_equal(got, want)
    assert [t for t, _ in snaps] == [t for t, _ in want_snaps]
    assert all(np.array_equal(s, w) for (_, s), (_, w) in zip(snaps, want_snaps))


def test_live_samples_show_the_last_finished_sampling_until_the_next_is_done():
    run, live = trained(), Sm.LiveSamples()
    key, specs = ("ddpm", 0), [dict(n=80, seed=0, sampler_steps=None, keep=5)]
    assert live.pending(run, key) and live.showing(run, key) is None
    assert not live.update(run, key, specs, 0.0) and 0 < live.progress() < 1
    while not live.update(run, key, specs, 0.0):
        pass
    shown = live.showing(run, key)
    x, _ = run.sample(80, 0, None)
    assert shown.at == 15 and np.array_equal(shown.parts[0][0], x) and not live.pending(run, key)
    assert shown.dist == D2.distance(x, run.real_eval[:80])
    assert shown.floor == D2.baseline_distance("moons", 80)
    assert not live.update(run, key, specs, 0.0)                # current: nothing to do
    run.step(3, max_seconds=None)
    assert live.pending(run, key) and not live.update(run, key, specs, 0.0)
    assert live.showing(run, key) is shown                      # the older samples stay shown
    assert live.update(run, ("ddpm", 0), specs, None) and live.showing(run, key).at == 18
    assert live.showing(run, ("ddim", 0)) is None               # other settings: not these
    assert not live.update(run, key, specs, None, cancel=lambda: True)
    assert live.showing(trained(), key) is None                 # a new run (Reset): nothing


def test_live_samples_of_digits_run_every_part():
    from playground.cnn import digits as D

    d = D.load("digits8", 0)
    run = Df.DiffusionRun(Df.Settings(data="digits", T=10, width=32, depth=2, batch=16),
                          d.x_train, d.y_train)
    run.step(2, max_seconds=None)
    live = Sm.LiveSamples()
    specs = [dict(n=3, seed=1, sampler_steps=None, c=7, guidance=2.0, keep=4),
             dict(n=5, seed=2, sampler_steps=None)]
    while not live.update(run, (7,), specs, 0.0):
        pass
    (x1, s1), (x2, s2) = live.showing(run, (7,)).parts
    assert np.array_equal(x1, run.sample(3, 1, None, 7, 2.0)[0]) and len(s1) == 4
    assert np.array_equal(x2, run.sample(5, 2, None)[0]) and s2 == []
    assert live.showing(run, (7,)).dist is None
