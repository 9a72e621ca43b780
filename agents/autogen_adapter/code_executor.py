"""AutoGen's CodeExecutor over the bubblewrap sandbox: each block runs in a fresh sandbox."""

from __future__ import annotations

import asyncio

from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock, CodeExecutor, CodeResult

from agents.code_turn import run_program, sandbox_output
from agents.sandbox import SandboxLimits, SandboxMode, SandboxResult, code_for_block

#: AutoGen's own executors report a timeout as exit code 124, like coreutils' `timeout`.
TIMEOUT_EXIT_CODE = 124


class SandboxCodeExecutor(CodeExecutor):
    """Runs python and sh blocks in order, each in a fresh sandbox; stops at the first failure.

    A sandbox that cannot be built is reported as a failed block (exit code 1, the reason
    in the output), so the agent sees why nothing ran instead of the team crashing; runs go
    through agents.code_turn.run_program, as the CrewAI coder's do.
    """

    def __init__(self, limits: SandboxLimits | None = None, mode: SandboxMode | None = None) -> None:
        self.limits = limits
        self.mode = mode
        self.last_results: list[SandboxResult] = []

    async def execute_code_blocks(
        self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
    ) -> CodeResult:
        outputs: list[str] = []
        self.last_results = []
        for block in code_blocks:
            source = code_for_block(block.language, block.code)
            if source is None:
                outputs.append(
                    f"unsupported language {block.language!r}: only python and sh code blocks can be executed"
                )
                return CodeResult(exit_code=1, output="\n".join(outputs))
            result = await self._run(source, cancellation_token)
            self.last_results.append(result)
            outputs.append(sandbox_output(result))
            if not result.ok:
                code = TIMEOUT_EXIT_CODE if result.timed_out else (result.exit_code or 1)
                return CodeResult(exit_code=code, output="\n".join(outputs))
        return CodeResult(exit_code=0, output="\n".join(outputs))

    async def _run(self, source: str, token: CancellationToken) -> SandboxResult:
        task = asyncio.ensure_future(run_program(source, self.limits, self.mode))
        token.link_future(task)
        return await task

    async def start(self) -> None:
        """Nothing to start: every block gets a fresh sandbox."""

    async def stop(self) -> None:
        """Nothing to stop: sandboxes do not outlive their block."""

    async def restart(self) -> None:
        """Stateless, so restarting is a no-op."""


def make_code_executor(limits: SandboxLimits | None = None, mode: SandboxMode | None = None) -> SandboxCodeExecutor:
    """An AutoGen CodeExecutor that runs python/sh blocks in the sandbox (`limits`/`mode` None: from settings)."""
    return SandboxCodeExecutor(limits, mode)


__all__ = ["TIMEOUT_EXIT_CODE", "SandboxCodeExecutor", "make_code_executor"]
