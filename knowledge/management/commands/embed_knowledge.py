"""`manage.py embed_knowledge`: compute the embeddings of knowledge documents that changed (see services)."""

from django.core.management.base import BaseCommand, CommandError

from knowledge.embeddings import EmbeddingsUnavailable
from knowledge.services import DEFAULT_BATCH_SIZE, knowledge_embed


class Command(BaseCommand):
    help = ("Compute embeddings for knowledge documents whose text (or the model) changed since their last "
            "embedding, through the OpenAI-compatible API of KNOWLEDGE_EMBEDDINGS_URL.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                            help=f"Texts per API request (default {DEFAULT_BATCH_SIZE}).")
        parser.add_argument("--force", action="store_true", help="Embed every document, changed or not.")

    def handle(self, *args, batch_size, force, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"  {done}/{total} documents sent")

        try:
            report = knowledge_embed(batch_size=batch_size, force=force, progress=progress)
        except EmbeddingsUnavailable as exc:
            raise CommandError(str(exc)) from None
        for doc_id, reason in report.failed.items():
            self.stderr.write(f"knowledge_documents {doc_id}: {reason}")
        summary = (f"Embedded {len(report.embedded)} document(s), {report.unchanged} unchanged, "
                   f"{len(report.failed)} failed.")
        if report.aborted:
            raise CommandError(f"{summary} Stopped early: {report.aborted}; {report.remaining} document(s) "
                               f"left for the next run.")
        self.stdout.write(self.style.SUCCESS(summary) if not report.failed else self.style.WARNING(summary))
