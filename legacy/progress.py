"""Per-table progress: a tqdm bar on a terminal, nothing extra otherwise (the engine logs a line per
table, and a line every PLAIN_EVERY rows, so a log file still shows progress)."""

import sys

from tqdm import tqdm

PLAIN_EVERY = 50_000


class Progress:
    def __init__(self, out, tty: bool, *, enabled: bool = True):
        self.out, self.tty, self.enabled = out, tty, enabled
        self.bar = None

    def table(self, app: str, table: str, total: int | None):
        self.close()
        if not self.enabled:
            return None
        if self.tty:
            self.bar = tqdm(total=total, desc=f"{app}.{table}", unit="rows", file=sys.stderr, leave=False)
            return self.bar.update
        done = [0, 0]

        def advance(n: int) -> None:
            done[0] += n
            if done[0] - done[1] >= PLAIN_EVERY:
                done[1] = done[0]
                self.out.write(f"  {table}: {done[0]}/{total} rows")
                self.out.flush()
        return advance

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
