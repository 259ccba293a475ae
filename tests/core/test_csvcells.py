"""CSV lines for streamed exports: BOM with the header, one line per row, cells kept as given."""

import csv
import inspect
import io

from trainer.core.csvcells import csv_lines, text_cell


def test_csv_lines_is_lazy_and_line_per_row():
    produced = []

    def rows():
        for n in range(3):
            produced.append(n)
            yield [text_cell(f"=agent {n}"), n, "a,b"]

    lines = csv_lines(["name", "n", "note"], rows())
    assert inspect.isgenerator(lines)
    assert next(lines) == "\ufeffname,n,note\r\n"
    assert produced == []  # nothing computed before it is asked for
    rest = list(lines)
    assert len(rest) == 3 and produced == [0, 1, 2]
    parsed = list(csv.reader(io.StringIO("".join(rest))))
    assert parsed[0] == ["'=agent 0", "0", "a,b"]  # formula escaped, comma quoted
