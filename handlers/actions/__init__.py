"""The whole button vocabulary: the callback-data codec, customer actions and merchant actions.
Imports nothing else of `handlers`."""
