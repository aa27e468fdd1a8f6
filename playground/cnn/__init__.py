"""Convolutional networks made visible: the convolution lab (``kernels``), a small CNN trained
live on handwritten digits (``digits``, ``train``), a pretrained CNN's filters and feature maps
(``inside``), and the pictures of all three (``figures``)."""
