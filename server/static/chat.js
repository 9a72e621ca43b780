// Chat: markdown, agents' tool calls, streaming, stop/regenerate/edit. Owner: issue 17.
"use strict";

// ---------- markdown (marked + DOMPurify, vendored) ----------
// Links open in a new tab without access to this page; everything else DOMPurify allows is kept.
if (typeof DOMPurify !== "undefined" && DOMPurify.addHook) {
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.getAttribute("href")) { node.setAttribute("target", "_blank"); node.setAttribute("rel", "noopener noreferrer"); }
  });
}

// A code block with its language and a copy button (the code stays text: DOMPurify already ran).
function decorateCode(root) {
  for (const pre of root.querySelectorAll("pre")) {
    const code = pre.querySelector("code");
    if (!code || pre.parentElement?.classList.contains("code-block")) continue;
    const lang = [...code.classList].find((c) => c.startsWith("language-"))?.slice(9) || "";
    const copy = el("button", { type: "button", class: "copy", "aria-label": `Copy ${lang || "code"}`, text: "Copy",
      onclick: async () => { try { await navigator.clipboard.writeText(code.textContent); copy.textContent = "Copied"; } catch (_) { copy.textContent = "Select and copy"; } } });
    const box = el("div", { class: "code-block" }, el("div", { class: "code-head" }, el("span", { class: "lang", text: lang || "code" }), copy));
    pre.replaceWith(box);
    box.append(pre);
  }
  return root;
}

// Markdown to a sanitized element (`div.md`): model and user text never reaches the DOM as raw HTML.
// Without the vendored libraries (failed to load) the text is shown as plain text.
function renderMarkdown(text) {
  const box = el("div", { class: "md" });
  const source = String(text ?? "");
  if (typeof marked === "undefined" || typeof DOMPurify === "undefined") {
    box.append(el("p", { class: "plain", text: source }));
    return box;
  }
  const html = marked.parse(source, { gfm: true, breaks: true, async: false });
  box.append(DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"] }));
  return decorateCode(box);
}
