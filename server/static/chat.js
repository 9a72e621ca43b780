// Chat: markdown, agents' tool calls, streaming, stop/regenerate/edit. Owner: issue 17.
"use strict";
