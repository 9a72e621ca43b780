"""The sandbox CodeExecutorAgent: runs the coder's latest code in bubblewrap and reports it.

AutoGen's CodeExecutorAgent without a model client only answers with the output text;
this subclass also yields CodeGenerationEvent and CodeExecutionEvent (exit code
included) so runs can stream and record what was executed, and it joins a message's
python blocks into one program because every sandbox run starts fresh.
"""

from __future__ import annotations

import ast
import re
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

from agents.sandbox import PYTHON_LANGS, SHELL_LANGS, SandboxLimits, SandboxMode

from .code_executor import make_code_executor

#: Any fenced block; an untagged fence counts as python (small models often omit the tag).
_FENCED = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```")
_OPEN_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n")
_CODE_START = re.compile(r"^(?:def |class |import |from \S+ import |print\(|for |while |if __name__)", re.MULTILINE)
_MAX_TRIM_LINES = 200


def approve_sandboxed(request: ApprovalRequest) -> ApprovalResponse:
    """Model-written code is approved because it only ever runs inside the sandbox."""
    return ApprovalResponse(approved=True, reason="runs in the bubblewrap sandbox")


def extract_code_blocks(text: str, *, unfenced: bool = True) -> list[CodeBlock]:
    """The python and shell blocks of a markdown message, in order.

    With `unfenced`, a message with no closed fence that still holds Python (small models
    often skip the fence, or hit max_tokens before closing it) yields that Python.
    """
    blocks = []
    for language, code in _FENCED.findall(text):
        lang = language.strip().lower()
        if lang in PYTHON_LANGS or lang in SHELL_LANGS:
            blocks.append(CodeBlock(code=code, language=lang or "python"))
    if not blocks and unfenced:
        code = unfenced_python(text)
        if code is not None:
            blocks.append(CodeBlock(code=code, language="python"))
    return blocks


def unfenced_python(text: str) -> str | None:
    """Python from the first code-looking line, cut to the longest prefix that parses."""
    opening = _OPEN_FENCE.search(text)
    if opening is not None:  # an opening fence that was never closed
        text = text[opening.end() :]
    start = _CODE_START.search(text)
    if start is None:
        return None
    lines = text[start.start() :].splitlines()[:_MAX_TRIM_LINES]
    while lines:
        source = "\n".join(lines).strip()
        try:
            ast.parse(source)
        except SyntaxError:
            lines.pop()
            continue
        return source + "\n" if source else None
    return None


def merge_python_blocks(blocks: list[CodeBlock]) -> list[CodeBlock]:
    """One python program from all python blocks (later blocks use earlier definitions)."""
    python = [b.code for b in blocks if b.language.strip().lower() in PYTHON_LANGS]
    others = [b for b in blocks if b.language.strip().lower() not in PYTHON_LANGS]
    merged = [CodeBlock(code="\n\n".join(python), language="python")] if python else []
    return merged + others


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
    "unfenced_python",
]
