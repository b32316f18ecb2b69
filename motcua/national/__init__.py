"""Synchronisation with the National Public Service Portal (Cổng DVCQG), integrations-vn.md §1."""
