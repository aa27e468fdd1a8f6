"""Deep Learning Playground: the compute package.

Everything here is plain Python / NumPy / PyTorch and runs without a Streamlit runtime,
except :mod:`playground.ui`, the one module of Streamlit glue.
"""
