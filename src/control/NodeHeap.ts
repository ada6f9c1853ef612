import type { Node } from '../cluster/index.js';

interface Entry {
  node: Node;
  /** The node's pod count when this entry was pushed; stale once the count moved on. */
  pods: number;
}

function less(a: Entry, b: Entry): boolean {
  return a.pods < b.pods || (a.pods === b.pods && a.node.index < b.node.index);
}

/**
 * Nodes in the scheduler's spreading order: fewest pods first, then join order. A
 * binary min-heap with lazy updates: a node whose count changed is pushed again and
 * its older entries are dropped when they surface.
 */
export class NodeHeap {
  private readonly heap: Entry[] = [];
  private readonly podsOf: (n: Node) => number;

  constructor(nodes: Iterable<Node>, podsOf: (n: Node) => number) {
    this.podsOf = podsOf;
    for (const node of nodes) this.heap.push({ node, pods: podsOf(node) });
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** The first node in order that passes `ok`; every node stays in the heap. */
  first(ok: (n: Node) => boolean): Node | undefined {
    const skipped: Entry[] = [];
    let found: Node | undefined;
    while (this.heap.length) {
      const top = this.pop()!;
      if (top.pods !== this.podsOf(top.node)) continue; // stale: a newer entry exists
      skipped.push(top);
      if (ok(top.node)) { found = top.node; break; }
    }
    for (const e of skipped) this.push(e);
    return found;
  }

  /** A node's pod count changed: re-queue it at its new place. */
  update(node: Node): void {
    this.push({ node, pods: this.podsOf(node) });
  }

  private push(e: Entry): void {
    this.heap.push(e);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(this.heap[i]!, this.heap[parent]!)) break;
      [this.heap[i], this.heap[parent]] = [this.heap[parent]!, this.heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (this.heap.length && last) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l]!, h[m]!)) m = l;
      if (r < h.length && less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
