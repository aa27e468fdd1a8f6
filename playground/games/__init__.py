"""Learning to play: reinforcement learning made visible (grid world, CartPole, tic-tac-toe).

Pure logic, no Streamlit: :mod:`.gridworld` (mazes, exact values, tabular Q-learning),
:mod:`.qnet` (a small neural Q-network on the same maze), :mod:`.cartpole` (the classic
cart-pole physics) and :mod:`.reinforce` (REINFORCE with a learned baseline),
:mod:`.tictactoe` (rules, minimax, random play) and :mod:`.selfplay` (a value network learned
by self-play), :mod:`.figures`, :mod:`.budget` (a frame's time budget).
"""
