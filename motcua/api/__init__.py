"""The versioned JSON API for integrators (/api/v1): machine clients, tokens, webhooks."""
