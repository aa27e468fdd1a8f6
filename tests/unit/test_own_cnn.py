"""The app's own digits CNN: seeded, trained, read-only."""
import pytest
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


def test_gradcam_saliency_and_fgsm_on_the_own_cnn():
    import numpy as np

    from playground.cnn import own as O
    from playground.vision import attacks as AT

    with few_threads():
        net = train_digits_cnn(seed=0, steps=300)
    x, y = net.data.x_test[:1], int(net.data.y_test[0])
    cam, sal = O.gradcam(net.model, x, y), O.saliency(net.model, x, y)
    assert cam.shape == sal.shape == (8, 8) and cam.max() == 1 and sal.max() == 1
    # Grad-CAM by hand: channel weights = mean gradient of the score over the 4×4 map
    with torch.enable_grad():
        a = torch.relu(net.model.conv2(torch.max_pool2d(torch.relu(net.model.conv1(x)), 2)))
        a = a.detach().requires_grad_(True)
        net.model.fc(torch.max_pool2d(a, 2).flatten(1))[0, y].backward()
    w = a.grad.mean((2, 3), keepdim=True)
    raw = torch.relu((w * a).sum(1, keepdim=True))
    up = torch.nn.functional.interpolate(raw, size=(8, 8), mode="bilinear", align_corners=False)
    np.testing.assert_allclose(cam, (up / up.max())[0, 0].detach().numpy(), atol=1e-6)
    adv = AT.fgsm(net.model, x, y, eps=0.3)
    assert adv.loss_after > adv.loss_before and float(adv.delta.abs().max()) <= 0.3 + 1e-6
    assert O.probabilities(net.model, x).sum() == pytest.approx(1, abs=1e-5)
    assert O.maps(net.model, x)["conv2"].shape == (16, 4, 4)
