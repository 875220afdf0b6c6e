"""End-to-end: the real `bench` in tmux, typed at like a wedge scanner."""
