"""What the benchmarks share: a kept PostgreSQL cluster and the COPY loader of dossiers."""
