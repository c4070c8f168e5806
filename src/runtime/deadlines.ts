// One timer for every budget in the process. Deadlines of the same duration arrive in
// increasing order, so each duration keeps a FIFO list (O(1) insert and removal) and the
// timer is armed for the earliest head. No timer is created or cleared per request.

export interface Timed {
  deadline: number;
  prevTimed: Timed | null;
  nextTimed: Timed | null;
  timedList: TimedList | null;
  /** Called once when the deadline passes; the node is already unlinked. */
  onDeadline(now: number): void;
}

export class TimedList {
  head: Timed | null = null;
  tail: Timed | null = null;
  constructor(readonly durationMs: number) {}
}

/** Empty lists are kept for reuse up to this many distinct durations. */
const KEEP_EMPTY_LISTS = 8;

export class DeadlineScheduler {
  private readonly lists = new Map<number, TimedList>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  /** Schedules `node` to expire `durationMs` after `now` (a `performance.now()` reading). */
  add(node: Timed, durationMs: number, now: number): void {
    if (node.timedList !== null) this.remove(node);
    let list = this.lists.get(durationMs);
    if (list === undefined) {
      list = new TimedList(durationMs);
      this.lists.set(durationMs, list);
    }
    node.deadline = now + durationMs;
    node.timedList = list;
    node.prevTimed = list.tail;
    node.nextTimed = null;
    if (list.tail === null) list.head = node;
    else list.tail.nextTimed = node;
    list.tail = node;
    if (node.deadline < this.armedFor) this.arm(node.deadline, now);
  }

  remove(node: Timed): void {
    const list = node.timedList;
    if (list === null) return;
    if (node.prevTimed === null) list.head = node.nextTimed;
    else node.prevTimed.nextTimed = node.nextTimed;
    if (node.nextTimed === null) list.tail = node.prevTimed;
    else node.nextTimed.prevTimed = node.prevTimed;
    node.prevTimed = node.nextTimed = null;
    node.timedList = null;
    if (list.head === null && this.lists.size > KEEP_EMPTY_LISTS) this.lists.delete(list.durationMs);
  }

  /** Number of scheduled nodes (for tests and stats). */
  get size(): number {
    let n = 0;
    for (const list of this.lists.values()) for (let t = list.head; t !== null; t = t.nextTimed) n++;
    return n;
  }

  private arm(deadline: number, now: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadline - now)));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    for (const list of this.lists.values()) {
      for (let head = list.head; head !== null && head.deadline <= now; head = list.head) {
        this.remove(head);
        head.onDeadline(now);
      }
    }
    let earliest = Number.POSITIVE_INFINITY;
    for (const list of this.lists.values()) {
      if (list.head !== null && list.head.deadline < earliest) earliest = list.head.deadline;
    }
    if (earliest < this.armedFor) this.arm(earliest, now);
  };
}
