"""Home: what the app is and a map of every page."""
import streamlit as st

from playground import ui

ui.page_setup()

st.title("Deep Learning Playground")
st.write(
    "Touch deep learning instead of reading about it. Build small networks and watch them "
    "learn live, see every neuron's view of the data, and try what changes when you change one "
    "thing. Everything runs in your browser session; share any setup by copying the address.")

st.subheader("Teach with it")
st.page_link("pages/lessons.py", label="Lessons", icon=":material/school:")
st.write(
    "Ready-made lessons: each step opens a page already set up, with controls hidden or locked, "
    "and asks the class to predict before the run that answers it; then the measured result "
    "appears next to the prediction. Every page with settings can make a lesson link.")
st.page_link("pages/board.py", label="Class board", icon=":material/leaderboard:")
st.write(
    "Start a class with a short code, students join with a nickname and submit their runs; a live "
    "leaderboard for the projector where every entry opens its exact setup.")

st.subheader("Build and train")
st.page_link("pages/playground.py", label="Neural network playground", icon=":material/hub:")
st.write(
    "TF Playground in PyTorch land, and beyond: choose data (or upload your own CSV), input "
    "features, up to 6 hidden layers with their own activations, the optimizer and the "
    "regularization; press Play and watch the decision boundary, every neuron's heatmap and the "
    "loss. Compare two networks side by side and download the trained one as PyTorch code.")

st.subheader("How networks learn")
st.page_link("pages/activations.py", label="Activation functions", icon=":material/function:")
st.write(
    "ReLU, tanh, sigmoid, GELU and friends with their slopes side by side: where each one "
    "saturates, what that does to the gradient through many layers, and one neuron to steer with w "
    "and b.")
st.page_link("pages/backprop.py", label="Backpropagation step by step", icon=":material/undo:")
st.write(
    "One example through a tiny network you set up: press Next to compute each neuron forward, "
    "then each gradient backward with the chain rule in real numbers, then the update of every "
    "weight. torch.autograd and finite differences check every gradient.")
st.page_link("pages/gradient_flow.py", label="Vanishing and exploding gradients", icon=":material/trending_down:")
st.write(
    "A ten-layer network where the activation, the initialization and the weight scale decide "
    "whether the gradient reaches the first layer: per-layer gradient sizes before and during "
    "training.")
st.page_link("pages/loss_landscape.py", label="Loss landscape and optimizers", icon=":material/landscape:")
st.write(
    "The loss of a model as a map and a 3-D surface: start SGD, momentum, RMSprop and Adam from the "
    "same point, watch them race downhill and see which reaches the minimum first.")

st.subheader("Generating data")
st.page_link("pages/gan.py", label="GAN on 2-D data", icon=":material/scatter_plot:")
st.write(
    "A generator and a discriminator trained live on a ring, two moons, a spiral or your own points: "
    "the discriminator's opinion as a map, the generator's gradient as arrows, and presets that "
    "reproduce mode collapse and a GAN that never settles.")
st.page_link("pages/vae.py", label="Variational autoencoder", icon=":material/blur_on:")
st.write(
    "An autoencoder with a 2-D code learns handwritten digits: reconstructions, the code space "
    "coloured by digit, digits decoded from a grid of codes, interpolation, sampling, and a β slider "
    "for the reconstruction / KL trade-off.")
st.page_link("pages/diffusion.py", label="Diffusion models", icon=":material/grain:")
st.write(
    "Noise added step by step, then a small denoiser trained live learns to undo it: reverse "
    "trajectories of 2-D points, the denoising field as arrows, and digits appearing out of noise, "
    "with classifier-free guidance towards the digit you choose.")

st.subheader("Pretrained models")
st.page_link("pages/vision_classify.py", label="Image classification", icon=":material/image:")
st.write(
    "Real ImageNet classifiers (MobileNetV3, ResNet-50, ConvNeXt, a vision transformer) on your own "
    "photo: the top-5 answers, heatmaps of where the model looked, and how a few invisible pixel "
    "changes or everyday blur, noise and JPEG artefacts fool it.")
st.page_link("pages/vision_detect.py", label="Detection and segmentation", icon=":material/center_focus_strong:")
st.write(
    "Boxes around every object a detector finds, with a score threshold to play with, and a "
    "segmentation model that colours each pixel by its class.")
st.page_link("pages/teach.py", label="Teach a model yourself", icon=":material/school:")
st.write(
    "Your own classes from the camera or a few pictures each: train a classifier on top of "
    "MobileNetV3 in seconds (offline: the app's own digits CNN), see its accuracy and confusion "
    "matrix, point the camera at new things and export the model as PyTorch code.")

st.subheader("Inside the networks")
st.page_link("pages/recurrent.py", label="Recurrent networks (RNN, LSTM, GRU)", icon=":material/repeat:")
st.write(
    "Sequences and memory: forecast a noisy signal, recall a symbol seen N steps earlier, or learn "
    "to write like a text you paste, with a vanilla RNN, an LSTM or a GRU. Watch the hidden state "
    "and the LSTM's gates step by step, and see the gradient vanish through time.")

st.subheader("Convolutional networks")
st.page_link("pages/convolution.py", label="Convolution lab", icon=":material/grid_on:")
st.write(
    "Slide a kernel over your own photo: blur, sharpen, Sobel edges or a kernel you type in, with "
    "stride, padding and dilation; the output-size formula with your numbers, and every "
    "multiply-accumulate of the sliding window, then ReLU and max-pooling.")
st.page_link("pages/cnn_train.py", label="Train a CNN", icon=":material/draw:")
st.write(
    "A small CNN learns handwritten digits live: loss and accuracy, its filters as they learn, "
    "every layer's feature maps, the confusion matrix and its worst mistakes. Then draw a digit and "
    "see what it answers.")
st.page_link("pages/cnn_inside.py", label="Inside a pretrained CNN", icon=":material/biotech:")
st.write(
    "ResNet-18 or MobileNetV3 on your photo: the first layer's colour filters, the feature maps of "
    "any layer (most active channels first) and how the picture shrinks in size but grows in "
    "channels layer by layer.")
st.page_link("pages/feature_viz.py", label="What does a channel look for?",
             icon=":material/visibility:")
st.write(
    "Feature visualisation: an image optimised until one channel fires as strongly as possible, "
    "on the app's digits CNN (offline, with the real digits that excite it most) or on ResNet-18 "
    "and MobileNetV3.")

st.subheader("Transformers")
st.page_link("pages/attention.py", label="Attention in language models", icon=":material/visibility:")
st.write(
    "Type a text (or two sentences) and see BERT's or GPT-2's attention: one head as a heatmap "
    "and as lines between tokens, all layers × heads at a glance, averages and rollout, and how "
    "your text becomes subword tokens.")
st.page_link("pages/next_token.py", label="Next-token prediction", icon=":material/skip_next:")
st.write(
    "GPT-2's guesses for the next token as a bar chart; temperature, top-k and top-p reshape "
    "them. Add one token at a time and watch where the newest token looks.")
st.page_link("pages/logit_lens.py", label="Inside a language model's layers",
             icon=":material/layers:")
st.write(
    "The logit lens: the model's best guess for the next token after every layer, the rank of a "
    "token you choose across layers, each head's push toward it, and how your text (emoji and "
    "other scripts too) becomes tokens with ids. On the app's own GPT offline, GPT-2 online.")
st.page_link("pages/tiny_transformer.py", label="Train a tiny transformer", icon=":material/model_training:")
st.write(
    "A one- or two-layer transformer learns to reverse, copy or sort digits live, offline; its "
    "attention maps turn into the right pattern as accuracy climbs. Then try your own digits.")
st.page_link("pages/vit_attention.py", label="Attention on images", icon=":material/image_search:")
st.write(
    "Where a Vision Transformer looks in your photo: attention rollout and the last layer's "
    "class-token attention, averaged and head by head.")

st.subheader("Language and speech")
st.page_link("pages/language.py", label="Language models", icon=":material/chat:")
st.write(
    "Pretrained transformers on your own words: is a sentence positive or negative, a summary or a "
    "translation written word by word, and the top guesses (with probabilities) for a hidden [MASK] "
    "word.")
st.page_link("pages/speech.py", label="Speech to text", icon=":material/mic:")
st.write(
    "Record yourself or upload a clip, see it as a waveform and as the spectrogram the model reads, "
    "and let Whisper write down what you said.")

st.subheader("Costs and data")
st.page_link("pages/costs.py", label="What models cost", icon=":material/bolt:")
st.write(
    "Every model in the app side by side: parameters, megabytes, multiply-accumulates per answer, "
    "time and memory on this server, and an energy estimate per thousand answers.")
st.page_link("pages/data_efficiency.py", label="Data efficiency", icon=":material/trending_up:")
st.write(
    "Train the same network on 1 %, 5 %, 25 % and 100 % of its data and watch test accuracy grow "
    "with the data, live.")

st.subheader("Learning to play")
st.page_link("pages/grid_world.py", label="Grid world: values and policies", icon=":material/grid_on:")
st.write(
    "An agent learns a maze by trial and error (Q-learning, with a table or a small neural "
    "network): values as colours, its moves as arrows, and how γ and the step reward change the path.")
st.page_link("pages/cartpole.py", label="Balance a pole", icon=":material/sports_esports:")
st.write(
    "A policy network learns to balance a pole on a cart (REINFORCE), live; then take the "
    "controls yourself and see how hard it is.")
st.page_link("pages/tictactoe.py", label="Play against it: tic-tac-toe", icon=":material/tag:")
st.write(
    "A value network learns tic-tac-toe by playing itself; see its win probability for every move "
    "and play against it.")
