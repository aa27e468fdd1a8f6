"""Pretrained language models (Hugging Face transformers) on the user's own words.

``hub`` finds a model's files (a folder named by the user or the teacher, the local Hugging Face
cache, or a download with progress) and detects an unreachable hub within seconds; ``models``
is the registry and loads a folder into a read-only model; ``tasks`` runs sentiment, fill-mask,
summarization and translation with visible length limits. transformers is imported lazily.
"""
