"""CAM methods, feature visualisation, the teachable classifier and the bundle's size. Prints JSON.

Offline: MobileNetV3 / ResNet-18 with random-init weights (tests/vision_weights.py) under
torchvision's file names, so time is representative (it does not depend on the weight values).
- CAM: Grad-CAM, Grad-CAM++ and Score-CAM (64 channels) on the cat photo, at the last and at a
  middle layer, median of 3 runs;
- feature visualisation: 64 steps on the digits CNN (8×8) and 32 steps at 96×96 on MobileNetV3;
- teach: the seeded digits example (0 / 1 / 7, 12 pictures each; 9 held out) on the digits CNN's
  features, 50 epochs: held-out accuracy and training time; MobileNetV3 features per picture;
- bundle: the sizes of every file `python -m playground.bundle DIR` fetches, from the registries.
Run:  OMP_NUM_THREADS=1 python benchmarks/teach_explain.py
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def median_s(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4)


def main() -> dict:
    import torch

    from playground import images as I
    from playground.bundle import plan as BP
    from playground.cnn import digits as D, train as T
    from playground.teach import backbones as BB, examples as EX, learner as L
    from playground.vision import cam as C, classify as K, featviz as V
    from tests.vision_weights import load

    out = {"threads": torch.get_num_threads(), "cam": {}, "featviz": {}, "teach": {}}
    for key in ("mobilenet_v3_large", "resnet18"):
        clf = K.Classifier(load(key))
        chain = C.chain_of(clf)
        x = K.to_tensor(K.model_view(clf.spec, I.load_sample("Cat").image))
        cls = int(clf.probs(x).argmax())
        for layer in (chain.layers[-1], chain.layers[len(chain.layers) // 2]):
            for method in C.CAM_METHODS:
                s = median_s(lambda: C.cam(chain, x, cls, method, layer))
                out["cam"][f"{key} {layer} {method}"] = s
    run = T.train_for(T.CNNRun(D.load_digits8(seed=0), seed=0), steps=300)
    net = run.model.eval().requires_grad_(False)
    small = C.chain_for(net, "small_cnn")
    fv = V.visualize(small, "relu2", 5, size=8, channels=1, steps=64)
    out["featviz"]["digits_cnn relu2 ch5 64 steps"] = {
        "seconds": round(fv.seconds, 3), "start": round(fv.start_activation, 3),
        "after": round(fv.activation, 3)}
    mob = C.chain_of(K.Classifier(load("mobilenet_v3_large")))
    fv = V.visualize(mob, "features.6", 7, size=96, steps=32)
    out["featviz"]["mobilenet features.6 ch7 96px 32 steps"] = {
        "seconds": round(fv.seconds, 3), "start": round(fv.start_activation, 3),
        "after": round(fv.activation, 3)}

    bb = BB.DigitsCNNBackbone(net)
    classes = EX.digit_examples(per_class=12, seed=0)
    pics = [(i, L.shrink(p).image) for i, (_, ps) in enumerate(classes) for p in ps]
    t0 = time.perf_counter()
    feats = bb.embed([p for _, p in pics])
    embed_s = time.perf_counter() - t0
    tr = L.TeachRun(feats, [i for i, _ in pics], [n for n, _ in classes], seed=0, lr=0.003)
    tr.step(50)
    cm, which = tr.confusion()
    out["teach"]["digits example, digits CNN features"] = {
        "pictures": len(pics), "held_out": int(cm.sum()), "held_out_accuracy": tr.test_acc,
        "train_seconds_50_epochs": round(tr.seconds, 3), "embed_seconds": round(embed_s, 3),
        "digits_cnn_test_accuracy": round(run.test_acc, 4)}
    mb = BB.MobileNetBackbone(load("mobilenet_v3_large"))
    photos = [p for _, ps in EX.photo_examples(per_class=8) for p in ps]
    mb.embed(photos[:2])
    t0 = time.perf_counter()
    mb.embed(photos)
    out["teach"]["mobilenet features ms per picture"] = round(
        (time.perf_counter() - t0) / len(photos) * 1000, 1)

    sizes = BP.estimated_sizes()
    out["bundle_bytes"] = {**sizes, "total": sum(sizes.values())}
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
