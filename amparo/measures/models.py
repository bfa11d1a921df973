"""Protective measures: from request to decision, implementation, review and end."""
