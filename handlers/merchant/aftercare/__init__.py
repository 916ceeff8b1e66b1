"""After an order leaves the warehouse: delivery problems, returns, tracking corrections."""
