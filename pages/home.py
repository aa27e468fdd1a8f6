"""Home: what the app is and a map of every page."""
import streamlit as st

from playground import ui

ui.page_setup()

st.title("Deep Learning Playground")
st.write(
    "Touch deep learning instead of reading about it. Build small networks and watch them "
    "learn live, see every neuron's view of the data, and try what changes when you change one "
    "thing. Everything runs in your browser session; share any setup by copying the address.")

st.subheader("Build and train")
st.page_link("pages/playground.py", label="Neural network playground", icon="🧠")
st.write(
    "TF Playground in PyTorch land, and beyond: choose data (or upload your own CSV), input "
    "features, up to 6 hidden layers with their own activations, the optimizer and the "
    "regularization; press Play and watch the decision boundary, every neuron's heatmap and the "
    "loss. Compare two networks side by side and download the trained one as PyTorch code.")
