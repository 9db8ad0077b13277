"""The curator guide's workflow: a new article and its records need no code change."""

import hashlib
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import ROOT, Settings
from app.loader.build import build
from app.main import create_app

ARTICLE = (
    "Almaty and Urumqi mark thirty years as sister cities.\n"
    "Separately, China and Uzbekistan opened a joint trade office.\n"
    "The mayors said the Almaty–Urumqi tie had grown into a model of cooperation.\n"  # noqa: RUF001
)


def test_a_new_source_with_records_builds_and_is_served(
    data_copy: Path, new_database_url: Callable[[], str]
) -> None:
    # 1. The text, unchanged, under sources/.
    (data_copy / "sources" / "example-2025-anniversary.txt").write_text(ARTICLE, encoding="utf-8")
    digest = hashlib.sha256(ARTICLE.encode()).hexdigest()
    # 2. Its bibliographic entry, appended to sources.yaml.
    with (data_copy / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "- id: example-2025-anniversary\n"
            f"  sha256: {digest}\n"
            "  title: Almaty and Urumqi mark thirty years\n"
            "  publisher: Example News\n"
            "  authors: []\n"
            "  kind: news\n"
            "  language: en\n"
            '  published: "2025-03"\n'
            "  published_precision: month\n"
            "  published_basis: stated\n"
            "  url: null\n"
            "  copy_url: null\n"
            "  notes: A test article.\n"
        )
    # 3. A record citing it, in a file of its own (any *.yaml is read).
    (data_copy / "example.yaml").write_text(
        "events:\n"
        "- id: almaty-urumqi-thirty-years\n"
        "  pair: CN-KZ\n"
        "  title: Almaty and Urumqi mark thirty years as sister cities\n"
        "  type: cultural\n"
        "  date: null\n"
        "  places: [almaty, urumqi]\n"
        "  citations:\n"
        "  - source: example-2025-anniversary\n"
        "    excerpt: Almaty and Urumqi mark thirty years as sister cities.\n"
        # Another country pair needs no schema or code change either.
        "- id: cn-uz-trade-office\n"
        "  pair: CN-UZ\n"
        "  title: China and Uzbekistan open a joint trade office\n"
        "  type: agreement\n"
        "  date: null\n"
        "  citations:\n"
        "  - source: example-2025-anniversary\n"
        "    excerpt: China and Uzbekistan opened a joint trade office.\n",
        encoding="utf-8",
    )
    url = new_database_url()
    build(url, data_copy)
    with TestClient(create_app(Settings(database_url=url, data_dir=data_copy))) as client:
        event = client.get("/v1/events/almaty-urumqi-thirty-years").json()
        assert {p["id"] for p in event["places"]} == {"almaty", "urumqi"}
        citation = event["citations"][0]
        assert (citation["start"], citation["end"]) == (0, len(ARTICLE.splitlines()[0]))
        records = client.get("/v1/sources/example-2025-anniversary/records").json()
        assert [r["id"] for r in records["items"]] == [
            "almaty-urumqi-thirty-years",
            "cn-uz-trade-office",
        ]
        other_pair = client.get("/v1/events", params={"pair": "CN-UZ"}).json()
        assert [e["id"] for e in other_pair["items"]] == ["cn-uz-trade-office"]
        first_pair = client.get("/v1/events", params={"pair": "CN-KZ", "limit": 500}).json()
        assert "cn-uz-trade-office" not in {e["id"] for e in first_pair["items"]}


def test_the_guide_documents_every_vocabulary() -> None:
    import yaml

    guide = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    names = yaml.safe_load((ROOT / "data" / "vocabularies.yaml").read_text())["vocabularies"]
    missing = [name for name in names if f"`{name}`" not in guide and name not in guide]
    assert missing == []
