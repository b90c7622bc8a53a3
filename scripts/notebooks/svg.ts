/**
 * A few helpers to draw the lab notebooks' diagrams as inline SVG (plain elements and attributes
 * only, no CSS or scripts, so that Jupyter's HTML sanitiser keeps them).
 */
export const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class Svg {
  private readonly parts: string[] = [];

  constructor(readonly id: string, readonly width: number, readonly height: number, readonly title: string) {}

  /** A rectangle with a centred one- or two-line label. */
  box(x: number, y: number, w: number, h: number, label: string | string[], fill = '#eef3fb', stroke = '#3b6fb6'): this {
    this.parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`);
    const lines = Array.isArray(label) ? label : [label];
    lines.forEach((l, i) => this.text(x + w / 2, y + h / 2 + 5 + (i - (lines.length - 1) / 2) * 16, l, 14));
    return this;
  }

  /** A circle with a centred label (operation nodes: ⊙, +, 1−). */
  node(cx: number, cy: number, r: number, label: string, fill = '#fff7e6', stroke = '#c77c02'): this {
    this.parts.push(`<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`);
    return this.text(cx, cy + 5, label, 14);
  }

  text(x: number, y: number, s: string, size = 13, anchor: 'middle' | 'start' | 'end' = 'middle', color = '#222', italic = false): this {
    this.parts.push(`<text x="${x}" y="${y}" ${FONT} font-size="${size}" text-anchor="${anchor}" fill="${color}"${italic ? ' font-style="italic"' : ''}>${esc(s)}</text>`);
    return this;
  }

  /** A polyline ending in an arrow head. */
  arrow(points: [number, number][], color = '#444', dashed = false): this {
    const pts = points.map(([x, y]) => `${x},${y}`).join(' ');
    this.parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.6"${dashed ? ' stroke-dasharray="5,4"' : ''} marker-end="url(#${this.id}-arrow)"/>`);
    return this;
  }

  /** A polyline without a head. */
  line(points: [number, number][], color = '#444'): this {
    const pts = points.map(([x, y]) => `${x},${y}`).join(' ');
    this.parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    return this;
  }

  dot(cx: number, cy: number, color = '#444'): this {
    this.parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
    return this;
  }

  toString(): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" role="img" aria-label="${esc(this.title)}">`,
      `<defs><marker id="${this.id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>`,
      `<rect x="0" y="0" width="${this.width}" height="${this.height}" fill="white"/>`,
      ...this.parts,
      '</svg>',
    ].join('\n');
  }
}
