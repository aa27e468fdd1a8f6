"""Pretrained vision models on your own photos: registry and loading (:mod:`.models`),
explanations (:mod:`.explain`), adversarial attacks (:mod:`.attacks`), everyday corruptions
(:mod:`.corrupt`), detection and segmentation (:mod:`.detect`) and Plotly figures
(:mod:`.figures`). No Streamlit here; the glue lives in :mod:`playground.ui`.
"""
