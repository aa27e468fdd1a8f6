"""The app's own models, trained here offline: training time (wall clock and CPU time, which
tells how busy the machine was), quality and a sample. Prints JSON.

Run:  python benchmarks/own_models.py [--gpt-steps 500] [--threads 2] [--skip-gpt]
      [--detector-steps 200] [--skip-detector]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from playground.cnn.own import train_digits_cnn  # noqa: E402
from playground.detect import train as DT  # noqa: E402
from playground.transformer import chargpt as C, lens as LL, vit_digits as V  # noqa: E402


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, round(time.perf_counter() - w, 2), round(time.process_time() - c, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gpt-steps", type=int, default=C.STEPS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-gpt", action="store_true")
    ap.add_argument("--detector-steps", type=int, default=DT.STEPS)
    ap.add_argument("--skip-detector", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = {"python": platform.python_version(), "torch": torch.__version__,
           "threads": args.threads, "load_average": os.getloadavg()}
    cnn, w, c = timed(lambda: train_digits_cnn(0))
    out["digits_cnn"] = {"steps": cnn.steps, "wall_s": w, "cpu_s": c,
                         "test_accuracy": round(cnn.test_acc, 4)}
    vit, w, c = timed(lambda: V.train_digit_vit(0))
    out["digits_vit"] = {"steps": vit.steps, "wall_s": w, "cpu_s": c,
                         "test_accuracy": round(vit.test_acc, 4)}
    if not args.skip_detector:
        det, w, c = timed(lambda: DT.train_detector(0, args.detector_steps))
        q = det.quality
        out["digit_detector"] = {
            "params": det.params, "steps": det.steps, "scenes_seen": det.steps * DT.BATCH,
            "wall_s": w, "cpu_s": c, "held_out_scenes": q.n_scenes, "held_out_digits": q.n_digits,
            "map50": round(q.map50, 4), "recall_at_0.5": round(q.recall, 4),
            "precision_at_0.5": q.precision and round(q.precision, 4), "seg_miou_digits": round(q.seg_miou, 4),
            "seg_digit_pixels_right": round(q.seg_accuracy, 4), "curve": det.curve[::5]}
    if not args.skip_gpt:
        gpt, w, c = timed(lambda: C.train_gpt(0, steps=args.gpt_steps))
        lens, lw, _ = timed(lambda: LL.run(gpt.lm, "And God said unto Abraham, Take now thy son"))
        out["char_gpt"] = {"params": gpt.lm.n_params, "steps": gpt.steps, "wall_s": w, "cpu_s": c,
                           "val_loss_per_char": round(gpt.val_loss, 3),
                           "train_loss": round(gpt.train_loss, 3),
                           "uniform_guess_loss": round(float(torch.tensor(len(gpt.lm.tokenizer)).log()), 3),
                           "curve": gpt.curve, "sample": "And God said" + gpt.sample,
                           "logit_lens_s": lw}
    out["load_average_after"] = os.getloadavg()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
