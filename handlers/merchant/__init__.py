"""The merchant desk: staff commands and buttons, order cards, queues, stock, notices and stats."""
