"""Lesson links on the pages that gained them late (costs, feature visualisation, teach, the three
games, GAN, VAE, diffusion): a link's settings preset the widgets, hide= and lock= act on them,
a widget change reaches the address bar, a bad value is a warning, and "Make a lesson link"
carries the settings."""
import pytest

from playground.vision import models as M

WIDGETS = ("slider", "select_slider", "selectbox", "number_input", "radio", "toggle", "text_area")

# page, prefix, preset query -> expected widget values, hidden control, locked control,
# (a control to change, its new value, its URL form), a bad query and the word its warning names
CASES = [
    ("costs", "cost", {"model": "recurrent"}, {"model": "recurrent"}, None, "model",
     ("model", "games:cart_policy", "games:cart_policy"), {"model": "gpt-5"}, "model"),
    ("feature_viz", "fv", {"steps": "32", "jitter": "2", "channel": "3"},
     {"steps": 32, "jitter": 2, "channel": 3}, "blur", "steps", ("seed", 4, "4"),
     {"steps": "many"}, "steps"),
    ("teach", "tm", {"features": "digits_cnn", "classes": "3", "epochs": "100"},
     {"features": "digits_cnn", "classes": 3, "epochs": 100}, "lr", "classes", ("epochs", 20, "20"),
     {"features": "digits_cnn", "classes": "lots"}, "classes"),
    ("grid_world", "grid", {"gamma": "0.9", "method": "network", "eps": "0.1"},
     {"gamma": 0.9, "method": "network", "eps": 0.1}, "slip", "gamma", ("eps", 0.3, "0.3"),
     {"method": "dqn"}, "method"),
    ("cartpole", "cart", {"lr": "0.003", "gamma": "0.9"}, {"lr": 0.003, "gamma": 0.9}, "seed", "lr",
     ("gamma", 0.8, "0.8"), {"gamma": "abc"}, "gamma"),
    ("tictactoe", "ttt", {"eps": "0.1", "first": "agent"}, {"eps": 0.1, "first": "agent"}, "seed",
     "eps", ("lr", 0.01, "0.01"), {"first": "cat"}, "first"),
    ("gan", "gan", {"target": "moons", "d_steps": "3"}, {"target": "moons", "d_steps": 3}, "latent",
     "lr_g", ("depth", 3, "3"), {"optimizer": "rmsprop"}, "optimizer"),
    ("vae", "vae", {"latent": "4", "beta": "2", "from": "1"}, {"latent": 4, "beta": 2.0, "from": 1},
     "width", "lr", ("to", 5, "5"), {"data": "cifar"}, "data"),
    ("diffusion", "dif", {"T": "50", "schedule": "cosine", "sample_seed": "7"},
     {"T": 50, "schedule": "cosine", "sample_seed": 7}, "lr", "seed", ("sampler", 10, "10"),
     {"schedule": "sqrt"}, "schedule"),
]


@pytest.fixture(autouse=True)
def offline_models(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv(M.OFFLINE_ENV, "1")
    monkeypatch.delenv("PLAYGROUND_BUNDLE", raising=False)


def widget(at, key):
    """The widget with this key, whatever its kind; None when the page did not draw it."""
    for kind in WIDGETS:
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    return None


def param(at, name):
    v = at.query_params.get(name)
    return v[0] if isinstance(v, list) else v


@pytest.mark.parametrize("page, p, query, expect, hide, lock, change, bad, word", CASES,
                         ids=[c[0] for c in CASES])
def test_lesson_link_round_trip(open_page, page, p, query, expect, hide, lock, change, bad, word):
    q = dict(query, lock=lock, **({"hide": hide} if hide else {}))
    at = open_page(f"pages/{page}.py", query=q)
    for name, value in expect.items():
        assert widget(at, f"{p}_{name}").value == value, name
    if hide:
        assert widget(at, f"{p}_{hide}") is None and param(at, "hide") == hide
    assert widget(at, f"{p}_{lock}").disabled and param(at, "lock") == lock
    link = next(c.value for c in at.code if f"/{page}?" in c.value)
    for name, value in query.items():
        assert f"{name}={value}" in link, (name, link)
    assert at.expander and any(e.label == "Make a lesson link" for e in at.expander)

    name, value, text = change
    if name == lock:                      # a page with one control: change it on an open link
        at = open_page(f"pages/{page}.py")
    widget(at, f"{p}_{name}").set_value(value).run()
    assert not at.exception and param(at, name) == text
    assert param(at, "lock") == (None if name == lock else lock)

    at = open_page(f"pages/{page}.py", query=bad)
    said = " ".join(w.value for w in at.warning)
    assert f"Ignored {word}=" in said, said


def test_hidden_controls_keep_the_links_value_and_a_focused_link_has_no_link_maker(open_page):
    at = open_page("pages/cartpole.py", query={"gamma": "0.9", "hide": "gamma,nav"})
    assert widget(at, "cart_gamma") is None and at.session_state["cart_gamma"] == 0.9
    assert not any(e.label == "Make a lesson link" for e in at.expander)


def test_feature_viz_channel_beyond_the_layer_is_a_warning(open_page):
    at = open_page("pages/feature_viz.py", query={"layer": "conv1", "channel": "99"})
    assert any("channel=99" in w.value and "8 channels" in w.value for w in at.warning)
    assert at.number_input(key="fv_channel").value == 0


def test_diffusion_guidance_beyond_the_slider_is_clamped(open_page):
    at = open_page("pages/diffusion.py", query={"data": "digits", "guidance": "9.3", "sampler": "10"})
    assert at.slider(key="dif_guidance").value == 8.0


def test_the_reward_lesson_asks_before_the_grid_world_runs_then_reveals_the_measured_paths(open_page):
    at = open_page("pages/grid_world.py", query={"preset": "cliff", "slip": "0.1", "lock": "preset",
                                                 "lesson_step": "12_reward.2"})
    assert not any(b.label == "Play" for b in at.button)                 # the gate stops the page
    assert widget(at, "grid_preset").disabled and widget(at, "grid_preset").value == "cliff"
    at.radio(key="lesson_pick_12_reward_1").set_value(1)
    next(b for b in at.get("form_submit_button") if b.form_id == "lesson_q_12_reward_1").click()
    at.run()
    at.button(key="lesson_reveal_12_reward_1").click()
    at.run()
    said = " ".join(i.value for i in at.info)
    assert "Not what you predicted" in said and "a dry floor: number of moves from S to the goal 9" in said
    assert any(b.label == "Play" for b in at.button)


def test_an_infinite_number_in_a_link_is_a_warning(open_page):
    at = open_page("pages/cartpole.py", query={"seed": "1e999"})
    assert any("Ignored seed=" in w.value and "1e999" in w.value for w in at.warning)
    assert at.number_input(key="cart_seed").value == 0
