"""The Streamlit glue of the app: the only part of ``playground`` that imports Streamlit.

Everything else in ``playground`` is pure compute, data, models and figure builders, testable
without a Streamlit runtime. Pages call ``ui.<name>``; the glue is split by concern:

- :mod:`.core` — settings bound to the URL, widget state that outlives page switches, Plotly
  figures, server setup, uploads read once, per-session memos;
- :mod:`.vision` — the shared image input and the cached torchvision models;
- :mod:`.hf` — the cached Hugging Face models (local folder, cache or hub; offline message);
- :mod:`.costs` — the server-wide cost measurements and the one cost panel;
- :mod:`.guard` — the error boundary of page sections (``ui.section``) and input validation;
- :mod:`.live` — live pages on a shared server: each animation frame within its time budget;
- :mod:`.mlp_live` — the playground's browser component.
- :mod:`.own` — the app's own small models (digits CNN, character GPT), trained once per server.
"""
from .core import (LABELS, current, model_store, hidden, init_settings, kept, kept_or, layers_widget,
                   load_query_once, memo, once, page_setup, plotly, read_upload, remember,
                   server_setup, setting_widget, stored, sync_url, transport, wkey, write_query)
from .guard import guarded, section
from .live import CHART_SECONDS, SLOW_SECONDS, frame_budget, frame_every, live_fragment, live_frame, shared_steps, stop_playing, tab_open
from .costs import all_costs, cost_panel, known_cost, measure_cost
from .hf import (hf_cost, hf_folder_form, hf_locate, hf_model, hf_model_box,
                 hf_status)
from .own import own_digit_vit, own_digits_cnn, own_gpt, own_gpt_panel, own_gpt_ready, lm_choice, lm_other, hub_usable
from .vision import (IMAGE_SOURCES, image_input, model_label, model_status,
                     vision_model)

__all__ = [
    "LABELS", "current", "hidden", "init_settings", "kept", "kept_or", "layers_widget",
    "load_query_once", "memo", "once", "page_setup", "plotly", "read_upload", "remember",
    "server_setup", "setting_widget", "stored", "sync_url", "transport", "wkey", "write_query",
    "guarded", "section", "all_costs", "cost_panel", "known_cost", "measure_cost",
    "CHART_SECONDS", "SLOW_SECONDS", "frame_budget", "frame_every", "live_fragment", "live_frame", "shared_steps", "stop_playing",
    "tab_open",
    "model_store", "hf_cost", "hf_folder_form", "hf_locate", "hf_model", "hf_model_box",
    "hf_status", "IMAGE_SOURCES", "image_input", "model_label",
    "model_status", "vision_model", "own_digits_cnn", "own_digit_vit", "own_gpt", "own_gpt_panel",
    "own_gpt_ready", "lm_choice", "lm_other", "hub_usable",
]
