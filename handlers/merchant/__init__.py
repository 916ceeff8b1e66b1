"""The merchant desk: staff commands and buttons, order cards, queues, stock, notices and stats.

`desk` is a plain value (who is staff, the merchant chat, the services); `router` sits above every other
module here and holds the command and button tables."""
