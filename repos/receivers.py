"""The repos app's part of a user's account: deleting the account removes their repositories from disk,
unless the deletion was asked to keep them (`deleteRepositories: false`)."""

import logging
import shutil

from core.user_data import UserDataPart

from .paths import user_root

logger = logging.getLogger(__name__)


def _release(user, result: dict) -> None:
    if not result["deleteRepositories"]:
        return
    root = user_root(user)
    try:
        shutil.rmtree(root)
    except FileNotFoundError:
        return
    except OSError:
        logger.warning("Could not remove the repositories of user %s", user.pk, exc_info=True)
        result["errors"].append("Could not remove the user's repositories")


USER_DATA = UserDataPart(name="repos", order=25, release=_release)
