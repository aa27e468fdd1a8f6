"""The app's own small models, trained once per server and shared read-only by every session."""
from __future__ import annotations

import streamlit as st

from ..cnn.own import OwnCNN, train_digits_cnn


@st.cache_resource(max_entries=2, show_spinner="Training the app's own digits CNN (once per server)…")
def own_digits_cnn(seed: int = 0, version: int = 0) -> OwnCNN:
    """The trained digits CNN; ``version`` > 0 retrains (a student pressed Retrain)."""
    return train_digits_cnn(seed)
