/* Server-sent events over a streamed POST (trainer/roleplay/streaming.py): the customer's reply
   in the role-play chat and the drill workspace. Trainer.streamEvents(url, body, handlers) POSTs
   JSON, then calls handlers[event.type](event) for each `data: {json}` block until the stream
   closes. A refusal (HTTP error) rejects with an Error carrying `refused` and `status`. */
(function () {
  "use strict";

  function streamEvents(url, body, handlers) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
        "X-CSRFToken": window.Trainer.csrfToken()
      },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (payload) {
          var error = new Error(payload.error || response.statusText);
          error.refused = true;
          error.status = response.status;
          throw error;
        });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { return; }
          buffer += decoder.decode(chunk.value, { stream: true });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(function (block) {
            var line = block.split("\n").filter(function (l) { return l.indexOf("data: ") === 0; })[0];
            if (!line) { return; }
            var event;
            try { event = JSON.parse(line.slice(6)); } catch (e) { return; }
            var handler = handlers[event.type];
            if (handler) { handler(event); }
          });
          return pump();
        });
      }
      return pump();
    });
  }

  window.Trainer.streamEvents = streamEvents;
})();
