"""The bodies of the long-running commands (`shopbot run`, `shopbot worker`) and their signal handling."""
