"""Knowledge documents have no legacy SQLite table (the old server kept them in PostgreSQL from
b0da3c54 on): nothing to import; the export leaves them out and says so."""

from legacy.export import ExportTable

from .models import KnowledgeDocument

DEPENDS_ON = ()
ORDER = 80

EXPORT_TABLES = [
    ExportTable(
        "knowledge_documents",
        KnowledgeDocument,
        leave_out_reason="no table in the legacy SQLite file (the old server kept knowledge documents in "
        "PostgreSQL)",
    ),
]
