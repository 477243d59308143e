/**
 * Exact k-nearest-neighbour ranking by cosine similarity over (label, unit vector) pairs: the
 * reference the graph is measured against, and the plan for small filtered subsets. One pass,
 * O(n * dim), keeping the best k in a sorted buffer.
 *
 *   const top = new TopK(10);
 *   for (const [label, v] of rows) top.offer(label, dot(query, v));
 *   top.results(); // [{ label, similarity }] best first
 */
export interface Scored {
  label: number;
  /** Cosine similarity to the query. */
  similarity: number;
}

/** The k best scores seen so far; ties go to the smaller label, so results are deterministic. */
export class TopK {
  private readonly labels: number[] = [];
  private readonly scores: number[] = [];

  constructor(readonly k: number) {}

  offer(label: number, score: number): void {
    const n = this.scores.length;
    if (this.k <= 0) return;
    if (n === this.k && !this.beats(label, score, n - 1)) return;
    let i = n === this.k ? n - 1 : n; // slot to fill, then bubble up
    if (n === this.k) {
      this.labels[i] = label;
      this.scores[i] = score;
    } else {
      this.labels.push(label);
      this.scores.push(score);
    }
    while (i > 0 && this.beats(this.labels[i], this.scores[i], i - 1)) {
      [this.labels[i], this.labels[i - 1]] = [this.labels[i - 1], this.labels[i]];
      [this.scores[i], this.scores[i - 1]] = [this.scores[i - 1], this.scores[i]];
      i--;
    }
  }

  get size(): number {
    return this.scores.length;
  }

  results(): Scored[] {
    return this.labels.map((label, i) => ({ label, similarity: this.scores[i] }));
  }

  /** Whether (label, score) ranks before the entry at `slot`. */
  private beats(label: number, score: number, slot: number): boolean {
    const other = this.scores[slot];
    return score > other || (score === other && label < this.labels[slot]);
  }
}

/** Ranks `rows` ([label, unit vector]) against a unit query; best first. */
export function exactTopK(query: Float32Array, rows: Iterable<readonly [number, Float32Array]>, k: number): Scored[] {
  const top = new TopK(k);
  const dim = query.length;
  for (const [label, v] of rows) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += query[i] * v[i];
    top.offer(label, s);
  }
  return top.results();
}
