"""The MCP client side: external MCP servers (THINKROOM_MCP_SERVERS) give the personas extra tools.

`config` is light (pydantic only) because settings import it; the per-framework loaders
(`crewai_mcp`, `autogen_mcp`) import their framework and are imported only by the adapters.
"""

from .config import HttpServer, McpServer, McpServerError, StdioServer, parse_servers, servers_for

__all__ = ["HttpServer", "McpServer", "McpServerError", "StdioServer", "parse_servers", "servers_for"]
