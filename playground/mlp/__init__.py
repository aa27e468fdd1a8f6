"""The multilayer-perceptron family: one engine (activations, kernel, network), the playground
built on it (datasets, features, settings, trainer, frame, figures, export) and the lessons that
reuse the engine (backprop, gradient flow, activation lab, loss landscape, data efficiency).

The browser runs the same engine: ``web/engine.js`` is a line-by-line port of ``kernel.py``;
``tests/unit/test_browser_engine.py`` proves both give the same numbers.
"""
