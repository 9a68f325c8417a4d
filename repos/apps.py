from django.apps import AppConfig


class ReposConfig(AppConfig):
    """Each user's git repositories on disk (REPOS_DIR/<user id>/<name>); no database tables."""

    name = "repos"
    verbose_name = "Repositories"
