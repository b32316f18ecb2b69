"""Running motcua in production: serving, health and metrics, backups."""
