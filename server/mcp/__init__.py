"""The MCP server at `/mcp`: the concept lab, the agents and the workflows as tools, the notes as resources.

Built on the official `mcp` SDK's low-level server (tools whose schemas come from the
concept lab's and the workflows' own input types) behind its streamable-HTTP transport.
It is mounted during warm-up (`server.mcp.mount.serve_mcp`), so `import mcp` stays off
the start-up path of the early routes, and it sits behind the same API-key middleware as
the rest of the API.
"""
