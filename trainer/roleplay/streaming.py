"""Server-sent events over a streamed POST response: how a customer's reply reaches the page.

Used by the single role-play chat and by the drill workspace (read by fetch in their scripts).
"""

import json
from datetime import datetime

from flask import Response, stream_with_context

from trainer.core.i18n import format_datetime


def sse_response(events) -> Response:
    """Stream `events` (dicts) as `data: {json}` blocks; times get the site's clock text."""

    def generate():
        for event in events:
            if "at" in event:
                # The site's time zone, as on server-rendered pages.
                event["clock"] = format_datetime(datetime.fromisoformat(event["at"]), "HH:mm:ss")
            yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n"

    return Response(
        stream_with_context(generate()),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
