"""Generative models trained live: a GAN on 2-D points, a VAE on digits, diffusion on both.

- :mod:`.data2d` — 2-D target distributions (ring, moons, spiral, a drawing, an uploaded CSV) and the
  distances that say whether samples match them (energy distance, MMD, modes covered);
- :mod:`.live` — what every live run shares: a per-frame time budget, NaN checks, histories;
- :mod:`.gan` — generator and discriminator stepped separately, presets that collapse;
- :mod:`.vae` — a VAE on 8×8 digits (or MNIST) with a 2-D latent, the ELBO's two terms and β;
- :mod:`.diffusion` — schedules, the forward process in closed form, a denoiser trained live,
  DDPM / DDIM samplers, classifier-free guidance;
- :mod:`.settings` — each page's settings ⇄ URL; :mod:`.figures` — the pictures.
"""
