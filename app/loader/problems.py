"""Build problems, each reported as `file:line: field: what is wrong` (or `file:line:column:`)."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located to a file and line (and column, when known)."""

    file: str
    line: int
    field: str
    message: str
    column: int = 0  # 1-based; 0 when only the line is known

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.field}: {self.message}"

    def github(self) -> str:
        """The problem as a GitHub Actions workflow command, which marks the line in a diff.

        Format and escaping as GitHub's "workflow commands" documentation gives them:
        `::error file=F,line=L,col=C,title=T::message`, `%`, CR and LF escaped in the message,
        and also `:` and `,` in property values.
        """
        props = [f"file={_escape_property(self.file)}", f"line={self.line}"]
        if self.column:
            props.append(f"col={self.column}")
        props.append(f"title={_escape_property(self.field)}")
        return f"::error {','.join(props)}::{_escape_data(self.message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


class BuildFailed(Exception):
    """The data has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the data")
        self.problems = sorted(problems)
