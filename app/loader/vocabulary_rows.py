"""The vocabulary_term rows of a checked dataset (served in the data package)."""

from app.loader.check import Dataset
from app.models import VocabularyTerm


def vocabulary_rows(dataset: Dataset) -> list[VocabularyTerm]:
    """One row per term of every vocabulary, in curated order."""
    return [
        VocabularyTerm(vocabulary=name, term=term, description=description, position=position)
        for name, terms in dataset.vocabularies.items()
        for position, (term, description) in enumerate(terms.items())
    ]
