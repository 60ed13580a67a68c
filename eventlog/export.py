"""One export: freeze the scope, stream the events into the chosen format, never hold the log."""

from __future__ import annotations

import gzip
import io
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from . import csvlog, ocel, xes
from .activities import Catalogue
from .pseudonyms import Pseudonyms
from .scope import Scope
from .stream import read_events

FORMATS = ("xes", "ocel", "csv")
BUFFER = 1 << 20


@dataclass
class Result:
    format: str
    events: int
    traces: int = 0
    objects: int = 0
    seconds: float = 0.0

    def line(self, target: str) -> str:
        rate = self.events / self.seconds if self.seconds else 0.0
        parts = [f"{self.events:,} events"]
        if self.format == "xes":
            parts.append(f"{self.traces:,} cases")
        if self.format == "ocel":
            parts.append(f"{self.objects:,} objects")
        return f"{self.format}: {', '.join(parts)} to {target} in {self.seconds:.1f} s ({rate:,.0f} events/s)"


@contextmanager
def opened(target: str, *, binary: bool):
    """``target`` for writing: "-" is stdout; a name ending in .gz is compressed. A file appears
    under its name only once complete, so a failed export never leaves a truncated log behind."""
    if target == "-":
        stream = sys.stdout.buffer
        yield from _text_or_binary(stream, binary)
        return
    path = Path(target)
    part = path.with_name(path.name + ".part")
    raw = gzip.open(part, "wb", compresslevel=6) if path.suffix == ".gz" else open(part, "wb", buffering=BUFFER)
    try:
        with raw:
            yield from _text_or_binary(raw, binary)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _text_or_binary(stream, binary: bool):
    if binary:
        yield stream
        stream.flush()
        return
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    yield text
    text.flush()
    text.detach()  # leave the underlying stream to its owner


def export(fmt: str, scope: Scope, pseudonyms: Pseudonyms, target: str, *, progress: bool = False) -> Result:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    scope.freeze()
    catalogue = Catalogue()
    events = read_events(scope, pseudonyms, catalogue)
    if progress:
        events = tqdm(events, total=scope.events().count(), desc=fmt, unit="event", unit_scale=True, file=sys.stderr)
    result = Result(fmt, 0)
    with opened(target, binary=fmt == "xes") as out:
        if fmt == "xes":
            counted = _Counted(events)
            result.traces = xes.write(counted, out, pseudonymised=pseudonyms.enabled)
            result.events = counted.n
        elif fmt == "csv":
            result.events = csvlog.write(events, out, pseudonymised=pseudonyms.enabled)
        else:
            written = ocel.write(events, out, scope=scope, pseudonyms=pseudonyms, catalogue=catalogue)
            result.events, result.objects = written["events"], written["objects"]
    if progress:
        events.close()
    result.seconds = time.perf_counter() - started
    return result


class _Counted:
    def __init__(self, iterable):
        self.iterable, self.n = iterable, 0

    def __iter__(self):
        for item in self.iterable:
            self.n += 1
            yield item
