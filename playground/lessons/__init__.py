"""Lessons: steps that open pages with presets, predict-then-reveal questions, and the
experiments that measure their answers."""
