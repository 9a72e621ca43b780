// Small SVG charts for the dashboard (no library): bar charts for distributions and tallies,
// heatmaps for attention-like matrices, and `roundDeep` so results never show float noise.
// Labels go in as text nodes only; every number shown passes through `fmt` (app.js).
"use strict";

const CHART_SVG_NS = "http://www.w3.org/2000/svg";

function chartSvg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(CHART_SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

// A number for display: 4 decimals in the usual range, 3 significant digits for tiny or huge magnitudes.
function roundNumber(x, digits = 4) {
  if (typeof x !== "number" || !Number.isFinite(x) || Number.isInteger(x)) return x;
  const a = Math.abs(x);
  if (a !== 0 && (a < 10 ** -(digits - 1) || a >= 1e15)) return Number(x.toPrecision(3));
  return Number(fmt(x, digits));
}

// A JSON value with every float rounded (for showing a result, never for computing with it).
function roundDeep(value, digits = 4) {
  if (typeof value === "number") return roundNumber(value, digits);
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)]));
  }
  return value;
}

const chartClip = (text, n = 18) => { const s = String(text); return s.length > n ? `${s.slice(0, n - 1)}…` : s; };

// Horizontal bars. entries: [[label, value], ...] or {label: value}; opts.label names the chart (accessible name),
// opts.max fixes the scale (e.g. 1 for probabilities), opts.digits rounds the value labels.
function barChart(entries, { label = "bar chart", max = null, digits = 3, highlight = null } = {}) {
  const rows = (Array.isArray(entries) ? entries : Object.entries(entries || {}))
    .map((e) => (Array.isArray(e) ? e : [e.label, e.value]))
    .filter(([, v]) => typeof v === "number" && Number.isFinite(v));
  const labelW = Math.min(160, 14 + 7 * Math.max(1, ...rows.map(([k]) => chartClip(k).length)));
  const barW = 240, rowH = 22, valueW = 70;
  const top = Math.max(max ?? 0, ...rows.map(([, v]) => v), 0);
  const low = Math.min(0, ...rows.map(([, v]) => v));
  const span = top - low || 1;
  const zero = labelW + ((0 - low) / span) * barW;
  const width = labelW + barW + valueW, height = rows.length * rowH + 4;
  const svg = chartSvg("svg", { class: "chart bar-chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": label, preserveAspectRatio: "xMinYMin meet" }, chartSvg("title", {}, label));
  rows.forEach(([k, v], i) => {
    const y = i * rowH + 2;
    const x0 = labelW + ((Math.min(v, 0) - low) / span) * barW;
    const w = Math.max(1, (Math.abs(v) / span) * barW);
    const g = chartSvg("g", { class: `bar-row${highlight !== null && String(k) === String(highlight) ? " hl" : ""}`, "data-label": k },
      chartSvg("title", {}, `${k}: ${fmt(v, digits)}`),
      chartSvg("text", { x: labelW - 6, y: y + rowH / 2 + 4, "text-anchor": "end", class: "chart-label" }, chartClip(k)),
      chartSvg("rect", { x: x0, y: y + 3, width: w, height: rowH - 8, rx: 2, class: v < 0 ? "bar neg" : "bar" }),
      chartSvg("text", { x: labelW + barW + 6, y: y + rowH / 2 + 4, class: "chart-value" }, fmt(v, digits)));
    svg.append(g);
  });
  if (low < 0) svg.append(chartSvg("line", { x1: zero, x2: zero, y1: 0, y2: height, class: "axis" }));
  return svg;
}

// A matrix as coloured cells (null cells, e.g. causally masked scores, are hatched grey).
// rows/cols: labels (default indices). Values are printed in cells while the grid is small.
function heatmap(matrix, rows = null, cols = null, { label = "heatmap", digits = 2 } = {}) {
  const m = (matrix || []).map((r) => (Array.isArray(r) ? r : []));
  const nCols = Math.max(0, ...m.map((r) => r.length));
  const rl = rows || m.map((_, i) => String(i)), cl = cols || Array.from({ length: nCols }, (_, j) => String(j));
  const nums = m.flat().filter((v) => typeof v === "number" && Number.isFinite(v));
  const lo = Math.min(0, ...nums), hi = Math.max(...nums, lo + 1e-12);
  const cell = nCols > 12 ? 18 : 40, left = 14 + 7 * Math.max(1, ...rl.map((r) => chartClip(r, 10).length)), topPad = 22;
  const width = left + nCols * cell + 4, height = topPad + m.length * cell + 4;
  const svg = chartSvg("svg", { class: "chart heatmap", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": label }, chartSvg("title", {}, label));
  cl.forEach((c, j) => svg.append(chartSvg("text", { x: left + j * cell + cell / 2, y: 14, "text-anchor": "middle", class: "chart-label" }, chartClip(c, 6))));
  m.forEach((r, i) => {
    svg.append(chartSvg("text", { x: left - 6, y: topPad + i * cell + cell / 2 + 4, "text-anchor": "end", class: "chart-label" }, chartClip(rl[i] ?? i, 10)));
    for (let j = 0; j < nCols; j += 1) {
      const v = r[j], x = left + j * cell, y = topPad + i * cell;
      const ok = typeof v === "number" && Number.isFinite(v);
      const t = ok ? (v - lo) / (hi - lo) : 0;
      const g = chartSvg("g", { class: "cell" }, chartSvg("title", {}, `${rl[i] ?? i} → ${cl[j] ?? j}: ${ok ? fmt(v, 4) : "masked"}`),
        chartSvg("rect", { x, y, width: cell - 1, height: cell - 1, class: ok ? "heat" : "heat masked",
          style: ok ? `fill: hsl(210 70% ${Math.round(96 - t * 58)}%)` : null }));
      if (ok && cell >= 40) g.append(chartSvg("text", { x: x + cell / 2, y: y + cell / 2 + 4, "text-anchor": "middle",
        class: t > 0.6 ? "cell-value light" : "cell-value" }, fmt(v, digits)));
      svg.append(g);
    }
  });
  return svg;
}

// A titled figure around a chart (a caption a screen reader and a user both read).
function chartFigure(title, chart) {
  return el("figure", { class: "chart-figure" }, chart, el("figcaption", { text: title }));
}

// ---- finding what to plot in a JSON result (the concept lab) ----
const chartIsNum = (v) => typeof v === "number" && Number.isFinite(v);
const chartIsNumMap = (v) => v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length >= 2 &&
  Object.keys(v).length <= 40 && Object.values(v).every(chartIsNum);
const chartIsNumList = (v) => Array.isArray(v) && v.length >= 2 && v.length <= 40 && v.every(chartIsNum);
const chartIsMatrix = (v) => Array.isArray(v) && v.length >= 2 && v.length <= 32 && v.every((r) => Array.isArray(r) &&
  r.length >= 2 && r.length <= 32 && r.length === v[0].length && r.every((x) => x === null || chartIsNum(x))) && v.flat().some(chartIsNum);
const chartIsMapMatrix = (v) => v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length >= 2 &&
  Object.keys(v).length <= 32 && Object.values(v).every(chartIsNumMap);

// Every chartable part of a value: [{path, kind: "bars"|"heatmap", ...}], at most `limit` of them.
function findCharts(value, limit = 8) {
  const found = [];
  const walk = (v, path, depth) => {
    if (found.length >= limit || depth > 4 || v === null || typeof v !== "object") return;
    if (chartIsMatrix(v)) { found.push({ path, kind: "heatmap", matrix: v }); return; }
    if (chartIsMapMatrix(v)) {
      const rows = Object.keys(v), cols = [...new Set(rows.flatMap((r) => Object.keys(v[r])))];
      found.push({ path, kind: "heatmap", matrix: rows.map((r) => cols.map((c) => (chartIsNum(v[r][c]) ? v[r][c] : null))), rows, cols });
      return;
    }
    if (chartIsNumMap(v)) { found.push({ path, kind: "bars", entries: Object.entries(v) }); return; }
    if (chartIsNumList(v)) { found.push({ path, kind: "bars", entries: v.map((x, i) => [String(i), x]) }); return; }
    if (Array.isArray(v)) { v.slice(0, 8).forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1)); return; }
    for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, depth + 1);
  };
  walk(value, "", 0);
  return found;
}

// The concept lab's charts for one run: what a learner would rather look at than read.
// sampling: the next-token distribution it was given, then what survives the method (the sampled token highlighted);
// attention-like matrices as heatmaps (rows: queries, columns: keys); any other distribution or tally as bars.
function conceptCharts(name, input, result) {
  const figures = [];
  const probs = input && input.probs;
  if (name === "sampling" && chartIsNumMap(probs)) {
    figures.push(chartFigure("next-token distribution (input)", barChart(Object.entries(probs), { label: "next-token distribution", max: 1 })));
    if (chartIsNumMap(result.candidates)) {
      const method = input.method || "sampling";
      figures.push(chartFigure(`after ${method} (renormalised; sampled: ${result.sample ?? "—"})`,
        barChart(Object.entries(result.candidates), { label: `candidates after ${method}`, max: 1, highlight: result.sample })));
    }
  }
  const seen = new Set(name === "sampling" ? ["candidates"] : []);
  for (const c of findCharts(result, 8)) {
    if (seen.has(c.path)) continue;
    const title = /weights|scores|attention/.test(c.path) && c.kind === "heatmap" ? `${c.path} (rows: queries, columns: keys)` : (c.path || "result");
    if (c.kind === "heatmap") {
      figures.push(chartFigure(title, heatmap(c.matrix, c.rows || null, c.cols || null, { label: title })));
    } else {
      const unit = c.entries.every(([, v]) => v >= 0 && v <= 1);
      figures.push(chartFigure(title, barChart(c.entries, { label: title, max: unit ? 1 : null })));
    }
  }
  return figures;
}

// JSON for reading: 2-space indents, but an array of numbers/strings (a vector, a matrix row) stays on one line.
function prettyCompact(value) {
  return JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}\n]*(?:,\n\s*[^[\]{}\n]*)*)\n\s*\]/g,
    (_, inner) => `[${inner.split(/,\n\s*/).join(", ")}]`);
}
