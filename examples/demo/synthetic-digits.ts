// The demo's built-in data: 28x28 digit images drawn procedurally from strokes, with random shifts,
// scale, slant, stroke width and noise. Deterministic for a seed, so every run sees the same data.

/** Image side in pixels (MNIST's). */
export const IMAGE_SIZE = 28;

type Point = readonly [number, number];
type Stroke = readonly Point[];

function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 12): Stroke {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = from + ((to - from) * i) / steps;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)] as const;
  });
}

const PI = Math.PI;

/** Strokes of each digit in a unit box, x to the right and y downwards. */
const DIGIT_STROKES: readonly (readonly Stroke[])[] = [
  [arc(0.5, 0.5, 0.3, 0.42, 0, 2 * PI, 24)],
  [[[0.35, 0.25], [0.55, 0.08], [0.55, 0.92]], [[0.38, 0.92], [0.72, 0.92]]],
  [[...arc(0.5, 0.32, 0.27, 0.24, PI * 1.1, PI * 2.15), [0.22, 0.92], [0.8, 0.92]]],
  [arc(0.48, 0.3, 0.26, 0.22, PI * 1.15, PI * 2.5), arc(0.48, 0.7, 0.3, 0.23, PI * 1.5, PI * 2.85)],
  [[[0.62, 0.92], [0.62, 0.08], [0.18, 0.66], [0.82, 0.66]]],
  [[[0.75, 0.08], [0.3, 0.08], [0.26, 0.45], ...arc(0.5, 0.66, 0.28, 0.26, PI * 1.2, PI * 2.8)]],
  [[[0.66, 0.1], ...arc(0.5, 0.66, 0.27, 0.26, PI * 1.12, PI * 3.1, 20)]],
  [[[0.2, 0.1], [0.8, 0.1], [0.42, 0.92]], [[0.35, 0.52], [0.68, 0.52]]],
  [arc(0.5, 0.29, 0.23, 0.21, 0, 2 * PI, 20), arc(0.5, 0.7, 0.29, 0.23, 0, 2 * PI, 20)],
  [[...arc(0.5, 0.34, 0.27, 0.25, PI * 0.1, PI * 2.1, 20), [0.36, 0.92]]],
];

/** A small seeded generator (mulberry32): the same seed gives the same images on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function distanceToSegment(px: number, py: number, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / lengthSquared));
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}

/**
 * Draws digit `label` as 28x28 grey levels (0 background .. 255 ink), varied by `random`.
 * @example const pixels = renderDigit(7, seededRandom(42));
 */
export function renderDigit(label: number, random: () => number): Uint8Array {
  const scale = 17 + random() * 6;
  const slant = (random() - 0.5) * 0.5;
  const rotation = (random() - 0.5) * 0.35;
  const shiftX = 14 + (random() - 0.5) * 6;
  const shiftY = 14 + (random() - 0.5) * 6;
  const width = 0.9 + random() * 0.9;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const place = ([x, y]: Point): Point => {
    const ux = (x - 0.5 + slant * (0.5 - y)) * scale * 0.8;
    const uy = (y - 0.5) * scale;
    return [shiftX + ux * cos - uy * sin, shiftY + ux * sin + uy * cos];
  };
  const segments: Array<[Point, Point]> = [];
  for (const stroke of DIGIT_STROKES[label]!) {
    const placed = stroke.map(place);
    for (let i = 1; i < placed.length; i++) segments.push([placed[i - 1]!, placed[i]!]);
  }
  const pixels = new Uint8Array(IMAGE_SIZE * IMAGE_SIZE);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      let nearest = Infinity;
      for (const [a, b] of segments) nearest = Math.min(nearest, distanceToSegment(x + 0.5, y + 0.5, a, b));
      const ink = Math.max(0, Math.min(1, width + 0.5 - nearest));
      const noise = (random() - 0.5) * 0.25;
      pixels[y * IMAGE_SIZE + x] = Math.round(255 * Math.max(0, Math.min(1, ink + noise)));
    }
  }
  return pixels;
}

/** Example `i` of a seeded data set: a label cycling through 0..9 and its image. */
export function syntheticDigit(i: number, seed: number): { label: number; image: Uint8Array } {
  const label = i % 10;
  return { label, image: renderDigit(label, seededRandom((seed * 1_000_003 + i) >>> 0)) };
}
