"""A person's electronic document store: digitised components and results, reused by ID number."""
