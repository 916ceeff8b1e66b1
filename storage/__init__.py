"""SQLAlchemy implementation of the domain ports."""
