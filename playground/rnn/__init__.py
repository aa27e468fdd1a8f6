"""Recurrent networks (vanilla RNN, LSTM, GRU) on small sequence tasks, made visible.

``data`` (seeded task generators), ``models`` (the torch.nn model), ``inside`` (a step-by-step
re-implementation that exposes hidden states and gates, and back-propagation through time by
hand), ``train`` (one training run), ``figures`` / ``unroll`` (Plotly figures as dicts) and
``settings`` (the page's settings table and its URL form). No Streamlit here.
"""
