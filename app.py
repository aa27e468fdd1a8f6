"""Deep Learning Playground: the entry point. Run with `streamlit run app.py`."""
import streamlit as st

st.set_page_config(page_title="Deep Learning Playground", page_icon="🧠", layout="wide")

PAGES = {
    "Start": [st.Page("pages/home.py", title="Home", icon="🏠", default=True)],
    "Build and train": [
        st.Page("pages/playground.py", title="Neural network playground", icon="🧠",
                url_path="playground"),
    ],
}

st.navigation(PAGES).run()
