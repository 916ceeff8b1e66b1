"""Logging (structured, scrubbed of secrets and personal data), Prometheus metrics, instrumentation."""
