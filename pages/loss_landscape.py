"""Loss landscape and optimizers (work in progress)."""
import streamlit as st

from playground import ui

ui.page_setup()
st.title("Loss landscape and optimizers")
