"""Which shared libraries a set of compiled files needs: a small reader of ELF dynamic sections.

The jail holds only the files it allows, so the C libraries behind Python's extension modules
and NumPy must be named one by one. `library_closure` reads each file's DT_NEEDED entries
(and its RUNPATH/RPATH, `$ORIGIN` included), finds each library where the dynamic loader
would, and repeats until nothing new turns up: the files `ldd` would list, without running
anything. Only headers are read, so a hundred files take milliseconds.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_NEEDED, DT_STRTAB, DT_RPATH, DT_RUNPATH = 0, 1, 5, 15, 29
LD_SO_CONF = Path("/etc/ld.so.conf")
DEFAULT_LIBRARY_DIRS = ("/lib64", "/usr/lib64", "/lib", "/usr/lib")
MAX_DYNAMIC_ENTRIES = 4096
MAX_STRING = 4096
MAX_CONF_DEPTH = 4  # nested `include` lines in ld.so.conf


@dataclass(frozen=True)
class _Layout:
    """Field formats of one ELF class and byte order."""

    header: struct.Struct  # e_phoff, e_phentsize, e_phnum
    header_offset: int
    segment: struct.Struct  # p_type, p_offset, p_vaddr, p_filesz
    dynamic: struct.Struct  # d_tag, d_val


def _layout(ident: bytes) -> _Layout | None:
    order = {1: "<", 2: ">"}.get(ident[5])
    if order is None:
        return None
    if ident[4] == 2:  # ELF64
        return _Layout(
            struct.Struct(order + "Q14xHH"),
            0x20,
            struct.Struct(order + "I4xQQ8xQ"),
            struct.Struct(order + "qQ"),
        )
    if ident[4] == 1:  # ELF32
        return _Layout(
            struct.Struct(order + "I10xHH"),
            0x1C,
            struct.Struct(order + "III4xI"),
            struct.Struct(order + "iI"),
        )
    return None


@dataclass(frozen=True)
class Dependencies:
    """What one shared object asks the loader for."""

    needed: tuple[str, ...]
    search_path: tuple[str, ...]  # RUNPATH (or RPATH), with $ORIGIN filled in


def real_path(path: str, folders: dict[str, str]) -> str:
    """os.path.realpath, faster for many files in few folders: each folder is resolved once."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, name = os.path.split(path)
    if folder not in folders:
        folders[folder] = os.path.realpath(folder)
    return os.path.join(folders[folder], name)


def read_dependencies(path: str, folders: dict[str, str] | None = None) -> Dependencies:
    """DT_NEEDED names and the search path of the ELF file at `path` (empty if not ELF)."""
    try:
        with open(path, "rb") as stream:
            return _read(
                stream, os.path.dirname(real_path(path, {} if folders is None else folders))
            )
    except (OSError, struct.error, ValueError):
        return Dependencies((), ())


def _read(stream, origin: str) -> Dependencies:
    ident = stream.read(16)
    layout = _layout(ident) if ident[:4] == ELF_MAGIC else None
    if layout is None:
        return Dependencies((), ())
    stream.seek(layout.header_offset)
    phoff, phentsize, phnum = layout.header.unpack(stream.read(layout.header.size))
    loads, dynamic = [], None
    for index in range(phnum):
        stream.seek(phoff + index * phentsize)
        p_type, p_offset, p_vaddr, p_filesz = layout.segment.unpack(
            stream.read(layout.segment.size)
        )
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return Dependencies((), ())
    entries = []
    stream.seek(dynamic[0])
    for _repeat in range(min(dynamic[1] // layout.dynamic.size, MAX_DYNAMIC_ENTRIES)):
        tag, value = layout.dynamic.unpack(stream.read(layout.dynamic.size))
        if tag == DT_NULL:
            break
        entries.append((tag, value))
    strtab = next((value for tag, value in entries if tag == DT_STRTAB), None)
    table = next(
        (
            offset + strtab - vaddr
            for vaddr, offset, size in loads
            if strtab is not None and vaddr <= strtab < vaddr + size
        ),
        None,
    )
    if table is None:
        return Dependencies((), ())

    def string(at: int) -> str:
        stream.seek(table + at)
        return stream.read(MAX_STRING).split(b"\0", 1)[0].decode("utf-8", "replace")

    needed = tuple(string(value) for tag, value in entries if tag == DT_NEEDED)
    runpath = [string(value) for tag, value in entries if tag == DT_RUNPATH]
    rpath = [string(value) for tag, value in entries if tag == DT_RPATH]
    search = ":".join(runpath or rpath)
    folders = tuple(
        part.replace("$ORIGIN", origin).replace("${ORIGIN}", origin)
        for part in search.split(":")
        if part
    )
    return Dependencies(needed, folders)


def system_library_dirs() -> tuple[str, ...]:
    """The loader's system folders: /etc/ld.so.conf (with its includes), then the defaults."""
    folders: list[str] = []
    _read_conf(LD_SO_CONF, folders, 0)
    return tuple(dict.fromkeys([*folders, *DEFAULT_LIBRARY_DIRS]))


def _read_conf(path: Path, folders: list[str], depth: int) -> None:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line.startswith("include") and depth < MAX_CONF_DEPTH:
            for pattern in line.split()[1:]:
                for included in sorted(Path("/").glob(pattern.lstrip("/"))):
                    _read_conf(included, folders, depth + 1)
        elif line.startswith("/"):
            folders.append(line)


def library_closure(files: list[str]) -> dict[str, set[str]]:
    """Every library `files` need, directly or not: real path -> the paths the loader opens it by."""
    system = system_library_dirs()
    listings: dict[str, frozenset[str]] = {}  # one listdir per folder beats a stat per name
    located: dict[tuple, list[str]] = {}
    folders: dict[str, str] = {}  # folder -> its real path
    found: dict[str, set[str]] = {}
    queue, seen = list(files), set()
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        dependencies = read_dependencies(current, folders)
        for name in dependencies.needed:
            key = (name, dependencies.search_path)
            if key not in located:
                located[key] = _locate(
                    name, (*dependencies.search_path, *system), listings, folders
                )
            for alias in located[key]:
                real = real_path(alias, folders)
                if alias not in found.get(real, ()):
                    found.setdefault(real, set()).add(alias)
                    queue.append(real)
    return found


def _locate(
    name: str, search: tuple[str, ...], listings: dict[str, frozenset[str]], folders: dict[str, str]
) -> list[str]:
    """Every path by which the loader could find `name`: the first hit, and its twins elsewhere."""
    if "/" in name:
        return [name] if os.path.isfile(name) else []
    hits = [
        os.path.join(folder, name)
        for folder in dict.fromkeys(search)
        if name in _listing(folder, listings)
    ]
    if not hits:
        return []
    first = real_path(hits[0], folders)
    return [hit for hit in hits if real_path(hit, folders) == first]


def _listing(folder: str, listings: dict[str, frozenset[str]]) -> frozenset[str]:
    if folder not in listings:
        try:
            listings[folder] = frozenset(os.listdir(folder))
        except OSError:
            listings[folder] = frozenset()
    return listings[folder]
