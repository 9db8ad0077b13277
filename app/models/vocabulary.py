"""The controlled vocabularies of the dataset, as loaded from data/vocabularies.yaml."""

from sqlmodel import Field, SQLModel


class VocabularyTerm(SQLModel, table=True):
    """One allowed value of a controlled vocabulary, with what it means."""

    __tablename__ = "vocabulary_term"

    vocabulary: str = Field(primary_key=True, description="Name of the vocabulary, e.g. sector.")
    term: str = Field(primary_key=True, description="The allowed value, e.g. renewable_energy.")
    description: str = Field(description="What the term means, in one line.")
    position: int = Field(description="Order of the term in its vocabulary as curated.")
