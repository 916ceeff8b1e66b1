"""Customers and the shop talking through the bot: the customer writes (`customer`), the message goes to
the merchant chat with the order's context (`relay`), staff answer and keep internal notes (`staff`)."""
