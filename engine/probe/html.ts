import {
  CLOUD_COLOURS,
  LIVE_HEADER,
  LIVE_LEGEND,
  LIVE_NUMERIC,
  type LiveRow,
  liveCells,
  liveNotes,
} from "./report";

/** Layout of the horizontal bar charts, in SVG user units. */
const CHART = {
  width: 760,
  labelWidth: 220,
  valueWidth: 90,
  barHeight: 14,
  barGap: 3,
  groupGap: 14,
  top: 10,
} as const;

/** The latency percentiles drawn per endpoint, darkest first. */
const PERCENTILES = [
  { key: "p50Ms", label: "p50", opacity: 1 },
  { key: "p95Ms", label: "p95", opacity: 0.7 },
  { key: "p99Ms", label: "p99", opacity: 0.45 },
] as const;

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const labelOf = (row: LiveRow) => `${row.stack} · ${row.endpoint.cloud} · ${row.endpoint.name}`;

interface Bar {
  value: number | null;
  text: string;
  colour: string;
  opacity: number;
}

/**
 * A horizontal bar chart: one group of bars per row, labelled on the left, each bar's value on
 * its right, all on one linear scale from zero to the largest value.
 */
function barChart(id: string, title: string, groups: { label: string; bars: Bar[] }[]): string {
  const plotWidth = CHART.width - CHART.labelWidth - CHART.valueWidth;
  const max = Math.max(0, ...groups.flatMap((g) => g.bars.map((b) => b.value ?? 0)));
  const parts: string[] = [];
  let y = CHART.top;
  for (const group of groups) {
    const groupHeight = group.bars.length * (CHART.barHeight + CHART.barGap) - CHART.barGap;
    parts.push(
      `<text class="label" x="${CHART.labelWidth - 8}" y="${y + groupHeight / 2}" text-anchor="end" dominant-baseline="middle">${escapeHtml(group.label)}</text>`,
    );
    for (const bar of group.bars) {
      const width = bar.value === null || max === 0 ? 0 : (bar.value / max) * plotWidth;
      const w = bar.value !== null && bar.value > 0 ? Math.max(width, 1) : 0;
      parts.push(
        `<rect class="bar" x="${CHART.labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${CHART.barHeight}" fill="${bar.colour}" fill-opacity="${bar.opacity}"><title>${escapeHtml(`${group.label}: ${bar.text}`)}</title></rect>`,
        `<text class="value" x="${CHART.labelWidth + w + 6}" y="${y + CHART.barHeight / 2}" dominant-baseline="middle">${escapeHtml(bar.text)}</text>`,
      );
      y += CHART.barHeight + CHART.barGap;
    }
    y += CHART.groupGap - CHART.barGap;
  }
  const height = y + CHART.top;
  return [
    `<figure id="${id}">`,
    `<figcaption>${escapeHtml(title)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${CHART.width}" height="${height}" viewBox="0 0 ${CHART.width} ${height}">`,
    `<line x1="${CHART.labelWidth}" y1="0" x2="${CHART.labelWidth}" y2="${height}" stroke="#888"/>`,
    ...parts,
    "</svg>",
    "</figure>",
  ].join("\n");
}

function latencyChart(rows: readonly LiveRow[]): string {
  return barChart(
    "latency-chart",
    "Latency of answered requests (ms): p50, p95, p99 - shorter is better",
    rows.map((row) => ({
      label: labelOf(row),
      bars: PERCENTILES.map((p) => {
        const value = row.endpoint.latency?.[p.key] ?? null;
        return {
          value,
          text: value === null ? `${p.label} no answer` : `${p.label} ${value.toFixed(1)} ms`,
          colour: CLOUD_COLOURS[row.endpoint.cloud],
          opacity: p.opacity,
        };
      }),
    })),
  );
}

function costChart(rows: readonly LiveRow[]): string {
  return barChart(
    "cost-chart",
    "USD per 1,000 predictions at the measured throughput - shorter is cheaper",
    rows.map((row) => {
      const value = row.endpoint.costPer1000PredictionsUsd;
      return {
        label: labelOf(row),
        bars: [
          {
            value,
            text: value === null ? "not priced" : `$${value.toPrecision(3)}`,
            colour: CLOUD_COLOURS[row.endpoint.cloud],
            opacity: 1,
          },
        ],
      };
    }),
  );
}

function table(rows: readonly LiveRow[]): string {
  const numeric = new Set<number>(LIVE_NUMERIC);
  const cell = (tag: string, text: string, i: number) =>
    `<${tag}${numeric.has(i) ? ' class="num"' : ""}>${escapeHtml(text)}</${tag}>`;
  return [
    "<table>",
    `<thead><tr>${LIVE_HEADER.map((h, i) => cell("th", h, i)).join("")}</tr></thead>`,
    "<tbody>",
    ...rows.map(
      (r) =>
        `<tr>${liveCells(r)
          .map((c, i) => cell("td", c, i))
          .join("")}</tr>`,
    ),
    "</tbody>",
    "</table>",
  ].join("\n");
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; }
figure { margin: 1.5rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.5rem; }
svg text { font-size: 12px; fill: #222; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.legend span { display: inline-block; width: 0.8rem; height: 0.8rem; margin: 0 0.3rem 0 1rem; }
`;

/**
 * The comparison as one self-contained HTML page: a latency chart, a cost chart and the table,
 * drawn as inline SVG with no script and nothing fetched from the network.
 */
export function liveHtml(rows: readonly LiveRow[], generatedAt: string): string {
  const clouds = [...new Set(rows.map((r) => r.endpoint.cloud))];
  const legend = clouds
    .map((c) => `<span style="background:${CLOUD_COLOURS[c]}"></span>${c}`)
    .join("");
  const notes = liveNotes(rows);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    "<title>mlplatform: live comparison of the clouds</title>",
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<h1>Live comparison: the same model on each cloud, under the same load</h1>",
    `<p>Generated ${escapeHtml(generatedAt)} from ${rows.length} probed endpoint${rows.length === 1 ? "" : "s"}.</p>`,
    `<p class="legend">${legend}</p>`,
    latencyChart(rows),
    costChart(rows),
    table(rows),
    `<p>${escapeHtml(LIVE_LEGEND)}</p>`,
    notes.length === 0 ? "" : `<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
