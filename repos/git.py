"""`repos.git`: the functions of `repos.libgit2` (git through pygit2), loaded on first use.

Every process imports this app's selectors and services (the sandboxes app's code does, from its
receivers), and most never touch a repository: the legacy import, which must stay within 100 MiB, the
sync worker, the other management commands. libgit2, with the OpenSSL of its wheel, is 10 MiB of that.
So the module that talks to git is imported when a name is first asked of this one; Python's import
lock makes that safe from any thread. Each name is then kept here, found without this function.
"""

import importlib


def __getattr__(name: str):
    value = getattr(importlib.import_module("repos.libgit2"), name)
    globals()[name] = value
    return value
