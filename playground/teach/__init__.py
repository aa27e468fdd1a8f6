"""Teach a model yourself (Teachable Machine, in PyTorch): a few pictures per class, a small
classifier trained live on a frozen backbone's features, its accuracy and confusion matrix,
live predictions, and an export as PyTorch code + safetensors.

- :mod:`.backbones` — the feature extractors: MobileNetV3 (pretrained, ImageNet) or the app's
  own digits CNN (offline, much weaker on photos); each takes a model object.
- :mod:`.learner` — pictures kept small in the session, the seeded hold-out split, the head
  and its training, accuracy, confusion matrix and the sentences about them.
- :mod:`.export` — model.py + weights.safetensors in a zip.
- :mod:`.examples` — seeded example classes (no camera needed).
"""
