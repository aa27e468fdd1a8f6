"""The robustness lesson's measurements, on the app's own digits CNN (the one the image
classification page uses offline): trained with a seed, then its test accuracy measured with
every pixel changed by at most ε, at random (±ε) or along the FGSM direction."""
from __future__ import annotations

from .experiments import Experiment, Outcome

OPTIONS = ("Random ±ε noise", "The FGSM direction")


def _measure(params: dict) -> dict:
    from ..cnn.own import train_digits_cnn
    from ..threads import few_threads
    from ..vision import own_digits as V

    eps, seed = float(params.get("eps", 0.1)), int(params.get("seed", 0))
    if not 0 < eps <= 1:
        raise ValueError("eps must be in (0, 1]")
    with few_threads():
        return V.robustness(train_digits_cnn(seed), eps, seed)


def attack_race(params: dict) -> Outcome:
    """Options: [random noise, FGSM]; the right one lowers the test accuracy more."""
    from ..vision import own_digits as V

    r = _measure(params)
    worse = 1 if r["fgsm"] < r["random"] else 0
    return Outcome("choice", worse, "Measured on this server (the app's digits CNN, seed "
                                    f"{int(params.get('seed', 0))}): " + V.robustness_sentence(r),
                   {"clean": r["clean"] * 100, OPTIONS[0]: r["random"] * 100,
                    OPTIONS[1]: r["fgsm"] * 100})


def fgsm_accuracy(params: dict) -> Outcome:
    """The digits CNN's test accuracy (%) under FGSM of size ε."""
    from ..vision import own_digits as V

    r = _measure(params)
    return Outcome("number", r["fgsm"] * 100, "Measured on this server: " + V.robustness_sentence(r),
                   {"clean": r["clean"] * 100, "random": r["random"] * 100, "fgsm": r["fgsm"] * 100})


EXPERIMENTS = {
    "attack_race": Experiment("choice", attack_race, "digits CNN test accuracy at the same ε: "
                              "[random ±ε noise, FGSM] (the lower one answers)"),
    "fgsm_accuracy": Experiment("number", fgsm_accuracy,
                                "digits CNN test accuracy (%) under FGSM of size ε"),
}
