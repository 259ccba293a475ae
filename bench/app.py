"""The app under test, as wsgi.py builds it, plus an X-Bench-Queries response header.

The header carries the number of SQL statements the request ran before its response headers
were built (a streamed body's later statements are not counted), so the report can show
queries per request next to each latency.
"""

from flask import g, has_app_context
from sqlalchemy import event

from trainer import create_app
from trainer.extensions import db

app = create_app()


def _count(*_args) -> None:
    if has_app_context():
        g.bench_queries = g.get("bench_queries", 0) + 1


with app.app_context():
    event.listen(db.engine, "before_cursor_execute", _count)


@app.after_request
def _queries_header(response):
    """Report the statement count of this request."""
    response.headers["X-Bench-Queries"] = str(g.get("bench_queries", 0))
    return response
