"""What the chapters read off the trace and say about it, without drawing anything.

One module per chapter that needs more than a few such functions, named like the
chapter (``facts/ch06_values.py`` for ``ch06_values.py``): which tokens, cells and
entries a beat shows, the numbers it quotes (rounded as drawn) and the sentences it
says. They are tested without rendering, and the explorer page (video/explorer*.py)
quotes the same facts. What every chapter points at (the main adjective -> noun link,
quoting a token) is in ``scenes/focus.py``.
"""
