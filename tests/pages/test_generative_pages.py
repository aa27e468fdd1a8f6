"""AppTest: the three generative pages (GAN, VAE, diffusion), offline, bundled data only."""
import torch

torch.set_num_threads(1)

GAN, VAE, DIF = "pages/gan.py", "pages/vae.py", "pages/diffusion.py"


def test_gan_steps_presets_and_url(open_page):
    at = open_page(GAN, query={"lr_g": "0.003", "target": "nonsense"})
    assert any("Ignored target" in w.value for w in at.warning)
    run = at.session_state["gan_run"]
    assert run.s.lr_g == 3e-3
    at.button(key="gan_step_d").click().run()
    at.button(key="gan_step_g").click().run()
    run = at.session_state["gan_run"]
    assert (run.steps_d, run.steps_g) == (1, 1) and not at.exception
    at.button(key="gan_step").click().run()
    assert 1 < at.session_state["gan_run"].steps_g <= 21   # up to 20 rounds within the frame budget
    assert any("MMD to the target" in m.value for m in at.markdown)
    at.selectbox(key="gan_preset").select("collapse").run()
    at.button(key="gan_load").click().run()
    run = at.session_state["gan_run"]
    assert run.s.latent == 1 and run.s.lr_d == 1e-4 and run.steps_g == 0 and not at.exception
    assert at.query_params["latent"] in ("1", ["1"])


def test_gan_and_diffusion_without_user_points_explain_and_fall_back(open_page):
    at = open_page(GAN, query={"target": "upload"})
    assert any("Upload a CSV" in i.value for i in at.info) and not at.exception
    assert at.session_state["gan_run"].s.target == "ring"
    at = open_page(GAN, query={"target": "draw"})
    assert any("Draw a shape" in i.value for i in at.info) and not at.exception
    at = open_page(DIF, query={"data": "draw"})
    assert any("Draw a shape" in i.value for i in at.info) and not at.exception
    assert at.session_state["dif_run"].s.data == "moons"


def test_vae_trains_and_beta_applies_live(open_page):
    at = open_page(VAE)
    at.button(key="vae_step").click().run()
    run = at.session_state["vae_run"]
    assert 0 < run.steps <= 20 and not at.exception
    assert len(at.get("imgs")) >= 4 or len(at.get("image")) >= 4
    at.select_slider(key="vae_beta").set_value(4.0).run()
    assert at.session_state["vae_run"] is run and run.s.beta == 4.0   # no restart
    assert at.query_params["beta"] in ("4", ["4"])
    at.button(key="vae_resample").click().run()
    assert at.session_state["vae_sample_seed"] == 1 and not at.exception


def test_vae_mnist_offline_falls_back(open_page, monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_DATA", str(tmp_path))
    at = open_page(VAE, query={"data": "mnist"})
    assert any("MNIST is not on this server" in i.value for i in at.info) and not at.exception


def test_diffusion_points_and_digits(open_page):
    at = open_page(DIF, query={"T": "50"})
    at.button(key="dif_step").click().run()
    run = at.session_state["dif_run"]
    assert 0 < run.steps <= 20 and run.s.T == 50 and not at.exception
    assert any("MMD to the target" in m.value for m in at.markdown)
    at.slider(key="dif_field_t").set_value(40).run()
    assert not at.exception
    at.selectbox(key="dif_data").select("digits").run()
    at.button(key="dif_step").click().run()
    run = at.session_state["dif_run"]
    assert run.s.digits and 0 < run.steps <= 20 and not at.exception
    at.selectbox(key="dif_digit").select(7).run()
    at.number_input(key="dif_sampler").set_value(10).run()
    assert not at.exception and at.query_params["digit"] in ("7", ["7"])


def test_vae_on_mnist_when_it_is_on_the_server(open_page, monkeypatch, tmp_path):
    from tests.unit.test_cnn_digits import write_raw

    write_raw(tmp_path, "mnist", n_train=64, n_test=20)            # tiny idx files, real reader
    monkeypatch.setenv("PLAYGROUND_DATA", str(tmp_path))
    at = open_page(VAE, query={"data": "mnist"})
    assert not at.info or not any("MNIST is not on this server" in i.value for i in at.info)
    at.button(key="vae_step").click().run()
    run = at.session_state["vae_run"]
    assert run.side == 28 and run.pixels == 784 and run.steps > 0 and not at.exception


def chart_ids(at) -> str:
    return " ".join(c.proto.id for c in at.get("plotly_chart"))


def test_gan_plays_in_small_frames(open_page):
    """Status line, plane and curves are separate fragments; the plane stays small."""
    import json

    at = open_page(GAN)
    assert all(k in chart_ids(at) for k in ("gan_plane", "gan_dist")) and not at.exception
    at.button(key="gan_play").click().run()          # a full run while playing: one frame each
    run = at.session_state["gan_run"]
    assert at.session_state["gan_playing"] and run.steps_g > 0 and run.eval_seconds == 1.0
    assert all(k in chart_ids(at) for k in ("gan_plane", "gan_losses", "gan_dist"))
    plane = next(c for c in at.get("plotly_chart") if "gan_plane" in c.proto.id)
    spec = json.loads(plane.proto.spec)
    assert len(plane.proto.spec) < 20_000 and spec["data"][0]["zsmooth"] == "best"
    assert any(f"Generator steps **{run.steps_g:,}**" in m.value for m in at.markdown)
    at.button(key="gan_play").click().run()          # Pause: the MMD of the last weights
    assert not at.session_state["gan_playing"] and run.evaluated_at == run.steps_g
    if any(b.key == "gan_cost" for b in at.button):  # the cost: measured on request, not on Pause
        assert not any(m.label == "Parameters" for m in at.metric)
        at.button(key="gan_cost").click().run()
    assert any(m.label == "Parameters" for m in at.metric) and not at.exception


def test_vae_plays_in_small_frames(open_page):
    at = open_page(VAE)
    at.button(key="vae_play").click().run()
    run = at.session_state["vae_run"]
    assert at.session_state["vae_playing"] and run.steps > 0 and not at.exception
    assert all(k in chart_ids(at) for k in ("vae_curves", "vae_chart_latent"))
    assert any("Decoded from a grid of codes" in s.value for s in at.subheader)
    at.button(key="vae_play").click().run()
    assert not at.session_state["vae_playing"]


def test_diffusion_samples_follow_the_weights(open_page):
    """A click's run samples a slice of the server's time: with the server quiet a short
    sampling is done at once, so the samples shown are those of the current weights."""
    at = open_page(DIF, query={"T": "20"})
    run, live = at.session_state["dif_run"], at.session_state["dif_live"]
    assert live.shown.at == 0 and live.shown.run is run and not live.pending(run, live.shown.key)
    assert all(k in chart_ids(at) for k in ("dif_traj", "dif_field"))
    at.button(key="dif_step").click().run()
    assert run.steps > 0 and live.shown.at == run.steps and all(b.key != "dif_finish" for b in at.button)
    assert all(k in chart_ids(at) for k in ("dif_loss", "dif_traj", "dif_field"))
    at.button(key="dif_play").click().run()
    assert at.session_state["dif_playing"] and not at.exception
    at.button(key="dif_play").click().run()
    assert not at.session_state["dif_playing"]
    at.number_input(key="dif_sample_seed").set_value(3).run()   # other settings: sampled anew
    assert live.shown.key[1] == 3 and live.shown.at == run.steps and not at.exception


def test_diffusion_on_a_busy_server_samples_in_slices_and_on_request(open_page, monkeypatch):
    from playground.budget import FrameBudget

    monkeypatch.setattr(FrameBudget, "share", lambda self, active: 1e-6)   # 30 students and more
    at = open_page(DIF, query={"T": "20"})
    run, live = at.session_state["dif_run"], at.session_state["dif_live"]
    assert live.showing(run, live.job[1]) is None and 0 < live.progress() < 1   # one slice done
    assert any("Sampling from the model at training step 0" in i.value for i in at.info)
    at.button(key="dif_finish").click().run()
    assert live.shown.at == 0 and live.job is None
    assert any("MMD to the target" in m.value for m in at.markdown)
    at.button(key="dif_step").click().run()                    # the older samples stay, saying so
    assert run.steps > 0 and live.shown.at == 0 and live.pending(run, live.shown.key)
    assert any(f"Sampled from the weights of training step 0 (the model is at step {run.steps:,})"
               in m.value for m in at.markdown)
    at.button(key="dif_finish").click().run()
    assert live.shown.at == run.steps and not any("Sampled from the weights" in m.value for m in at.markdown)
