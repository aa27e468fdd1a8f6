"""The live CNN: it learns the bundled digits within a bounded number of steps, reproducibly."""
import numpy as np
import pytest
import torch
from PIL import Image

from playground.cnn import digits as D, train as T


@pytest.fixture(scope="module")
def digits():
    return D.load_digits8(seed=0)


def test_bundled_digits_split(digits):
    assert digits.size == 8 and digits.x_train.shape[1:] == (1, 8, 8)
    assert len(digits.y_train) + len(digits.y_test) == 1797
    assert 0 <= float(digits.x_train.min()) and float(digits.x_train.max()) == 1.0
    assert set(digits.y_test.tolist()) == set(range(10))
    again = D.load_digits8(seed=0)
    assert torch.equal(again.y_test, digits.y_test)
    assert not torch.equal(D.load_digits8(seed=1).y_test, digits.y_test)


def test_loss_decreases_and_accuracy_rises_within_200_steps(digits):
    run = T.CNNRun(digits, c1=8, c2=16, k=3, lr=0.003, batch=32, seed=0)
    first = run.history[0]
    assert first[2] > 2.0 and first[4] < 0.3                # untrained: about chance
    T.train_for(run, steps=200)
    last = run.history[-1]
    assert run.steps == 200 and last[0] == 200
    assert last[2] < first[2] / 3, (first, last)             # test loss
    assert last[4] > 0.85, last                              # test accuracy
    assert run.epoch == pytest.approx(200 * 32 / len(digits.y_train))


def test_same_seed_same_run_and_global_rng_untouched(digits):
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a = T.train_for(T.CNNRun(digits, seed=5), steps=15, chunk=5)
    after = torch.rand(3)
    assert torch.equal(before, after)                        # the run used its own generators
    b = T.train_for(T.CNNRun(digits, seed=5), steps=15, chunk=5)
    assert a.history == b.history
    c = T.train_for(T.CNNRun(digits, seed=6), steps=15, chunk=5)
    assert c.history != a.history


@pytest.mark.parametrize("k,c1,c2,opt", [(3, 2, 4, "sgd"), (5, 16, 32, "adam")])
def test_architecture_options_and_what_the_page_shows(digits, k, c1, c2, opt):
    run = T.CNNRun(digits, c1=c1, c2=c2, k=k, lr=0.01, batch=16, seed=1, optimizer=opt)
    run.step(5)
    assert run.filters().shape == (c1, k, k)
    probs, maps = run.predict(digits.x_test[:1])
    assert probs.shape == (10,) and abs(probs.sum() - 1) < 1e-5
    assert maps["input"].shape == (1, 8, 8)
    assert maps["conv1"].shape == (c1, 8, 8) and maps["pool1"].shape == (c1, 4, 4)
    assert maps["conv2"].shape == (c2, 4, 4) and maps["pool2"].shape == (c2, 2, 2)
    assert (maps["relu1"] >= 0).all() and (maps["relu1"] == np.maximum(maps["conv1"], 0)).all()
    cm = run.confusion()
    assert cm.shape == (10, 10) and cm.sum() == len(digits.y_test)
    assert np.trace(cm) == round(run.test_acc * len(digits.y_test))
    worst = run.most_confused(6)
    pred = run.test_pred.argmax(1)
    assert all(int(pred[i]) == p != t == int(digits.y_test[i]) for i, t, p, _ in worst)
    assert [w[3] for w in worst] == sorted((w[3] for w in worst), reverse=True)


def test_mnist_sized_input_shapes():
    data = D.DigitData("mnist", torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,)),
                       torch.rand(16, 1, 28, 28), torch.randint(0, 10, (16,)), D.DIGITS)
    run = T.CNNRun(data, c1=4, c2=8, k=5, batch=16)
    run.step(3)
    _, maps = run.predict(data.x_test[:1])
    assert maps["pool2"].shape == (8, 7, 7) and run.steps == 3


def test_a_huge_learning_rate_is_reported_not_a_crash(digits):
    run = T.CNNRun(digits, lr=0.01, optimizer="sgd", seed=0)
    run.set_lr(1e12)
    T.train_for(run, steps=60, chunk=10)
    assert run.status == "diverged" and "learning rate" in run.message
    assert run.step(5) == 0


def test_a_photo_of_a_digit_becomes_a_dataset_like_input():
    a = np.full((120, 90), 255, np.uint8)                    # dark "1" on white paper, off-centre
    a[20:100, 60:70] = 0
    x, notes = D.to_input(Image.fromarray(a), 8)
    assert x.shape == (1, 1, 8, 8) and float(x.max()) == 1.0 and float(x.min()) == 0.0
    assert any("inverted" in n for n in notes)
    col = x[0, 0].sum(0)
    assert int(col.argmax()) in (3, 4)                       # centred
    blank, notes = D.to_input(Image.new("L", (50, 50)), 28)
    assert blank.shape == (1, 1, 28, 28) and float(blank.abs().sum()) == 0
    assert any("empty" in n for n in notes)
