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
- :mod:`.mlp_live` — the playground's browser component;
- :mod:`.lessons` — lesson steps, the predict-then-reveal gate, lesson links, focused mode;
- :mod:`.board` — the class board: joining a class and "Submit this run";
- :mod:`.teach` — the teachable classifier's pictures per class and backbones;
- :mod:`.own` — the app's own small models (digits CNN, digits ViT, character GPT), once per server.
"""
from .core import (LABELS, current, model_store, hidden, init_settings, kept, kept_or, layers_widget,
                   load_query_once, memo, once, page_setup, plotly, user_points,
                   read_upload, remember,
                   server_setup, setting_widget, stored, sync_url, transport, wkey, write_query)
from .guard import guarded, section
from .live import (CHART_SECONDS, SLOW_SECONDS, frame_budget, frame_every, live_fragment, live_frame,
                   page_gate, play_frame, rerun_pending, shared_steps, stop_playing, tab_open)
from .board import board, join_form, leave_class, student, submit_run
from .costs import all_costs, cost_on_request, cost_panel, known_cost, measure_cost
from .hf import (hf_cost, hf_folder_form, hf_locate, hf_model, hf_model_box,
                 hf_status)
from .lessons import (active_step, app_base, kept_tabs, link_settings, link_to, lesson_gate, lesson_link, lessons, nav_position,
                      open_step, predict, reveal, step_query)
from .own_detect import own_detector
from .own import own_digit_vit, own_digits_cnn, own_gpt, own_gpt_panel, own_gpt_ready, lm_choice, lm_other, hub_usable
from .vision import (IMAGE_SOURCES, image_input, model_label, model_status,
                     vision_model)
from .teach import (class_card, class_samples, load_example, set_examples,
                    teach_backbone)

__all__ = [
    "LABELS", "current", "hidden", "init_settings", "kept", "kept_or", "layers_widget", "user_points",
    "load_query_once", "memo", "once", "page_setup", "plotly", "read_upload", "remember",
    "server_setup", "setting_widget", "stored", "sync_url", "transport", "wkey", "write_query",
    "guarded", "section", "all_costs", "cost_on_request", "cost_panel", "known_cost", "measure_cost",
    "CHART_SECONDS", "SLOW_SECONDS", "frame_budget", "frame_every", "live_fragment", "live_frame", "play_frame", "shared_steps", "stop_playing",
    "tab_open",
    "model_store", "hf_cost", "hf_folder_form", "hf_locate", "hf_model", "hf_model_box",
    "hf_status", "IMAGE_SOURCES", "image_input", "model_label",
    "model_status", "vision_model", "board", "join_form", "leave_class", "student", "submit_run",
    "active_step", "app_base", "kept_tabs", "link_settings", "link_to", "lesson_gate", "lesson_link", "lessons", "nav_position", "open_step", "predict", "reveal", "step_query",
    "class_card", "class_samples", "load_example", "set_examples", "teach_backbone",
    "own_detector", "own_digits_cnn", "own_digit_vit", "own_gpt", "own_gpt_panel", "own_gpt_ready", "lm_choice", "lm_other", "hub_usable",
]
