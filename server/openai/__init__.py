"""The OpenAI-compatible API's parts, one job per module; `server.routes.openai_compat` holds the thin routes.

* `schemas`: the request body and its translation to gateway messages and options;
* `errors`: every failure in OpenAI's error shape, and the route class that guards the handlers;
* `targets`: which persona, workflow or backend model answers a model id;
* `running`: running a target (a direct model chat, or a workflow through `workflows.runner`);
* `sse`: completion bodies and the `chat.completion.chunk` event stream.
"""
