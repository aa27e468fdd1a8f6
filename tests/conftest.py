"""Settings for the whole test run."""
import os

# One pytest process runs every page and model of the app one after another, so its memory
# grows well past a server's; the cost pages' memory budget (playground/catalog.py) is for a
# real server. Tests of the budget itself pass budget_mb or set the variable themselves.
os.environ.setdefault("PLAYGROUND_MEMORY_BUDGET_MB", "100000")
