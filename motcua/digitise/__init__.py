"""Digitising scans: checked, made PDF/A with a Vietnamese text layer, signed (Circular 01/2023)."""
