import numpy as np
import pytest

from playground.mlp import datasets as D


@pytest.mark.parametrize("name", list(D.GENERATORS))
def test_generators_are_seeded_and_shaped(name):
    a, b, c = D.generate(name, 20, 1), D.generate(name, 20, 1), D.generate(name, 20, 2)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert a.X.shape == (len(a), 2) and np.isfinite(a.X).all()


def test_classic_geometry_without_noise():
    c = D.circle()
    r = np.hypot(c.X[:, 0], c.X[:, 1])
    assert (r[c.y > 0] <= 2.5).all() and ((r[c.y < 0] >= 3.5) & (r[c.y < 0] <= 5)).all()
    x = D.xor()
    assert (np.sign(x.X[:, 0] * x.X[:, 1]) == x.y).all()
    g = D.gauss()
    assert g.X[g.y > 0].mean() > 1 and g.X[g.y < 0].mean() < -1
    s = D.spiral()
    assert len(s) == 500 and set(s.y) == {-1.0, 1.0} and np.abs(s.X).max() <= 5
    assert set(D.spiral3().y) == {0.0, 1.0, 2.0} and D.spiral3().kind == "multiclass"
    assert D.reg_plane().kind == "regression" and np.abs(D.reg_plane().y).max() <= 1


def test_split_and_csv_roundtrip():
    d = D.generate("gauss", 0, 3)
    tr, te = d.split(30, 0)
    assert len(tr) == 150 and len(te) == 350
    back, notes = D.parse_csv(d.to_csv().encode())
    assert back.kind == "binary" and len(back) == 500
    np.testing.assert_allclose(back.X, d.X, atol=1e-4)


@pytest.mark.parametrize("raw, message", [
    (b"", "empty"),
    (b"a,b,c\n1,2,3\n", "Expected the columns"),
    (b"x1,x2,label\n" + b"1,2,1\n" * 5 + b"1,hello,0\n" + b"2,2,0\n" * 5, "not a number"),
    (b"x1,x2,label\n" + b"1,2,1\n" * 5 + b"1,,0\n" + b"2,2,0\n" * 5, "missing"),
    (b"x1,x2,label\n" + b"1,nan,1\n" * 12, "missing"),
    (b"x1,x2,label\n1,2,1\n", "at least 10"),
    (b"x1,x2,label\n" + b"1,2,1\n" * 12, "same label"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "CSV"),
])
def test_bad_csv_gets_a_clear_message(raw, message):
    with pytest.raises(D.CSVError, match=message):
        D.parse_csv(raw)


def test_big_csv_is_subsampled_and_scaled():
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{x:.3f},{y:.3f},{int(x * y > 0)}" for x, y in rng.uniform(-50, 50, (100_000, 2)))
    data, notes = D.parse_csv(("x1,x2,label\n" + rows).encode())
    assert len(data) == D.MAX_CSV_ROWS
    assert np.abs(data.X).max() <= 5.0 + 1e-9
    assert any("random" in n for n in notes) and any("rescaled" in n for n in notes)


def test_csv_headerless_multiclass_and_regression():
    rows = "\n".join(f"{i % 7 - 3},{i % 5 - 2},{i % 3}" for i in range(30))
    d, _ = D.parse_csv(rows.encode())
    assert d.kind == "multiclass" and d.n_classes == 3
    rows = "\n".join(f"{i % 7 - 3},{i % 5 - 2},{i * 0.37:.2f}" for i in range(30))
    d, notes = D.parse_csv(("x1,x2,label\n" + rows).encode())
    assert d.kind == "regression" and d.y.min() == -1 and d.y.max() == 1


def test_kind_of_matches_the_generated_data():
    from playground.mlp import datasets as D
    for name in D.GENERATORS:
        assert D.kind_of(name) == D.generate(name).kind, name
def _rows(n=12):
    return "".join(f"{i % 5 - 2},{(i * 7) % 5 - 2},{i % 2}\n" for i in range(n))


@pytest.mark.parametrize("raw,message", [
    (b"x1,x2,label\n", "header line but no rows"),
    (b"x1,x2,label\r\n\r\n", "header line but no rows"),
    (("x1,x2,label\n" + "1,1,0\n1,1,1\n" * 6).encode(), "same point"),
    (("x1,x1,x2,label\n" + "".join(f"9,{i},{i % 4},{i % 2}\n" for i in range(12))).encode(), None),
    (("x1,x2,label\n" + "".join(f"{i}e-320,{i}e-320,{i % 2}\n" for i in range(1, 13))).encode(),
     "too close to zero"),
    (("x1,x2,label\n" + "".join(f"{i},{i % 3},{(-1) ** i * 1.5e308}\n" for i in range(12))).encode(),
     None),
    (b"x1,x2,label\n" + b"\x00" * 50, "binary"),
])
def test_hostile_csvs_get_a_message_never_an_exception(raw, message):
    if message is None:                 # extreme but finite labels: usable, nothing overflows
        data, _ = D.parse_csv(raw)
        assert np.isfinite(data.y).all() and np.isfinite(data.X).all()
        return
    with pytest.raises(D.CSVError, match=message):
        D.parse_csv(raw)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_spreadsheet_encodings_simply_work(encoding):
    """Excel's “CSV UTF-8” (byte order mark), “Unicode text” (UTF-16, here with ; and tabs) and
    plain Windows CSV all read as the same data."""
    text = "x1,x2,label\n" + _rows()
    if encoding.startswith("utf-16"):
        text = text.replace(",", "\t")
    data, _ = D.parse_csv(text.encode(encoding))
    plain, _ = D.parse_csv(("x1,x2,label\n" + _rows()).encode())
    assert np.array_equal(data.X, plain.X) and np.array_equal(data.y, plain.y)
