from django.apps import AppConfig

from core.user_data import user_data_register


class ReposConfig(AppConfig):
    """Each user's git repositories on disk (REPOS_DIR/<user id>/<name>); no database tables."""

    name = "repos"
    verbose_name = "Repositories"

    def ready(self):
        from . import receivers  # its part of account deletion

        user_data_register(receivers.USER_DATA)
