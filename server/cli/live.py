"""Live terminal views of a run's events: a tree for Tree of Thoughts, a tally for votes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree


class RunView:
    """Accumulates custom events and renders them; tokens go straight to the console."""

    def __init__(self, console: Console, *, show_tokens: bool = True) -> None:
        self.console = console
        self.show_tokens = show_tokens
        self.tot_nodes: dict[str, dict[str, Any]] = {}
        self.tot_children: dict[str | None, list[str]] = {}
        self.votes: Counter[str] = Counter()
        self.abstained = 0
        self.vote_result: dict[str, Any] | None = None
        self.status = ""
        self.live_worthy = False

    def handle(self, event: dict[str, Any]) -> None:
        kind, data = event.get("kind", ""), event.get("data", {})
        if kind == "token" and self.show_tokens and not self.live_worthy:
            self.console.print(data.get("text", ""), end="", markup=False, highlight=False, soft_wrap=True)
        elif kind == "node.start":
            self.status = f"running {event.get('node')}..."
        elif kind == "node.end":
            usage = data.get("usage", {})
            tokens = f"{usage.get('prompt_tokens', 0)}+{usage.get('completion_tokens', 0)} tokens"
            took = f"{data.get('duration_s', 0):.2f}s"
            self.status = f"{event.get('node')} done in {took} ({usage.get('calls', 0)} calls, {tokens})"
        elif kind == "cot_sc.sample":
            self.live_worthy = True
            if data.get("abstained"):
                self.abstained += 1
            else:
                self.votes[str(data.get("normalised", data.get("answer")))] += 1
        elif kind == "cot_sc.vote":
            self.vote_result = data
        elif kind == "tot.expand":
            self.live_worthy = True
            parent = data.get("parent_id")
            proposers = data.get("proposers") or []
            for k, (node_id, text) in enumerate(zip(data.get("node_ids", []), data.get("texts", []), strict=False)):
                by = proposers[k] if k < len(proposers) else None
                self._add_thought(parent, node_id, {"text": text, "value": None, "kept": None, "proposer": by})
        elif kind == "tot.prune":  # a step the exact verifier rejected: pruned before it was valued
            pruned = {"text": data.get("text", ""), "value": None, "kept": False, "invalid": data.get("reason")}
            pruned["proposer"] = data.get("proposer")
            self._add_thought(data.get("parent_id"), data.get("node_id"), pruned)
        elif kind == "tot.evaluate":
            node = self.tot_nodes.get(str(data.get("node_id")))
            if node is not None:
                node["value"] = data.get("value")
        elif kind == "tot.select":
            for node_id in data.get("kept_ids", []):
                if str(node_id) in self.tot_nodes:
                    self.tot_nodes[str(node_id)]["kept"] = True
            for node_id in data.get("pruned_ids", []):
                if str(node_id) in self.tot_nodes:
                    self.tot_nodes[str(node_id)]["kept"] = False

    def _add_thought(self, parent: Any, node_id: Any, node: dict[str, Any]) -> None:
        self.tot_nodes[str(node_id)] = node
        self.tot_children.setdefault(None if parent is None else str(parent), []).append(str(node_id))

    def _tree(self) -> Tree:
        tree = Tree("[bold]Tree of Thoughts[/]")

        def add(branch: Tree, parent: str | None) -> None:
            for node_id in self.tot_children.get(parent, []):
                node = self.tot_nodes[node_id]
                mark = {True: "[green]✓[/]", False: "[red]✗[/]", None: "·"}[node["kept"]]
                value = "" if node["value"] is None else f" [cyan]v={node['value']:g}[/]"
                label = Text.from_markup(f"{mark} [dim]{node_id}[/]{value} ")
                invalid = node.get("invalid")
                label.append(str(node["text"]).strip().replace("\n", " ")[:90], style="dim" if invalid else "")
                if node.get("proposer") in ("choice", "program"):  # the paper's free-text steps stay untagged
                    label.append(f"  [{node['proposer']}]", style="magenta")
                if invalid:
                    label.append(f"  invalid: {invalid}", style="red")
                add(branch.add(label), node_id)

        for parent in list(self.tot_children):
            if parent is None or parent not in self.tot_nodes:  # the root thought is never announced
                add(tree, parent)
        return tree

    def _tally(self) -> Table:
        table = Table(title="self-consistency vote")
        table.add_column("answer")
        table.add_column("votes", justify="right")
        for answer, count in self.votes.most_common():
            table.add_row(answer, "█" * count + f" {count}")
        if self.abstained:
            table.add_row("[dim](abstained)[/]", str(self.abstained))
        if self.vote_result:
            verdict = self.vote_result.get("winner_verified")
            checked = " (verified)" if verdict is True else " (no answer verifies)" if verdict is False else ""
            table.caption = (
                f"winner {self.vote_result.get('winner')!r}{checked}, "
                f"agreement {self.vote_result.get('agreement', 0):.0%}, "
                f"samples saved {self.vote_result.get('samples_saved', 0)}"
            )
        return table

    def render(self) -> RenderableType:
        parts: list[RenderableType] = []
        if self.tot_nodes:
            parts.append(self._tree())
        if self.votes or self.abstained:
            parts.append(self._tally())
        parts.append(Text(self.status, style="dim"))
        return Group(*parts)
