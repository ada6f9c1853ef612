// The cluster's pods, stored column by column: one slot per pod, each field a typed
// array of codes (or a string column), not one object per pod in a Map. At the scale
// envelope (150,000 pods) the Map of Pod objects was most of a replay's cost: a Pod
// object, its key string and a Map entry per pod, all surviving young-generation GC
// and copied by it, and a restore built all of them again from the snapshot. Here a
// replay writes a few array cells per event and a restore copies whole columns.
//
// Readers keep the Map API (get, has, values, keys, entries, size): a Pod object is
// built the first time someone asks for it and cached, so every later `get` returns
// the same object, and the table's own changes (bind, unschedulable) update the
// cached object too. Nothing outside the table mutates a Pod.
//
// Fields whose values repeat (namespace, node, phase, and the spec parts a workload's
// pods share by identity: labels, containers, owner, ...) are stored as codes into a
// per-column list of distinct values (PodCodeColumns). Names, unique per pod, are a string column
// that a restore fills lazily from one joined text (LazyStrings); IPs are numbers
// (IpColumn). Keys are found through an open-addressing index over key hashes, kept in
// typed arrays (PodKeyIndex). Slot order is Map order: a new key appends, a key set again keeps its
// slot, a deleted slot is a hole until the table compacts.
import { PodCodeColumns, type CodeColumnsSnapshot, type PodSpec } from './PodCodeColumns.js';
import { bytesOf, f64Of, hashChars, IpColumn, type IpSnapshot, LazyStrings, LITTLE_ENDIAN, nsHash } from './podColumns.js';
import { PodKeyIndex, type KeyHolder } from './PodKeyIndex.js';
import type { OwnerRef, Pod } from './types.js';

/** What a snapshot stores of a pod table (plain data; typed arrays as their bytes). */
export interface PodTableSnapshot {
  count: number;
  /** Byte order of the typed arrays: a snapshot from a host of the other order is not read. */
  littleEndian: boolean;
  /** Per column: its distinct values and each pod's code, in bytes of `width` (1, 2 or 4: the fewest that hold every code). */
  dicts: CodeColumnsSnapshot;
  names: { text: string; ends: Uint8Array };
  ips: IpSnapshot;
  createdAt: Uint8Array;
  /** NaN: not started. */
  startedAt: Uint8Array;
}

/** Pods by `namespace/name`, column-stored (see the head comment): a Map plus the changes evolve makes. */
export class PodTable implements Map<string, Pod>, KeyHolder {
  /** Slots in use, holes included. */
  private count = 0;
  private live = 0;
  private cap: number;
  private cols: PodCodeColumns;
  private names: LazyStrings;
  private ips: IpColumn;
  private createdAt: Float64Array;
  private startedAt: Float64Array;
  /** 1 for a slot holding a pod, 0 for a hole. */
  private alive: Uint8Array;
  private index: PodKeyIndex;
  /** Keys built so far (see key()); a slot keeps its key for life. */
  private keys_: (string | undefined)[] | undefined = undefined;
  /** Pod objects built so far (see pod()). */
  private objs: (Pod | undefined)[];
  /** The hash state after each namespace code's `namespace/`. */
  private nsHashes: number[] = [];
  /** Codes of the phases evolve sets (bind and create alternate: Dict's last-value cache would miss). */
  private pending = 0;
  private running = 0;

  constructor(cap = 1024) {
    this.cap = cap;
    this.cols = new PodCodeColumns(cap);
    this.names = new LazyStrings();
    this.ips = new IpColumn(cap);
    this.createdAt = new Float64Array(cap);
    this.startedAt = new Float64Array(cap);
    this.alive = new Uint8Array(cap);
    this.index = new PodKeyIndex(cap);
    this.objs = [];
    this.codePhases();
  }

  /** (Re)read the codes of the phases evolve sets, once the phase dictionary is set. */
  private codePhases(): void {
    this.pending = this.cols.dicts.phase.code('Pending');
    this.running = this.cols.dicts.phase.code('Running');
  }

  get size(): number {
    return this.live;
  }

  get [Symbol.toStringTag](): string {
    return 'PodTable';
  }

  // ---- reads by key -------------------------------------------------------------

  /** The slot of `namespace/name`, or -1. */
  find(namespace: string, name: string): number {
    const nc = this.cols.dicts.namespace.find(namespace);
    return nc < 0 ? -1 : this.index.find(hashChars(this.nsHashOf(nc), name, 0, name.length), this, nc, name);
  }

  /** Whether a slot holds the pod `name` in the namespace with code `nc` (PodKeyIndex asks). */
  holds(slot: number, nc: number, name: string): boolean {
    return this.cols.codes.namespace[slot] === nc && this.names.is(slot, name);
  }

  /** The slot of a key `namespace/name`, or -1. */
  slotOf(key: string): number {
    const cut = key.indexOf('/');
    if (cut < 0) return -1;
    return this.find(key.slice(0, cut), key.slice(cut + 1));
  }

  get(key: string): Pod | undefined {
    const s = this.slotOf(key);
    return s < 0 ? undefined : this.pod(s);
  }

  has(key: string): boolean {
    return this.slotOf(key) >= 0;
  }

  // ---- reads by slot ------------------------------------------------------------

  name(slot: number): string {
    return this.names.get(slot)!;
  }

  namespace(slot: number): string {
    return this.cols.dicts.namespace.values[this.cols.codes.namespace[slot]!] as string;
  }

  /** The IP of the pod in a slot (its Pod object's, once built: the same string). */
  ip(slot: number): string | undefined {
    const p = this.objs[slot];
    return p !== undefined ? p.ip : this.ips.get(slot);
  }

  /**
   * The key `namespace/name` of the slot's pod. Built on first use and kept: a consumer
   * that asks for keys (the controllers' index, podIps) asks for every pod's, more than
   * once, and each Map or Set it goes into hashes a kept string only once.
   */
  key(slot: number): string {
    // Sized up front (and on grow): keys are asked for in any order, and a store far past
    // an array's end would turn it into a slow dictionary.
    const keys = (this.keys_ ??= new Array<string | undefined>(this.cap));
    return keys[slot] ?? (keys[slot] = `${this.namespace(slot)}/${this.name(slot)}`);
  }

  owner(slot: number): OwnerRef | undefined {
    return this.cols.dicts.owner.values[this.cols.codes.owner[slot]!] as OwnerRef | undefined;
  }

  /** The pod in a slot, as an object (built once, then cached and kept current). */
  pod(slot: number): Pod {
    return this.objs[slot] ?? (this.objs[slot] = this.build(slot));
  }

  private build(slot: number): Pod {
    const d = this.cols.dicts;
    const c = this.cols.codes;
    const started = this.startedAt[slot]!;
    // Every field spelled out, absent ones as undefined, in one literal: all pods share one
    // hidden class (an object spread gave each pod its own V8 map: slow, megamorphic access).
    return {
      namespace: d.namespace.values[c.namespace[slot]!] as string, name: this.name(slot),
      labels: d.labels.values[c.labels[slot]!] as Pod['labels'], containers: d.containers.values[c.containers[slot]!] as Pod['containers'],
      nodeSelector: d.nodeSelector.values[c.nodeSelector[slot]!] as Pod['nodeSelector'], tolerations: d.tolerations.values[c.tolerations[slot]!] as Pod['tolerations'],
      hostNetwork: d.hostNetwork.values[c.hostNetwork[slot]!] as Pod['hostNetwork'], owner: d.owner.values[c.owner[slot]!] as Pod['owner'],
      targetNode: d.targetNode.values[c.targetNode[slot]!] as Pod['targetNode'], phase: d.phase.values[c.phase[slot]!] as Pod['phase'],
      reason: d.reason.values[c.reason[slot]!] as Pod['reason'], message: d.message.values[c.message[slot]!] as Pod['message'],
      node: d.node.values[c.node[slot]!] as Pod['node'], ip: this.ips.get(slot),
      createdAt: this.createdAt[slot]!, startedAt: Number.isNaN(started) ? undefined : started,
    };
  }

  // ---- iteration (Map order) ----------------------------------------------------

  *slots(): IterableIterator<number> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield s;
  }

  *values(): IterableIterator<Pod> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield this.pod(s);
  }

  *keys(): IterableIterator<string> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield this.key(s);
  }

  *entries(): IterableIterator<[string, Pod]> {
    for (let s = 0; s < this.count; s++) if (this.alive[s] === 1) yield [this.key(s), this.pod(s)];
  }

  [Symbol.iterator](): IterableIterator<[string, Pod]> {
    return this.entries();
  }

  forEach(f: (pod: Pod, key: string, map: Map<string, Pod>) => void, thisArg?: unknown): void {
    for (const [k, p] of this.entries()) f.call(thisArg, p, k, this);
  }

  clear(): void {
    Object.assign(this, new PodTable());
  }

  // ---- changes ------------------------------------------------------------------

  /**
   * Put a pod at its key: a new key takes a new slot at the end, a key already there
   * keeps its slot (Map.set's order). Returns the slot, or -1 - slot when the key was there.
   */
  put(p: Pod): number {
    const r = this.create(p, p.createdAt, -1);
    const slot = r < 0 ? -1 - r : r;
    const c = this.cols.codes;
    const d = this.cols.dicts;
    c.phase[slot] = d.phase.code(p.phase);
    c.reason[slot] = d.reason.code(p.reason);
    c.message[slot] = d.message.code(p.message);
    c.node[slot] = d.node.code(p.node);
    this.ips.set(slot, p.ip);
    this.startedAt[slot] = p.startedAt ?? NaN;
    this.objs[slot] = undefined;
    return r;
  }

  /** Map-compatible set: `key` must be the pod's `namespace/name`. */
  set(key: string, p: Pod): this {
    if (key !== `${p.namespace}/${p.name}`) throw new Error(`pod table: key ${key} is not the pod's namespace/name`);
    const s = this.put(p);
    this.objs[s < 0 ? -1 - s : s] = p;
    return this;
  }

  /** A node and address for a pod: it runs there (PodScheduled). */
  bind(slot: number, node: string, ip: string, time: number): void {
    this.ips.set(slot, ip);
    this.bound(slot, this.cols.dicts.node.code(node), time);
  }

  /** bind() with the node as its code (nodeCodeAscii) and the address as its number (a dotted quad's). */
  bindCoded(slot: number, node: number, ip: number, time: number): void {
    this.ips.setNumber(slot, ip);
    this.bound(slot, node, time);
  }

  /** The node column's code of a node name given as ASCII bytes (Dict.codeAscii), or -1. */
  nodeCodeAscii(b: Uint8Array, at: number, len: number): number {
    return this.cols.dicts.node.codeAscii(b, at, len);
  }

  private bound(slot: number, node: number, time: number): void {
    const c = this.cols.codes;
    c.node[slot] = node;
    c.phase[slot] = this.running;
    this.startedAt[slot] = time;
    c.reason[slot] = 0;
    c.message[slot] = 0;
    const p = this.objs[slot];
    if (p !== undefined) {
      p.node = this.cols.dicts.node.values[node] as string; p.ip = this.ips.get(slot); p.phase = 'Running'; p.startedAt = time;
      p.reason = undefined; p.message = undefined;
    }
  }

  /** Why a pod is not running (PodUnschedulable). */
  unschedulable(slot: number, reason: string, message: string): void {
    this.cols.codes.reason[slot] = this.cols.dicts.reason.code(reason);
    this.cols.codes.message[slot] = this.cols.dicts.message.code(message);
    const p = this.objs[slot];
    if (p !== undefined) { p.reason = reason; p.message = message; }
  }

  /** Delete a pod by key. Returns whether it was there. */
  delete(key: string): boolean {
    const s = this.slotOf(key);
    if (s < 0) return false;
    this.deleteSlot(s);
    return true;
  }

  /**
   * Delete the pod in a slot. Slots are not reused (Map order); when holes outnumber
   * pods the table compacts, which renumbers slots: returns true then, and slots held
   * by the caller are void.
   */
  deleteSlot(slot: number): boolean {
    this.alive[slot] = 0;
    this.live--;
    this.objs[slot] = undefined;
    this.index.remove(slot);
    if (this.count - this.live > 1024 && this.count - this.live > this.live) { this.compact(); return true; }
    return false;
  }

  /**
   * Start a pod (PodCreated): Pending, in a new slot, or in its key's slot when the key
   * is taken. Returns the slot, or -1 - slot when the key was there already. Its spec
   * parts equal to the pod's in slot `sibling` (the one created before) are stored as
   * that pod's codes (PodCodeColumns.codeSpec).
   */
  create(p: PodSpec, createdAt: number, sibling: number): number {
    const c = this.cols.codes;
    const nc = this.cols.dicts.namespace.code(p.namespace);
    const h = hashChars(this.nsHashOf(nc), p.name, 0, p.name.length);
    let slot = this.index.find(h, this, nc, p.name);
    const fresh = slot < 0;
    if (fresh) slot = this.append(nc, p.name, h);
    this.cols.codeSpec(slot, p, sibling);
    c.phase[slot] = this.pending;
    c.reason[slot] = 0;
    c.message[slot] = 0;
    c.node[slot] = 0;
    this.createdAt[slot] = createdAt;
    this.startedAt[slot] = NaN;
    if (!fresh) { this.ips.set(slot, undefined); this.objs[slot] = undefined; }
    return fresh ? slot : -1 - slot;
  }

  /** A new slot at the end for a key not in the table. */
  private append(nc: number, name: string, h: number): number {
    if (this.count === this.cap) this.grow(this.cap * 2);
    const slot = this.count++;
    this.cols.codes.namespace[slot] = nc;
    // Written by index: a restored table's arrays have room past its pods already.
    this.names.set(slot, name);
    this.ips.set(slot, undefined);
    this.objs[slot] = undefined;
    this.alive[slot] = 1;
    this.live++;
    this.index.add(slot, h, this.alive, this.count, this.live);
    return slot;
  }

  private nsHashOf(code: number): number {
    return this.nsHashes[code] ?? (this.nsHashes[code] = nsHash(this.cols.dicts.namespace.values[code] as string));
  }

  private grow(cap: number): void {
    const n = this.count;
    this.cols.grow(cap, n);
    const f64 = (x: Float64Array) => { const a = new Float64Array(cap); a.set(x.subarray(0, n)); return a; };
    this.createdAt = f64(this.createdAt);
    this.startedAt = f64(this.startedAt);
    const alive = new Uint8Array(cap); alive.set(this.alive.subarray(0, n)); this.alive = alive;
    this.index.grow(cap, n);
    this.ips.grow(cap, n);
    if (this.keys_) { const keys = new Array<string | undefined>(cap); for (let i = 0; i < n; i++) keys[i] = this.keys_[i]; this.keys_ = keys; }
    this.cap = cap;
  }

  /** Drop the holes: live slots move down, in order. */
  private compact(): void {
    const live = [...this.slots()];
    const t = PodTable.restore(this.toSnapshot(live));
    Object.assign(this, t);
    this.keys_ = undefined;
  }

  // ---- snapshots ----------------------------------------------------------------

  /** The live pods as plain data, column by column (codes renumbered in slot order). */
  toSnapshot(slots: ArrayLike<number> = [...this.slots()]): PodTableSnapshot {
    const n = slots.length;
    const createdAt = new Float64Array(n);
    const startedAt = new Float64Array(n);
    for (let i = 0; i < n; i++) { createdAt[i] = this.createdAt[slots[i]!]!; startedAt[i] = this.startedAt[slots[i]!]!; }
    return {
      count: n, littleEndian: LITTLE_ENDIAN, dicts: this.cols.toSnapshot(slots),
      names: LazyStrings.join(this.names, slots), ips: this.ips.toSnapshot(slots),
      createdAt: bytesOf(createdAt), startedAt: bytesOf(startedAt),
    };
  }

  /** A table from toSnapshot's data. Throws when it is malformed (the snapshot is then ignored). */
  static restore(snap: PodTableSnapshot): PodTable {
    const n = snap.count;
    if (!Number.isSafeInteger(n) || n < 0) throw new Error('pod table snapshot: bad count');
    if (snap.littleEndian !== LITTLE_ENDIAN) throw new Error('pod table snapshot: written on a host of the other byte order');
    // Room for the pods of a snapshot's tail of events: growing copies every column.
    const cap = n + Math.max(1024, n >> 2);
    const t = new PodTable(cap);
    t.cols.restore(snap.dicts, n);
    t.codePhases();
    t.names = LazyStrings.restore(snap.names, n, cap);
    t.ips = IpColumn.restore(snap.ips, n, cap);
    t.createdAt.set(f64Of(snap.createdAt, n));
    t.startedAt.set(f64Of(snap.startedAt, n));
    t.alive.fill(1, 0, n);
    t.objs = new Array<Pod | undefined>(cap);
    t.count = t.live = n;
    const nsCodes = t.cols.codes.namespace;
    const nsHashes = t.cols.dicts.namespace.values.map((_, c) => (c === 0 ? 0 : t.nsHashOf(c)));
    t.names.hashRestored(t.index.hashes, nsCodes, nsHashes);
    t.index.rebuild(t.alive, n, n, cap);
    return t;
  }
}
