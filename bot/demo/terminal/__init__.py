"""The terminal runtime of the demo: typed lines in, chat-like messages out, for two personas."""
