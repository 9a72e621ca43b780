"""The sandbox CodeExecutorAgent: runs the coder's latest code in bubblewrap and reports it.

AutoGen's CodeExecutorAgent without a model client only answers with the output text;
this subclass also yields CodeGenerationEvent and CodeExecutionEvent (exit code
included) so runs can stream and record what was executed, and it joins a message's
python blocks into one program because every sandbox run starts fresh. Code is read out
of messages by the rules both frameworks share (agents.code_turn).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

from autogen_agentchat.agents import ApprovalRequest, ApprovalResponse, CodeExecutorAgent
from autogen_agentchat.base import Response
from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    CodeExecutionEvent,
    CodeGenerationEvent,
    TextMessage,
)
from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock

from agents import code_turn
from agents.sandbox import SandboxLimits, SandboxMode

from .code_executor import make_code_executor


def approve_sandboxed(request: ApprovalRequest) -> ApprovalResponse:
    """Model-written code is approved because it only ever runs inside the sandbox."""
    return ApprovalResponse(approved=True, reason="runs in the bubblewrap sandbox")


def extract_code_blocks(text: str, *, unfenced: bool = True) -> list[CodeBlock]:
    """The python and shell blocks of a message as AutoGen CodeBlocks (rules: agents.code_turn)."""
    return [CodeBlock(code=b.code, language=b.language) for b in code_turn.extract_code_blocks(text, unfenced=unfenced)]


def merge_python_blocks(blocks: list[CodeBlock]) -> list[CodeBlock]:
    """One python program from all python blocks (later blocks use earlier definitions)."""
    neutral = [code_turn.Block(language=b.language, code=b.code) for b in blocks]
    return [CodeBlock(code=b.code, language=b.language) for b in code_turn.merge_python_blocks(neutral)]


class SandboxExecutorAgent(CodeExecutorAgent):
    """Executes code blocks from `sources` (the coder) in the sandbox; never calls a model."""

    def __init__(
        self,
        name: str = "executor",
        *,
        sources: Sequence[str] | None = None,
        limits: SandboxLimits | None = None,
        mode: SandboxMode | None = None,
    ) -> None:
        super().__init__(
            name,
            make_code_executor(limits, mode),
            sources=sources,
            approval_func=approve_sandboxed,
            description="Runs the Python code the coder writes in an isolated sandbox and reports the output.",
        )

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        latest = self._latest_code(messages)
        if latest is None:
            yield Response(chat_message=TextMessage(content=self.NO_CODE_BLOCKS_FOUND_MESSAGE, source=self.name))
            return
        message, blocks = latest
        generated = CodeGenerationEvent(
            retry_attempt=0, content=message.to_text(), code_blocks=blocks, source=message.source
        )
        yield generated
        result = await self.execute_code_block(blocks, cancellation_token)
        executed = CodeExecutionEvent(retry_attempt=0, result=result, source=self.name)
        yield executed
        yield Response(
            chat_message=TextMessage(content=result.output, source=self.name), inner_messages=[generated, executed]
        )

    def _latest_code(self, messages: Sequence[BaseChatMessage]) -> tuple[BaseChatMessage, list[CodeBlock]] | None:
        """The newest message from an allowed source that has code, with its blocks."""
        for message in reversed(messages):
            if self._sources is not None and message.source not in self._sources:
                continue
            if isinstance(message, TextMessage):
                blocks = extract_code_blocks(message.content)
                if blocks:
                    return message, merge_python_blocks(blocks)
        return None


__all__ = [
    "SandboxExecutorAgent",
    "approve_sandboxed",
    "extract_code_blocks",
    "merge_python_blocks",
]
