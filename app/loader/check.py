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
from app.loader.dates import BASIS_REQUIRED, DateField, SourceDate, check_record_dates
from app.loader.messages import closest_passage, did_you_mean, encoding_faults, explain_yaml_error
from app.loader.problems import BuildFailed, Problem
from app.loader.yaml_lines import LineDict, LineList, line_of, load_yaml

# Collection key in the YAML files -> the model each entry must match.
COLLECTIONS: dict[str, type[BaseModel]] = {c.key: c.entry for c in registry.COLLECTIONS}

# Field (dotted; `[]` walks a list) -> the vocabulary its values must come from.
VOCABULARY_FIELDS: dict[str, dict[str, str]] = {
    c.key: c.vocabulary_fields for c in registry.COLLECTIONS if c.vocabulary_fields
}
# YAML collection key -> its dates (each with its basis and phrase fields).
DATE_FIELDS: dict[str, tuple[DateField, ...]] = {
    c.key: c.dates for c in registry.COLLECTIONS if c.dates
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
    # Collection -> the data files (and lines) that hold its key, for messages naming them.
    files: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
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
        self.files: dict[str, list[tuple[str, int]]] = defaultdict(list)
        # What could not be read, so that it causes no follow-on problems elsewhere:
        # collections with a file that failed to parse (their ids can't be known), ids of
        # records that failed validation, and every string such a record holds (it may be
        # the only reference to a person or place).
        self.incomplete: set[str] = set()
        self.failed_ids: dict[str, set[str]] = defaultdict(set)
        self.failed_strings: set[str] = set()

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.data_dir.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def problem(self, file: str, line: int, field_name: str, message: str, column: int = 0) -> None:
        self.problems.append(Problem(file, line, field_name, message, column))

    def read_files(self) -> None:
        files = sorted(self.data_dir.glob("*.yaml"))
        if not files:
            self.problem(self._rel(self.data_dir), 0, "(folder)", "no *.yaml data files")
        for path in files:
            rel = self._rel(path)
            data = path.read_bytes()
            for line, message in encoding_faults(data):
                self.problem(rel, line, "(encoding)", message)
            try:
                document = load_yaml(path)
            except yaml.YAMLError as exc:
                fault = explain_yaml_error(exc)
                self.problem(rel, fault.line, "(yaml)", fault.message, fault.column)
                self.incomplete.update(_collections_named_in(path.stem, data))
                continue
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                self.problem(rel, line, "(encoding)", f"not valid UTF-8: {exc.reason}")
                self.incomplete.update(_collections_named_in(path.stem, data))
                continue
            if document is None:
                if path.stem in COLLECTIONS or path.stem == "vocabularies":
                    self.problem(
                        rel,
                        1,
                        "(file)",
                        f"the file is empty or holds only comments; it must hold `{path.stem}:` "
                        f"and its records (write `{path.stem}: []` if there are none on purpose)",
                    )
                    self.incomplete.add(path.stem)
                continue
            if not isinstance(document, LineDict):
                self.problem(rel, 1, "(file)", "the top level must be a mapping of collections")
                self.incomplete.update(_collections_named_in(path.stem, data))
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
            hint = did_you_mean(str(key), ["vocabularies", *COLLECTIONS])
            self.problem(
                rel, line, str(key), f"unknown collection{hint or ''}; expected one of: {known}"
            )
            return
        self.files[key].append((rel, line))
        if not isinstance(value, LineList):
            self.problem(rel, line, key, "must be a list of records")
            self.incomplete.add(key)
            return
        for index, raw in enumerate(value):
            if not isinstance(raw, LineDict):
                self.problem(rel, value.item_lines[index], f"{key}[{index}]", "must be a mapping")
                self.incomplete.add(key)
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
                self.failed_ids["vocabularies"].add(str(name))
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
            if isinstance(raw.get("id"), str):
                self.failed_ids[collection].add(raw["id"])
            self.failed_strings.update(_strings_in(raw))
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
        declared = registry.BY_KEY[collection]
        if model.id in declared.routes_beside_items:
            self.problem(
                rel,
                entry.line("id"),
                "id",
                f"{model.id!r} cannot be a {declared.noun}'s id: /v1/{declared.path}/"
                f"{model.id} is another route, so the record could not be reached",
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
            faults = encoding_faults(data)
            for line, message in faults:
                self.problem(self._rel(path), line, "(encoding)", message)
            if faults:
                # The one message names the fault: the checksum and the excerpts would only fail
                # after it, so they go unchecked (citations of an unread text are skipped).
                continue
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
                if not self._may_exist("sources", path.stem):
                    self.problem(
                        self._rel(path),
                        1,
                        "(text)",
                        f"no entry for source {path.stem!r} in sources.yaml",
                    )

    def _may_exist(self, collection: str, record_id: str) -> bool:
        """True if `record_id` is, or might be, in `collection` (it failed to load)."""
        return (
            record_id in self.ids[collection]
            or record_id in self.failed_ids[collection]
            or collection in self.incomplete
        )

    def check_vocabularies(self) -> None:
        undefined: set[str] = set()
        for collection, fields in VOCABULARY_FIELDS.items():
            for entry in self.entries[collection]:
                for path, vocabulary in fields.items():
                    terms = self.vocabularies.get(vocabulary)
                    if terms is None:
                        if vocabulary not in undefined and self._may_exist(
                            "vocabularies", vocabulary
                        ):
                            continue  # its definition failed to load and was reported
                        if vocabulary not in undefined:
                            self.problem(
                                entry.file,
                                entry.line(),
                                path,
                                f"vocabulary {vocabulary!r} is not defined",
                            )
                        undefined.add(vocabulary)
                        continue
                    for loc, value in _values_at(entry.model, path):
                        if value is not None and value not in terms:
                            allowed = ", ".join(sorted(terms))
                            self.problem(
                                entry.file,
                                entry.line(*loc),
                                _field_name(loc),
                                f"{value!r} is not in vocabulary {vocabulary!r}"
                                f"{did_you_mean(str(value), terms)} (allowed: {allowed})",
                            )

    def check_dates(self, required: bool = BASIS_REQUIRED) -> None:
        sources = {
            entry.model.id: SourceDate(entry.model.id, entry.model.published)
            for entry in self.entries["sources"]
        }
        for collection in DATE_FIELDS:
            for entry in self.entries[collection]:

                def report(key: str, field_name: str, message: str, entry: Entry = entry) -> None:
                    self.problem(entry.file, entry.line(key), field_name, message)

                check_record_dates(DATE_FIELDS[collection], entry.model, sources, report, required)

    def check_references(self) -> set[tuple[str, str]]:
        used: set[tuple[str, str]] = set()
        for collection, fields in REFERENCE_FIELDS.items():
            for entry in self.entries[collection]:
                for path, target in fields.items():
                    for loc, value in _values_at(entry.model, path):
                        if value is None:
                            continue
                        if not self._may_exist(target, value):
                            self.problem(
                                entry.file,
                                entry.line(*loc),
                                _field_name(loc),
                                f"unknown {target} id {value!r}"
                                f"{did_you_mean(value, self.ids[target])}",
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
            referrers = {
                name for name, fields in REFERENCE_FIELDS.items() if collection in fields.values()
            }
            if referrers & self.incomplete:
                continue  # a file that failed to parse may hold the references
            for entry in self.entries[collection]:
                if entry.model.id in self.failed_strings:
                    continue  # a record that failed validation may be its only reference
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
            if not self._may_exist("sources", citation.source):
                self.problem(
                    entry.file,
                    entry.line(*where, "source"),
                    f"citations[{index}].source",
                    f"unknown source {citation.source!r}"
                    f"{did_you_mean(citation.source, self.ids['sources'])}",
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
            message = f"not found in source {citation.source!r}"
            near = closest_passage(citation.excerpt, text)
            if near is not None:
                text_file = self._rel(self.data_dir / "sources" / f"{citation.source}.txt")
                message += "; " + near.describe(text_file)
            self.problem(entry.file, line, field_name, message)
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


def _collections_named_in(stem: str, data: bytes) -> set[str]:
    """The collections a file that could not be read may hold: its top-level keys as far as
    a line scan finds them, its name if that is a collection, else every collection."""
    keys = {
        match.decode("utf-8", "replace")
        for match in re.findall(rb"^([a-z_]+)[ \t]*:", data, flags=re.MULTILINE)
    }
    named = {key for key in keys | {stem} if key in COLLECTIONS or key == "vocabularies"}
    return named or {*COLLECTIONS, "vocabularies"}


def _strings_in(value: Any) -> set[str]:
    """Every string anywhere in a parsed YAML value."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for item in value.values() for s in _strings_in(item)}
    if isinstance(value, list):
        return {s for item in value for s in _strings_in(item)}
    return set()


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


def check(data_dir: Path, basis_required: bool = BASIS_REQUIRED) -> Dataset:
    """Check everything in `data_dir`; raises BuildFailed with every problem found."""
    undeclared = registry.undeclared_references()
    if undeclared:  # a declaration, not the data, is wrong: say so before reading any file
        raise BuildFailed([Problem("app/registry.py", 0, "references", m) for m in undeclared])
    checker = _Checker(data_dir)
    checker.read_files()
    checker.read_texts()
    checker.check_vocabularies()
    checker.check_dates(basis_required)
    checker.check_unused(checker.check_references())
    citations = checker.resolve_citations()
    if checker.problems:
        raise BuildFailed(checker.problems)
    return Dataset(
        version=dataset_version(data_dir),
        vocabularies=checker.vocabularies,
        texts=checker.texts,
        entries=dict(checker.entries),
        files=dict(checker.files),
        citations=citations,
        disagreements=checker.find_disagreements(),
    )
