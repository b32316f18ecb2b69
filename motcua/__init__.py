"""motcua: one-stop shop (một cửa) for Vietnamese administrative procedures."""

__version__ = "0.1.0"
