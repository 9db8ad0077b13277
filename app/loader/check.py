"""Every check of the dataset: shapes, vocabularies, references, excerpts, disagreements."""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from app import registry
from app.loader.problems import BuildFailed, Problem
from app.loader.yaml_lines import LineDict, LineList, line_of, load_yaml

# Collection key in the YAML files -> the model each entry must match.
COLLECTIONS: dict[str, type[BaseModel]] = {c.key: c.entry for c in registry.COLLECTIONS}

# Field (dotted; `[]` walks a list) -> the vocabulary its values must come from.
VOCABULARY_FIELDS: dict[str, dict[str, str]] = {
    c.key: c.vocabularies for c in registry.COLLECTIONS if c.vocabularies
}

# Field -> the collection whose ids it must name.
REFERENCE_FIELDS: dict[str, dict[str, str]] = {
    c.key: c.references for c in registry.COLLECTIONS if c.references
}


@dataclass
class Entry:
    """One validated record and where it was written."""

    file: str
    raw: LineDict
    model: Any

    def line(self, *loc: int | str) -> int:
        """The line of a field of this record."""
        return line_of(self.raw, loc, self.raw.line)


@dataclass(frozen=True)
class ResolvedCitation:
    """A citation with its offsets found in the source text."""

    source_id: str
    excerpt: str
    start: int
    end: int


@dataclass
class Dataset:
    """The checked dataset, ready to load."""

    version: str
    vocabularies: dict[str, dict[str, str]]
    texts: dict[str, str]
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    citations: dict[tuple[str, str], list[ResolvedCitation]] = field(default_factory=dict)
    disagreements: dict[tuple[str, str], str] = field(default_factory=dict)


def dataset_version(data_dir: Path) -> str:
    """Content hash of every file under data/ (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(record)"


def _values_at(model: Any, path: str) -> list[tuple[tuple[int | str, ...], Any]]:
    """The values of a dotted field path, with their locations; `name[]` walks a list."""
    found: list[tuple[tuple[int | str, ...], Any]] = [((), model)]
    for part in path.split("."):
        step: list[tuple[tuple[int | str, ...], Any]] = []
        for loc, obj in found:
            if part.endswith("[]"):
                name = part[:-2]
                for index, item in enumerate(getattr(obj, name) or []):
                    step.append(((*loc, name, index), item))
            else:
                step.append(((*loc, part), getattr(obj, part)))
        found = step
    return found


class _Checker:
    """Collects every problem of one data folder rather than stopping at the first."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.entries: dict[str, list[Entry]] = defaultdict(list)
        self.ids: dict[str, dict[str, Entry]] = defaultdict(dict)
        self.vocabularies: dict[str, dict[str, str]] = {}
        self.texts: dict[str, str] = {}

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.data_dir.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def problem(self, file: str, line: int, field_name: str, message: str) -> None:
        self.problems.append(Problem(file, line, field_name, message))

    def read_files(self) -> None:
        files = sorted(self.data_dir.glob("*.yaml"))
        if not files:
            self.problem(self._rel(self.data_dir), 0, "(folder)", "no *.yaml data files")
        for path in files:
            rel = self._rel(path)
            try:
                document = load_yaml(path)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                line = mark.line + 1 if mark else 1
                self.problem(rel, line, "(yaml)", f"{exc.context or ''} {exc.problem}".strip())
                continue
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                self.problem(rel, 1, "(yaml)", str(exc).splitlines()[0])
                continue
            if document is None:
                continue
            if not isinstance(document, LineDict):
                self.problem(rel, 1, "(file)", "the top level must be a mapping of collections")
                continue
            for key, value in document.items():
                self._read_key(rel, document, key, value)

    def _read_key(self, rel: str, document: LineDict, key: str, value: Any) -> None:
        line = document.key_lines[key]
        if key == "vocabularies":
            self._read_vocabularies(rel, line, value)
            return
        if key not in COLLECTIONS:
            known = ", ".join(["vocabularies", *COLLECTIONS])
            self.problem(rel, line, str(key), f"unknown collection; expected one of: {known}")
            return
        if not isinstance(value, LineList):
            self.problem(rel, line, key, "must be a list of records")
            return
        for index, raw in enumerate(value):
            if not isinstance(raw, LineDict):
                self.problem(rel, value.item_lines[index], f"{key}[{index}]", "must be a mapping")
                continue
            self._read_record(rel, key, raw)

    def _read_vocabularies(self, rel: str, line: int, value: Any) -> None:
        if not isinstance(value, LineDict):
            self.problem(rel, line, "vocabularies", "must map a vocabulary name to its terms")
            return
        for name, terms in value.items():
            if not isinstance(terms, LineDict) or not terms:
                self.problem(
                    rel,
                    value.key_lines[name],
                    f"vocabularies.{name}",
                    "must map each term to a one-line description",
                )
                continue
            if name in self.vocabularies:
                self.problem(rel, value.key_lines[name], f"vocabularies.{name}", "defined twice")
            self.vocabularies[name] = {str(term): str(text) for term, text in terms.items()}

    def _read_record(self, rel: str, collection: str, raw: LineDict) -> None:
        model_cls = COLLECTIONS[collection]
        try:
            model: Any = model_cls.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                self.problem(rel, line_of(raw, loc, raw.line), _field_name(loc), error["msg"])
            return
        entry = Entry(rel, raw, model)
        first = self.ids[collection].get(model.id)
        if first is not None:
            self.problem(
                rel,
                entry.line("id"),
                "id",
                f"duplicate {collection} id {model.id!r} (first at {first.file}:"
                f"{first.line('id')})",
            )
            return
        self.ids[collection][model.id] = entry
        self.entries[collection].append(entry)

    def read_texts(self) -> None:
        text_dir = self.data_dir / "sources"
        for entry in self.entries["sources"]:
            path = text_dir / f"{entry.model.id}.txt"
            if not path.is_file():
                self.problem(entry.file, entry.line("id"), "id", f"no text file {self._rel(path)}")
                continue
            data = path.read_bytes()
            if entry.model.sha256 and hashlib.sha256(data).hexdigest() != entry.model.sha256:
                self.problem(
                    entry.file,
                    entry.line("sha256"),
                    "sha256",
                    f"{self._rel(path)} does not match: the text was changed or cut",
                )
            try:
                self.texts[entry.model.id] = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.problem(
                    self._rel(path),
                    data[: exc.start].count(b"\n") + 1,
                    "(text)",
                    f"not valid UTF-8: {exc.reason}",
                )
        if text_dir.is_dir():
            for path in sorted(text_dir.glob("*.txt")):
                if path.stem not in self.ids["sources"]:
                    self.problem(
                        self._rel(path),
                        1,
                        "(text)",
                        f"no entry for source {path.stem!r} in sources.yaml",
                    )

    def check_vocabularies(self) -> None:
        for collection, fields in VOCABULARY_FIELDS.items():
            for entry in self.entries[collection]:
                for path, vocabulary in fields.items():
                    terms = self.vocabularies.get(vocabulary)
                    if terms is None:
                        self.problem(
                            entry.file,
                            entry.line(),
                            path,
                            f"vocabulary {vocabulary!r} is not defined",
                        )
                        continue
                    for loc, value in _values_at(entry.model, path):
                        if value is not None and value not in terms:
                            allowed = ", ".join(sorted(terms))
                            self.problem(
                                entry.file,
                                entry.line(*loc),
                                _field_name(loc),
                                f"{value!r} is not in vocabulary {vocabulary!r} ({allowed})",
                            )

    def check_references(self) -> set[tuple[str, str]]:
        used: set[tuple[str, str]] = set()
        for collection, fields in REFERENCE_FIELDS.items():
            for entry in self.entries[collection]:
                for path, target in fields.items():
                    for loc, value in _values_at(entry.model, path):
                        if value is None:
                            continue
                        if value not in self.ids[target]:
                            self.problem(
                                entry.file,
                                entry.line(*loc),
                                _field_name(loc),
                                f"unknown {target} id {value!r}",
                            )
                        elif (target, value) != (collection, entry.model.id):
                            used.add((target, value))
        for entry in self.entries["sister_cities"]:
            self._check_sides(entry)
        for entry in self.entries["sources"]:
            seen: set[str] = set()
            for index, credit in enumerate(entry.model.credits):
                if credit.person in seen:
                    self.problem(
                        entry.file,
                        entry.line("credits", index),
                        f"credits[{index}]",
                        f"person {credit.person!r} is credited twice; join the roles",
                    )
                seen.add(credit.person)
        return used

    def _check_sides(self, entry: Entry) -> None:
        first, second = entry.model.pair.split("-")
        for side, country in (("side_a", first), ("side_b", second)):
            place = self.ids["places"].get(getattr(entry.model, side))
            if place is not None and place.model.country != country:
                self.problem(
                    entry.file,
                    entry.line(side),
                    side,
                    f"place {place.model.id!r} is in {place.model.country}, "
                    f"but {side} must be in {country} for pair {entry.model.pair}",
                )

    def check_unused(self, used: set[tuple[str, str]]) -> None:
        for collection in (c.key for c in registry.COLLECTIONS if c.must_be_referenced):
            for entry in self.entries[collection]:
                if (collection, entry.model.id) not in used:
                    self.problem(
                        entry.file,
                        entry.line("id"),
                        "id",
                        f"{collection} id {entry.model.id!r} is not referenced by any record",
                    )

    def resolve_citations(self) -> dict[tuple[str, str], list[ResolvedCitation]]:
        resolved: dict[tuple[str, str], list[ResolvedCitation]] = {}
        for collection, entries in self.entries.items():
            if not registry.BY_KEY[collection].cited:
                continue
            for entry in entries:
                found = []
                for index, citation in enumerate(entry.model.citations):
                    hit = self._find(entry, index, citation)
                    if hit is not None:
                        found.append(hit)
                resolved[(collection, entry.model.id)] = found
        return resolved

    def _find(self, entry: Entry, index: int, citation: Any) -> ResolvedCitation | None:
        where = ("citations", index)
        text = self.texts.get(citation.source)
        if text is None:
            if citation.source not in self.ids["sources"]:
                self.problem(
                    entry.file,
                    entry.line(*where, "source"),
                    f"citations[{index}].source",
                    f"unknown source {citation.source!r}",
                )
            return None
        starts = []
        position = text.find(citation.excerpt)
        while position != -1:
            starts.append(position)
            position = text.find(citation.excerpt, position + 1)
        field_name = f"citations[{index}].excerpt"
        line = entry.line(*where, "excerpt")
        if not starts:
            self.problem(entry.file, line, field_name, f"not found in source {citation.source!r}")
            return None
        if citation.occurrence is None and len(starts) > 1:
            self.problem(
                entry.file,
                line,
                field_name,
                f"occurs {len(starts)} times in source {citation.source!r}; "
                f"add occurrence: 1..{len(starts)}",
            )
            return None
        occurrence = citation.occurrence or 1
        if occurrence > len(starts):
            self.problem(
                entry.file,
                entry.line(*where, "occurrence"),
                f"citations[{index}].occurrence",
                f"the excerpt occurs only {len(starts)} time(s)",
            )
            return None
        start = starts[occurrence - 1]
        return ResolvedCitation(
            citation.source, citation.excerpt, start, start + len(citation.excerpt)
        )

    def find_disagreements(self) -> dict[tuple[str, str], str]:
        marks: dict[tuple[str, str], str] = {}
        for collection in (c.key for c in registry.COLLECTIONS if c.disputable):
            groups: dict[str, list[Any]] = defaultdict(list)
            for entry in self.entries[collection]:
                key = _fact_key(entry.model)
                if key is not None:
                    groups[key].append(entry.model)
            for key, models in groups.items():
                if len({(m.value, m.unit) for m in models if m.value is not None}) > 1:
                    for model in models:
                        marks[(collection, model.id)] = key
        return marks


def _fact_key(model: Any) -> str | None:
    """The fact a figure is a claim about: curator-given, or metric + pair + period."""
    if model.fact_key:
        return str(model.fact_key)
    if model.period_start is None and model.period_end is None:
        return None  # an unstated period can't be matched with another claim
    parts = [
        model.pair,
        model.metric,
        model.period_start or "",
        model.period_end or "",
        getattr(model, "kind", ""),
        getattr(model, "exporter", None) or "",
        getattr(model, "importer", None) or "",
        getattr(model, "subject", ""),
    ]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(str(p).lower() for p in parts if p)).strip("-")


def check(data_dir: Path) -> Dataset:
    """Check everything in `data_dir`; raises BuildFailed with every problem found."""
    checker = _Checker(data_dir)
    checker.read_files()
    checker.read_texts()
    checker.check_vocabularies()
    checker.check_unused(checker.check_references())
    citations = checker.resolve_citations()
    if checker.problems:
        raise BuildFailed(checker.problems)
    return Dataset(
        version=dataset_version(data_dir),
        vocabularies=checker.vocabularies,
        texts=checker.texts,
        entries=dict(checker.entries),
        citations=citations,
        disagreements=checker.find_disagreements(),
    )
