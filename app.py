"""Deep Learning Playground: the entry point. Run with `streamlit run app.py`."""
import streamlit as st

from playground import ui
from playground.icon import favicon

ui.server_setup()  # once per server process: one BLAS thread per session, freeze import garbage
st.set_page_config(page_title="Deep Learning Playground", page_icon=favicon(), layout="wide")

PAGES = {
    "Start": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
    "Build and train": [
        st.Page("pages/playground.py", title="Neural network playground", icon=":material/hub:",
                url_path="playground"),
    ],
    "How networks learn": [
        st.Page("pages/activations.py", title="Activation functions", icon=":material/function:",
                url_path="activations"),
        st.Page("pages/backprop.py", title="Backpropagation step by step", icon=":material/undo:",
                url_path="backprop"),
        st.Page("pages/gradient_flow.py", title="Vanishing and exploding gradients", icon=":material/trending_down:",
                url_path="gradient_flow"),
        st.Page("pages/loss_landscape.py", title="Loss landscape and optimizers", icon=":material/landscape:",
                url_path="loss_landscape"),
    ],
    "Generating data": [
        st.Page("pages/gan.py", title="GAN on 2-D data", icon=":material/scatter_plot:", url_path="gan"),
        st.Page("pages/vae.py", title="Variational autoencoder", icon=":material/blur_on:", url_path="vae"),
        st.Page("pages/diffusion.py", title="Diffusion models", icon=":material/grain:",
                url_path="diffusion"),
    ],
    "Pretrained models": [
        st.Page("pages/vision_classify.py", title="Image classification", icon=":material/image:",
                url_path="vision_classify"),
        st.Page("pages/vision_detect.py", title="Detection and segmentation", icon=":material/center_focus_strong:",
                url_path="vision_detect"),
        st.Page("pages/teach.py", title="Teach a model yourself", icon=":material/school:",
                url_path="teach"),
    ],
    "Inside the networks": [st.Page("pages/recurrent.py", title="Recurrent networks (RNN, LSTM, GRU)", icon=":material/repeat:", url_path="recurrent")],
    "Convolutional networks": [
        st.Page("pages/convolution.py", title="Convolution lab", icon=":material/grid_on:", url_path="convolution"),
        st.Page("pages/cnn_train.py", title="Train a CNN", icon=":material/draw:", url_path="cnn_train"),
        st.Page("pages/cnn_inside.py", title="Inside a pretrained CNN", icon=":material/biotech:",
                url_path="cnn_inside"),
        st.Page("pages/feature_viz.py", title="What does a channel look for?",
                icon=":material/visibility:", url_path="feature_viz"),
    ],
    "Transformers": [
        st.Page("pages/attention.py", title="Attention in language models", icon=":material/visibility:",
                url_path="attention"),
        st.Page("pages/next_token.py", title="Next-token prediction", icon=":material/skip_next:", url_path="next_token"),
        st.Page("pages/logit_lens.py", title="Inside a language model's layers",
                icon=":material/layers:", url_path="logit_lens"),
        st.Page("pages/tiny_transformer.py", title="Train a tiny transformer", icon=":material/model_training:",
                url_path="tiny_transformer"),
        st.Page("pages/vit_attention.py", title="Attention on images", icon=":material/image_search:",
                url_path="vit_attention"),
    ],
    "Language and speech": [
        st.Page("pages/language.py", title="Language models", icon=":material/chat:", url_path="language"),
        st.Page("pages/speech.py", title="Speech to text", icon=":material/mic:", url_path="speech"),
    ],
    "Costs and data": [
        st.Page("pages/costs.py", title="What models cost", icon=":material/bolt:", url_path="costs"),
        st.Page("pages/data_efficiency.py", title="Data efficiency", icon=":material/trending_up:",
                url_path="data_efficiency"),
    ],
    "Learning to play": [
        st.Page("pages/grid_world.py", title="Grid world: values and policies",
                icon=":material/grid_on:", url_path="grid_world"),
        st.Page("pages/cartpole.py", title="Balance a pole", icon=":material/sports_esports:",
                url_path="cartpole"),
        st.Page("pages/tictactoe.py", title="Play against it: tic-tac-toe", icon=":material/tag:",
                url_path="tictactoe"),
    ],
    "Teach": [
        st.Page("pages/lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
        st.Page("pages/board.py", title="Class board", icon=":material/leaderboard:", url_path="board"),
    ],
}

# The outer error boundary: never a traceback (playground/ui/guard.py). The page gate: at most
# as many whole runs execute at once as the server has cores (a class clicking Pause together).
with ui.section("this page"), ui.page_gate():
    st.navigation(PAGES, position=ui.nav_position()).run()   # hide=nav: a focused lesson
