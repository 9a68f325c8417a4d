"""Image naming and per-tier process limits, with their defaults (see `core.conf`).

Images are `<prefix>-<flavor>:<tag>`, or `<registry>/<owner>/<prefix>-<flavor>:<tag>` with a registry
(api-contract 2.11 step 5). The registry, owner and tag come from the old server's variables
(`OPENCODE_REGISTRY_URL`, `OPENCODE_REGISTRY_OWNER`, `OPENCODE_CONTAINER_VERSION`), read in settings.
"""

from core.conf import AppSettings

container_settings = AppSettings({
    "SANDBOX_IMAGE_REGISTRY": "",
    "SANDBOX_IMAGE_OWNER": "",
    "SANDBOX_IMAGE_NAME_PREFIX": "codeopen",
    "SANDBOX_IMAGE_TAG": "0.4.0",
    # The tier table has no pids column: the limit scales with the tier's CPU cores (the old
    # hard-coded table gave 256 processes per CPU).
    "SANDBOX_PIDS_PER_CPU": 256,
})
