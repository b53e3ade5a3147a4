// Small line charts as inline SVG, so the HTML report needs nothing from the network.

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

export interface ChartMarker {
  x: number;
  label: string;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

export function lineChart(title: string, yLabel: string, series: readonly Series[], markers: readonly ChartMarker[], xMax: number): string {
  const W = 900;
  const H = 240;
  const L = 60;
  const R = 150;
  const T = 28;
  const B = 30;
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map((p) => (Number.isFinite(p.y) ? p.y : 0)))));
  const xs = (x: number) => L + (x / Math.max(1, xMax)) * (W - L - R);
  const ys = (y: number) => H - B - (y / yMax) * (H - T - B);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${L}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<text x="12" y="${T - 6}">${esc(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${ys(v)}" y2="${ys(v)}" stroke="#ddd"/>`, `<text x="${L - 6}" y="${ys(v) + 4}" text-anchor="end">${+v.toFixed(2)}</text>`);
  }
  const xStep = niceMax(xMax / 10);
  for (let x = 0; x <= xMax; x += xStep) parts.push(`<text x="${xs(x)}" y="${H - 10}" text-anchor="middle">${x}s</text>`);
  for (const m of markers) {
    parts.push(
      `<line x1="${xs(m.x)}" x2="${xs(m.x)}" y1="${T}" y2="${H - B}" stroke="#c00" stroke-dasharray="4 3"/>`,
      `<text x="${xs(m.x) + 3}" y="${T + 10}" fill="#c00" font-size="9" transform="rotate(90 ${xs(m.x) + 3} ${T + 10})">${esc(m.label)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const d = s.points
      .filter((p) => Number.isFinite(p.y))
      .map((p, j) => `${j ? "L" : "M"}${xs(p.x).toFixed(1)},${ys(Math.min(p.y, yMax)).toFixed(1)}`)
      .join("");
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.3"/>`);
    parts.push(`<rect x="${W - R + 10}" y="${T + i * 15}" width="10" height="3" fill="${s.color}"/>`, `<text x="${W - R + 24}" y="${T + i * 15 + 5}">${esc(s.name)}</text>`);
  });
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>`, "</svg>");
  return parts.join("");
}

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79"];
