"""Is a network still sane? NaN / infinite or absurdly large weights mean training diverged."""
from __future__ import annotations

import torch

WEIGHT_LIMIT = 1e6


def weights_problem(*modules: torch.nn.Module) -> str:
    """'' when every weight is finite and below 10⁶ in size, else what went wrong."""
    biggest = 0.0
    for m in modules:
        for p in m.parameters():
            if not torch.isfinite(p).all():
                return "its weights became NaN or infinite"
            biggest = max(biggest, float(p.detach().abs().max()))
    if biggest > WEIGHT_LIMIT:
        return f"a weight grew to {biggest:.2g} (limit {WEIGHT_LIMIT:.0e})"
    return ""
