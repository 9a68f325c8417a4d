"""Per-table progress: a tqdm bar on a terminal, plain lines otherwise (one every PLAIN_EVERY rows, so
a log file still shows progress). Everything goes through the command's OutputWrapper."""

from tqdm import tqdm

PLAIN_EVERY = 50_000


class _Raw:
    """tqdm writes partial lines (carriage returns): bypass OutputWrapper's line ending."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")

    def flush(self) -> None:
        self.wrapper.flush()


class Progress:
    def __init__(self, out, err, *, tty: bool, enabled: bool = True):
        self.out, self.err, self.tty, self.enabled = out, err, tty, enabled
        self.bar = None

    def table(self, app: str, table: str, total: int | None):
        self.close()
        if not self.enabled:
            return None
        if self.tty:
            self.bar = tqdm(total=total, desc=f"{app}.{table}", unit="rows", file=_Raw(self.err), leave=False)
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
