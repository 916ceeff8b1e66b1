"""Where the shop is composed from Settings: one answer to "where is X built?"."""
