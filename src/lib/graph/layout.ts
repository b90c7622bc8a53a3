/**
 * A small layered ("Sugiyama") layout for computational graphs, top to bottom like graphviz's `dot`
 * draws torchviz's graphs: parameters at the top of the part of the graph that uses them, the
 * output at the bottom.
 *
 * 1. Ranks: every operation sits as low as it can (longest path to the output), so an operation
 *    that depends only on a parameter (x_t · W) sits right above its consumer instead of at the top
 *    of the whole graph. A parameter sits one rank above the consumers it serves. A parameter used
 *    far apart (the same weight at each of 28 time steps) would otherwise send long edges across
 *    the whole drawing; with `paramSpan` set it is drawn once per group of consumers that lie within
 *    `paramSpan` ranks of each other (the later copies are marked `copy`).
 * 2. Edges that span several ranks pass through invisible dummy nodes (one per rank).
 * 3. Order within ranks: an initial order from a depth-first walk back from the output, then
 *    barycentre sweeps down and up.
 * 4. Coordinates: each rank is centred under the average of its neighbours, keeping the order and
 *    a minimum gap (two clamped passes averaged).
 */

export interface LayoutNodeIn {
  id: string;
  width: number;
  height: number;
  /** Parameters may be drawn more than once (see `paramSpan`). */
  param?: boolean;
}

export interface LayoutEdgeIn {
  from: string;
  to: string;
}

export interface LayoutOptions {
  /** Vertical distance between ranks' centres (default 58). */
  rankGap?: number;
  /** Minimum horizontal gap between boxes (default 14). */
  nodeGap?: number;
  /** Horizontal room for an edge passing through a rank (default 10). */
  edgeGap?: number;
  /** Draw a parameter again when its next consumer lies more than this many ranks below the previous copy's (default: never). */
  paramSpan?: number;
  /** Margin around the drawing (default 16). */
  margin?: number;
  /** Ordering sweeps (default 8). */
  sweeps?: number;
}

/** A drawn node: a copy of a parameter has `copy` > 0 and its own `key`. */
export interface PlacedNode {
  key: string;
  id: string;
  copy: number;
  rank: number;
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** Keys of the placed nodes it joins. */
  fromKey: string;
  toKey: string;
  /** From the bottom of the source box to the top of the target box, through the dummy positions. */
  points: [number, number][];
}

export interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
  ranks: number;
}

interface Item {
  key: string;
  width: number;
  rank: number;
  /** Neighbours' item indices, in the ranks above and below. */
  up: number[];
  down: number[];
  order: number;
  x: number;
  real?: { id: string; copy: number; height: number };
}

export function layoutGraph(nodesIn: readonly LayoutNodeIn[], edgesIn: readonly LayoutEdgeIn[], options: LayoutOptions = {}): Layout {
  const { rankGap = 58, nodeGap = 14, edgeGap = 10, paramSpan = Infinity, margin = 16, sweeps = 8 } = options;
  const byId = new Map(nodesIn.map((n) => [n.id, n]));
  if (byId.size !== nodesIn.length) throw new Error('layoutGraph: duplicate node ids');
  for (const e of edgesIn) {
    if (!byId.has(e.from) || !byId.has(e.to)) throw new Error(`layoutGraph: edge ${e.from} -> ${e.to} refers to an unknown node`);
  }
  const succ = new Map<string, string[]>(nodesIn.map((n) => [n.id, []]));
  const pred = new Map<string, string[]>(nodesIn.map((n) => [n.id, []]));
  for (const e of edgesIn) {
    succ.get(e.from)!.push(e.to);
    pred.get(e.to)!.push(e.from);
  }

  // 1. Ranks of the non-parameter nodes: height above the sinks (longest path), then flipped.
  // Heights in reverse topological order (Kahn's algorithm on the reversed edges).
  const height = new Map<string, number>();
  const pending = new Map<string, number>(nodesIn.map((n) => [n.id, succ.get(n.id)!.length]));
  const ready = nodesIn.filter((n) => pending.get(n.id) === 0).map((n) => n.id);
  while (ready.length > 0) {
    const id = ready.pop()!;
    let h = 0;
    for (const s of succ.get(id)!) h = Math.max(h, height.get(s)! + 1);
    height.set(id, h);
    for (const p of pred.get(id)!) {
      const left = pending.get(p)! - 1;
      pending.set(p, left);
      if (left === 0) ready.push(p);
    }
  }
  if (height.size !== nodesIn.length) throw new Error('layoutGraph: the graph has a cycle');
  const nonParams = nodesIn.filter((n) => !n.param);
  let maxH = 0;
  for (const n of nonParams) maxH = Math.max(maxH, height.get(n.id)!);
  // rank 0 is left free for parameters feeding the first operations
  const rankOf = new Map<string, number>(nonParams.map((n) => [n.id, maxH - height.get(n.id)! + 1]));

  // Parameters: one copy per group of consumers within paramSpan ranks.
  interface Copy { id: string; copy: number; rank: number; consumers: string[] }
  const copies: Copy[] = [];
  const copyOfEdge = new Map<string, string>(); // `${from}\u0000${to}` -> key
  const keyOf = (id: string, copy: number) => (copy === 0 ? id : `${id}#${copy}`);
  for (const n of nodesIn.filter((n) => n.param)) {
    const consumers = [...new Set(succ.get(n.id)!)].sort((a, b) => rankOf.get(a)! - rankOf.get(b)!);
    let group: Copy | undefined;
    for (const c of consumers) {
      const r = rankOf.get(c);
      if (r === undefined) throw new Error(`layoutGraph: parameter ${n.id} feeds another parameter`);
      if (!group || r - (group.rank + 1) > paramSpan) {
        group = { id: n.id, copy: copies.filter((k) => k.id === n.id).length, rank: r - 1, consumers: [] };
        copies.push(group);
      }
      group.consumers.push(c);
      copyOfEdge.set(`${n.id}\u0000${c}`, keyOf(n.id, group.copy));
    }
    if (consumers.length === 0) copies.push({ id: n.id, copy: 0, rank: 0, consumers: [] });
  }

  // 2. Items (real nodes and dummies) per rank.
  const items: Item[] = [];
  const itemOfKey = new Map<string, number>();
  const addReal = (key: string, id: string, copy: number, rank: number) => {
    const n = byId.get(id)!;
    itemOfKey.set(key, items.length);
    items.push({ key, width: n.width, rank, up: [], down: [], order: 0, x: 0, real: { id, copy, height: n.height } });
  };
  for (const n of nonParams) addReal(n.id, n.id, 0, rankOf.get(n.id)!);
  for (const c of copies) addReal(keyOf(c.id, c.copy), c.id, c.copy, c.rank);

  interface Chain { from: string; to: string; fromKey: string; toKey: string; items: number[] }
  const chains: Chain[] = [];
  for (const e of edgesIn) {
    const fromKey = byId.get(e.from)!.param ? copyOfEdge.get(`${e.from}\u0000${e.to}`)! : e.from;
    const a = itemOfKey.get(fromKey)!;
    const b = itemOfKey.get(e.to)!;
    const chain = [a];
    for (let r = items[a]!.rank + 1; r < items[b]!.rank; r++) {
      chain.push(items.length);
      items.push({ key: `~${chains.length}.${r}`, width: 0, rank: r, up: [], down: [], order: 0, x: 0 });
    }
    chain.push(b);
    for (let i = 0; i + 1 < chain.length; i++) {
      items[chain[i]!]!.down.push(chain[i + 1]!);
      items[chain[i + 1]!]!.up.push(chain[i]!);
    }
    chains.push({ from: e.from, to: e.to, fromKey, toKey: e.to, items: chain });
  }
  const numRanks = items.reduce((m, it) => Math.max(m, it.rank + 1), 0);
  const ranks: number[][] = Array.from({ length: numRanks }, () => []);

  // 3. Initial order: depth-first from the sinks upwards, inputs in order.
  const seen = new Set<number>();
  const visit = (i: number) => {
    const stack = [i];
    while (stack.length > 0) {
      const j = stack.pop()!;
      if (seen.has(j)) continue;
      seen.add(j);
      ranks[items[j]!.rank]!.push(j);
      for (let k = items[j]!.up.length - 1; k >= 0; k--) stack.push(items[j]!.up[k]!);
    }
  };
  const sinks = items.map((_, i) => i).filter((i) => items[i]!.down.length === 0);
  for (const s of sinks) visit(s);
  for (let i = 0; i < items.length; i++) if (!seen.has(i)) visit(i);
  const renumber = (r: number[]) => r.forEach((i, k) => (items[i]!.order = k));
  ranks.forEach(renumber);

  const sortBy = (r: number[], key: (i: number) => number | undefined) => {
    const keyed = r.map((i) => ({ i, k: key(i) ?? items[i]!.order }));
    keyed.sort((p, q) => p.k - q.k || items[p.i]!.order - items[q.i]!.order);
    keyed.forEach((e, k) => (r[k] = e.i));
    renumber(r);
  };
  const bary = (ns: number[]) => (ns.length === 0 ? undefined : ns.reduce((s, n) => s + items[n]!.order, 0) / ns.length);
  for (let s = 0; s < sweeps; s++) {
    if (s % 2 === 0) for (let r = 1; r < numRanks; r++) sortBy(ranks[r]!, (i) => bary(items[i]!.up));
    else for (let r = numRanks - 2; r >= 0; r--) sortBy(ranks[r]!, (i) => bary(items[i]!.down));
  }

  // 4. x coordinates.
  const sep = (a: Item, b: Item) => (a.width + b.width) / 2 + (a.real && b.real ? nodeGap : edgeGap);
  for (const r of ranks) {
    let x = 0;
    r.forEach((i, k) => {
      const it = items[i]!;
      if (k > 0) x += sep(items[r[k - 1]!]!, it);
      it.x = x;
    });
  }
  const place = (r: number[], desired: number[]) => {
    const n = r.length;
    if (n === 0) return;
    const a = new Array<number>(n);
    const b = new Array<number>(n);
    for (let k = 0; k < n; k++) a[k] = k === 0 ? desired[0]! : Math.max(desired[k]!, a[k - 1]! + sep(items[r[k - 1]!]!, items[r[k]!]!));
    for (let k = n - 1; k >= 0; k--) b[k] = k === n - 1 ? desired[k]! : Math.min(desired[k]!, b[k + 1]! - sep(items[r[k]!]!, items[r[k + 1]!]!));
    for (let k = 0; k < n; k++) items[r[k]!]!.x = (a[k]! + b[k]!) / 2;
  };
  const mean = (ns: number[], fallback: number) => (ns.length === 0 ? fallback : ns.reduce((s, n) => s + items[n]!.x, 0) / ns.length);
  for (let s = 0; s < 2 * sweeps; s++) {
    const down = s % 2 === 0;
    const order = down ? ranks.map((_, r) => r) : ranks.map((_, r) => numRanks - 1 - r);
    for (const r of order) {
      const rk = ranks[r]!;
      place(rk, rk.map((i) => mean(down ? items[i]!.up : items[i]!.down, items[i]!.x)));
    }
  }

  // Shift into the picture.
  let minX = Infinity;
  let maxX = -Infinity;
  for (const it of items) {
    minX = Math.min(minX, it.x - it.width / 2);
    maxX = Math.max(maxX, it.x + it.width / 2);
  }
  if (items.length === 0) minX = maxX = 0;
  const dx = margin - minX;
  const yOf = (rank: number) => margin + rankGap / 2 + rank * rankGap;
  const nodes: PlacedNode[] = [];
  for (const it of items) {
    it.x += dx;
    if (it.real) nodes.push({ key: it.key, id: it.real.id, copy: it.real.copy, rank: it.rank, x: it.x, y: yOf(it.rank), width: it.width, height: it.real.height });
  }
  const edges: PlacedEdge[] = chains.map((c) => {
    const pts: [number, number][] = c.items.map((i) => [items[i]!.x, yOf(items[i]!.rank)]);
    const first = items[c.items[0]!]!;
    const last = items[c.items[c.items.length - 1]!]!;
    pts[0] = [first.x, yOf(first.rank) + first.real!.height / 2];
    pts[pts.length - 1] = [last.x, yOf(last.rank) - last.real!.height / 2];
    return { from: c.from, to: c.to, fromKey: c.fromKey, toKey: c.toKey, points: pts };
  });
  return { nodes, edges, width: maxX - minX + 2 * margin, height: yOf(numRanks - 1) + rankGap / 2 + margin, ranks: numRanks };
}
