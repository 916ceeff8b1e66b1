"""shopbot's domain: pure Python, standard library only."""
