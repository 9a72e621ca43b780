"""Code extraction for the sandbox executor: fenced, untagged and unfenced Python from weak models."""

from __future__ import annotations

from autogen_core.code_executor import CodeBlock

from agents.autogen_adapter.executor import extract_code_blocks, merge_python_blocks
from agents.autogen_adapter.run import run_persona_autogen
from agents.personas import get_persona

from .conftest import CODER_PROMPT, needs_bwrap, scripted_gateway


def test_fenced_blocks_keep_their_language_and_untagged_ones_are_python() -> None:
    text = "a\n```python\nx = 1\n```\nb\n```\nprint(x)\n```\n```sh\necho hi\n```\n```js\nalert(1)\n```"
    assert extract_code_blocks(text) == [
        CodeBlock(code="x = 1\n", language="python"),
        CodeBlock(code="print(x)\n", language="python"),
        CodeBlock(code="echo hi\n", language="sh"),
    ]


def test_python_blocks_merge_into_one_program() -> None:
    blocks = extract_code_blocks("```python\ndef f():\n    return 2\n```\nthen\n```py\nprint(f())\n```")
    assert merge_python_blocks(blocks) == [
        CodeBlock(code="def f():\n    return 2\n\n\nprint(f())\n", language="python")
    ]


def test_unfenced_or_unclosed_python_is_cut_to_what_parses() -> None:
    truncated = 'def rev(s):\n    return s[::-1]\n\nprint(rev("hello"))\nprint(rev("hel'
    assert extract_code_blocks(truncated) == [
        CodeBlock(code='def rev(s):\n    return s[::-1]\n\nprint(rev("hello"))\n', language="python")
    ]
    unclosed = "Sure:\n```python\nimport math\nprint(math.pi)\nThis prints pi"
    assert extract_code_blocks(unclosed)[0].code == "import math\nprint(math.pi)\n"
    assert extract_code_blocks("It prints olleh. DONE") == []
    assert extract_code_blocks("DONE") == []
    assert extract_code_blocks(truncated, unfenced=False) == []


@needs_bwrap
async def test_unfenced_code_from_the_coder_still_runs() -> None:
    unfenced = "def rev(s):\n    return s[::-1]\nprint(rev('abc'))"
    gateway = scripted_gateway([{"pattern": CODER_PROMPT, "responses": [unfenced, "DONE"]}])
    reply = await run_persona_autogen(get_persona("coder"), "Reverse abc", gateway)
    assert "Output (exit code 0):\ncba" in reply.text and reply.stop_reason == "done"
