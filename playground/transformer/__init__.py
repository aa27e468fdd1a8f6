"""Transformers made visible: attention of Hugging Face models on your text (``attention``),
next-token sampling (``sampling``), a tiny transformer trained live (``tiny``) and the Plotly
figures (``figures``). Rollout is shared with the images: :mod:`playground.vision.explain`."""
