"""The span index's shape, for the migrations that rebuild it with more covered columns
(0005, 0006): a GiST index on each dossier's open span and its receipt. PostgreSQL only.

(A module whose name starts with "_" is not a migration: Django's loader skips it.)"""

SPAN = "motcua_open_span(received_at, resolved_at, ended_at)"
# What 0004 covered: the resolution, the end, the unit and the id.
COVERED = "resolved_at, ended_at, receiving_unit_id, id"


def span_index(schema_editor, covered: str) -> None:
    """Rebuild ``dossier_open_span`` covering ``covered``."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_span")
    schema_editor.execute(
        f"CREATE INDEX dossier_open_span ON dossiers_dossier USING gist ({SPAN}, received_at)"
        f" INCLUDE ({covered})"
    )
