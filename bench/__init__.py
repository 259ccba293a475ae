"""Load benchmark: the app under gunicorn (gthread) on PostgreSQL, beside a bare Flask endpoint."""
