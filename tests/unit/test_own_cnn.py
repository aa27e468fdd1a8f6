"""The app's own digits CNN: seeded, trained, read-only."""
import torch

from playground.cnn.own import train_digits_cnn
from playground.threads import few_threads


def test_own_digits_cnn_is_trained_seeded_and_frozen():
    with few_threads():
        a = train_digits_cnn(seed=0, steps=200)
        b = train_digits_cnn(seed=0, steps=200)
    assert a.steps == 200 and a.test_acc > 0.85          # a guess scores 10 %
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))
    assert not a.model.training and not any(p.requires_grad for p in a.model.parameters())
    x = a.data.x_test[:64]
    with torch.inference_mode():
        acc = float((a.model(x).argmax(1) == a.data.y_test[:64]).float().mean())
    assert acc > 0.8
    assert f"{a.test_acc:.1%}" in a.summary
