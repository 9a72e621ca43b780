"""A base for agents whose turn is a program (a grounded pipeline) rather than one model reply."""

from __future__ import annotations

from collections.abc import Sequence

from autogen_agentchat.agents import BaseChatAgent
from autogen_agentchat.base import Response
from autogen_agentchat.messages import BaseChatMessage, TextMessage
from autogen_core import CancellationToken


class PipelineAgent(BaseChatAgent):
    """Replies with one TextMessage; subclasses implement `on_messages_stream` (inner events, then the Response)."""

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        final: Response | None = None
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                final = item
        if final is None:
            raise RuntimeError(f"{type(self).__name__} produced no response")
        return final


__all__ = ["PipelineAgent"]
