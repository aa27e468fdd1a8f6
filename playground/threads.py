"""How many threads torch uses for the small models the pages train live."""
from __future__ import annotations

import contextlib

import torch


@contextlib.contextmanager
def few_threads(n: int = 1):
    """Run tiny-model work on ``n`` intra-op threads and restore the setting afterwards.

    A 16-unit RNN or an 8-channel CNN gains nothing from parallel kernels, and Streamlit calls
    us from a new thread on every rerun, where OpenMP teams are built anew and wait for each
    other on a busy server: measured 3-10× slower per training step than single-threaded.
    Scoped, never at import, so other pages keep their setting.
    """
    old = torch.get_num_threads()
    if old == n:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)
