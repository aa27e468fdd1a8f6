"""A classroom bundle: every pretrained model and data set the app can use, in one folder.

``python -m playground.bundle DIR`` downloads them (progress, resume, hash checks, manifest);
starting the app with ``PLAYGROUND_BUNDLE=DIR`` makes the loaders look there first
(:mod:`.paths`). :mod:`.plan` lists what to fetch, :mod:`.fetch` downloads one file.
"""
from .paths import BUNDLE_ENV, COMMAND, root

__all__ = ["BUNDLE_ENV", "COMMAND", "root"]
