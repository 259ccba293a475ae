"""The baseline: a bare Flask endpoint served by the same gunicorn setup as the app.

Comparing each page with it in the same run factors out how fast this machine happens to be.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/bare")
def bare():
    """Return a tiny constant page."""
    return "ok"
