"""Framework-independent conversations."""
