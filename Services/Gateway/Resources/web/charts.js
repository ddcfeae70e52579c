// Small SVG charts for the dashboard, drawn here (no library): lines over days and bars.
import { h } from "./dom.js";

const palette = ["#1f4e8c", "#b5451b", "#2e7d32", "#7b1fa2", "#00838f", "#8d6e00", "#c2185b", "#455a64"];
export const colour = (index) => palette[index % palette.length];

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function frame(title, width, height, content) {
  return s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title }, s("title", {}, title), content);
}

/** series: [{name, points: [number]}] over `labels` (days). */
export function lineChart(title, labels, series, format) {
  const width = 640, height = 260, left = 70, bottom = 30, top = 10, right = 10;
  const max = Math.max(1, ...series.flatMap((line) => line.points));
  const x = (index) => left + (labels.length <= 1 ? 0 : (index * (width - left - right)) / (labels.length - 1));
  const y = (value) => top + (height - top - bottom) * (1 - value / max);
  const grid = [0, 0.5, 1].map((fraction) => s("g", {},
    s("line", { x1: left, x2: width - right, y1: y(max * fraction), y2: y(max * fraction), stroke: "#d3d8e0" }),
    s("text", { x: left - 6, y: y(max * fraction) + 4, "text-anchor": "end" }, format(max * fraction))));
  const ticks = labels.map((label, index) => index % Math.ceil(labels.length / 6) === 0
    ? s("text", { x: x(index), y: height - 8, "text-anchor": "middle" }, label.slice(5)) : null);
  const lines = series.map((line, index) => s("polyline", {
    fill: "none", stroke: colour(index), "stroke-width": 2,
    points: line.points.map((value, i) => `${x(i)},${y(value)}`).join(" "),
  }));
  return h("figure", {}, frame(title, width, height, [grid, ticks, lines]), legend(series.map((line) => line.name)));
}

/** bars: [{label, value}] drawn horizontally, longest first as given. */
export function barChart(title, bars, format) {
  const rowHeight = 28, width = 640, left = 180, right = 90;
  const height = Math.max(1, bars.length) * rowHeight + 10;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const rows = bars.map((bar, index) => s("g", {},
    s("text", { x: left - 8, y: index * rowHeight + 22, "text-anchor": "end" }, bar.label.length > 26 ? `${bar.label.slice(0, 25)}…` : bar.label),
    s("rect", { x: left, y: index * rowHeight + 8, height: 18, width: Math.max(1, ((width - left - right) * bar.value) / max), fill: colour(index) }),
    s("text", { x: left + ((width - left - right) * bar.value) / max + 6, y: index * rowHeight + 22 }, format(bar.value))));
  return h("figure", {}, frame(title, width, height, rows));
}

function legend(names) {
  return h("figcaption", { class: "legend" }, names.map((name, index) => {
    const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = colour(index);  // through the CSSOM: the page's policy forbids style attributes
    return h("span", {}, swatch, name);
  }));
}
