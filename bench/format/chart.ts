// An SVG chart of the format benchmark: for each file and measure, ours and C++ as fractions of the
// physical limit measured in the same run, with ours / C++ written beside the bars.

import fs from 'node:fs';
import path from 'node:path';
import type { Report } from './report.js';

const ROW = 22;
const LABEL = 330;
const BAR = 360;
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chart(report: Report): string {
  const top = 56;
  const height = top + report.rows.length * ROW + 40;
  const width = LABEL + BAR + 150;
  const x = (fraction: number): number => LABEL + Math.min(1.2, fraction) * (BAR / 1.2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">ArrayRecord: ours (blue) and Google's C++ (grey) as fractions of the physical limit</text>`,
    `<text x="10" y="34" fill="#555">${escape(`${report.date}, ${report.machine.cpus} cores, Node ${report.machine.node}; median of ${report.runsPerMeasure} fresh processes; ratio ours / C++ at right`)}</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 8}" x2="${x(tick)}" y2="${height - 34}" stroke="${tick === 1 ? '#c00' : '#ddd'}"/>`);
    parts.push(`<text x="${x(tick)}" y="${height - 22}" text-anchor="middle" fill="#555">${Math.round(tick * 100)}%</text>`);
  }
  report.rows.forEach((row, i) => {
    const y = top + i * ROW;
    parts.push(`<text x="${LABEL - 6}" y="${y + 12}" text-anchor="end">${escape(`${row.config} · ${row.measure}`)}</text>`);
    const ours = row.ours.median / row.limit;
    parts.push(`<rect x="${LABEL}" y="${y + 2}" width="${x(ours) - LABEL}" height="8" fill="#2a6fdb"/>`);
    if (row.cpp !== undefined) {
      const cpp = row.cpp.median / row.limit;
      parts.push(`<rect x="${LABEL}" y="${y + 11}" width="${x(cpp) - LABEL}" height="8" fill="#999"/>`);
      const ratio = row.ours.median / row.cpp.median;
      const met = row.goal === undefined ? '#333' : ratio >= row.goal ? '#080' : '#c00';
      parts.push(`<text x="${LABEL + BAR + 8}" y="${y + 14}" fill="${met}">${ratio.toFixed(2)}x${row.goal === undefined ? '' : ` (goal ${row.goal}x)`}</text>`);
    }
  });
  parts.push(`<text x="10" y="${height - 6}" fill="#555">limit: bare codec in memory on the reader's threads (page cache for uncompressed), for random reads times the share of decoded records asked for; write: bare compression</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export function writeChart(dir: string, report: Report): void {
  fs.writeFileSync(path.join(dir, 'format.svg'), chart(report));
}
