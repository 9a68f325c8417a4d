"""`manage.py seed_knowledge`: load the starter knowledge base (knowledge/starter.py); safe to run again."""

from django.core.management.base import BaseCommand

from knowledge.services import knowledge_seed


class Command(BaseCommand):
    help = "Load AgentPod's starter knowledge documents. Existing ones are left as edited unless --reset."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="Restore the text of starter documents edited since they were loaded.")

    def handle(self, *args, reset, verbosity, **options):
        report = knowledge_seed(reset=reset)
        if verbosity >= 2:
            for label, ids in (("created", report.created), ("updated", report.updated),
                               ("unchanged", report.unchanged)):
                for doc_id in ids:
                    self.stdout.write(f"  {label}: knowledge_documents {doc_id}")
        self.stdout.write(self.style.SUCCESS(
            f"Starter knowledge: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged."))
