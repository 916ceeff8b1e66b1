"""`shopbot demo`: the terminal playground, its sandbox payments, simulated carrier and fast clock."""
