"""The app's own small object detector, trained here on "digit scenes" (works offline).

:mod:`.scenes` composes seeded scenes from scikit-learn's bundled 8×8 digits with ground-truth
boxes and per-pixel masks; :mod:`.boxes` holds IoU, non-maximum suppression and average
precision; :mod:`.model` is the fully-convolutional network, its training and its decoding.
No Streamlit here; the glue lives in :mod:`playground.ui.own_detect`.
"""
