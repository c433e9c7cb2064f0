import { FerryError } from '../shared/errors/index.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { FAULT_KINDS, NODE_KINDS, canOverlap, type FaultKind } from './kinds.ts';

/** The two sides of the split pipeline: Select and Extract in the source's datacenter, Transform and Load in the target's. */
export type PipelineSide = 'select' | 'load';

/** One planned fault: its kind and how long the load runs undisturbed before it. */
export interface PlannedFault {
  kind: FaultKind;
  /**
   * Seconds of quiet load between the previous fault's recovery and this injection; for an
   * overlapping fault, seconds after the previous fault's injection instead.
   */
  pauseS: number;
  /** A node fault aimed at a node that runs nothing instead of the one running the pipeline. */
  idle: boolean;
  /** Injected while the previous fault is still unresolved (its repair or recovery under way). */
  overlap: boolean;
  /**
   * Node faults: the side of the split pipeline aimed at (its node, or when `idle` a node of
   * that side's datacenter running neither side); null for kinds that hit no node.
   */
  side: PipelineSide | null;
}

/** The share of node faults aimed at an idle node. */
const IDLE_SHARE = 1 / 3;

/** The share of faults injected while the previous one is unresolved, unless `--overlap` says otherwise. */
export const DEFAULT_OVERLAP_SHARE = 0.2;

/**
 * N faults drawn from `kinds` with the seed: the same seed and kinds give the same schedule.
 * Every kind appears once before any repeats when N allows (a short run still covers them),
 * the order and the rest drawn at random. About `overlapShare` of the faults overlap the one
 * before them, where the two may (chaos/kinds.ts canOverlap), never three at once.
 */
export function planFaults(seed: number, count: number, kinds: readonly FaultKind[] = FAULT_KINDS, overlapShare = 0): PlannedFault[] {
  if (kinds.length === 0) throw new Error('no fault kinds to draw from');
  const random = scheduleRandom(seed);
  const pick = () => kinds[Math.floor(random() * kinds.length)]!;
  const drawn: FaultKind[] = [];
  // A shuffled copy of every kind first (Fisher-Yates), then independent draws.
  const firsts = [...kinds];
  for (let i = firsts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [firsts[i], firsts[j]] = [firsts[j]!, firsts[i]!];
  }
  for (let i = 0; i < count; i++) drawn.push(i < firsts.length ? firsts[i]! : pick());
  // Idle or not from a stream of its own: the kinds and pauses stay those drawn before it existed.
  const idleRandom = scheduleRandom(seed ^ 0x1d1e);
  // The side too, drawn for every fault (used by node faults) so that it depends on the position alone.
  const sideRandom = scheduleRandom(seed ^ 0x51de);
  const planned = drawn.map((kind) => {
    const idle = idleRandom() < IDLE_SHARE;
    const side: PipelineSide = sideRandom() < 0.5 ? 'select' : 'load';
    const hitsNode = NODE_KINDS.includes(kind);
    return { kind, pauseS: 2 + Math.floor(random() * 8), idle: idle && hitsNode, side: hitsNode ? side : null, overlap: false };
  });
  // Overlaps from a stream of their own too; both numbers drawn for every fault so that one
  // fault's outcome does not shift the next one's draw.
  const overlapRandom = scheduleRandom(seed ^ 0x0e1a);
  for (const [i, fault] of planned.entries()) {
    const wanted = overlapRandom() < overlapShare;
    const afterS = Math.floor(overlapRandom() * 4);
    const previous = planned[i - 1];
    if (wanted && previous !== undefined && !previous.overlap && canOverlap(previous.kind, fault.kind)) {
      fault.overlap = true;
      fault.pauseS = afterS;
    }
  }
  return planned;
}

/** `--overlap S`: a share between 0 and 1. */
export function parseOverlap(value: string): number {
  const share = Number(value);
  if (value.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--overlap: '${value}' is not a share between 0 and 1 (0: one fault at a time)` });
  }
  return share;
}

/** The report's `target`: the node and the side it ran (`node-3 (load)`), or `(idle)` for a node that ran none. */
export function targetLabel(fault: PlannedFault, target: string): string {
  if (fault.idle) return `${target} (idle)`;
  return fault.side === null ? target : `${target} (${fault.side})`;
}

/**
 * The kinds named by `--kinds a,b,c`, in the order of FAULT_KINDS (so that a seed replays the
 * same schedule however the list is spelt); an unknown name is a usage error listing the valid ones.
 */
export function parseKinds(value: string): FaultKind[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(FAULT_KINDS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    const what = names.length === 0 ? 'no kind' : `unknown kind${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}`;
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--kinds: ${what}; valid kinds: ${FAULT_KINDS.join(', ')}` });
  }
  return FAULT_KINDS.filter((kind) => names.includes(kind));
}

/**
 * xorshift32 from a small seed gives tiny numbers first (seed 1: 0.0000002, 0.00006, ...), which
 * put the same kind last in every shuffle: the seed is scrambled first (a murmur3 finaliser).
 */
function scheduleRandom(seed: number): () => number {
  let h = seed >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return seededRandom((h ^ (h >>> 16)) >>> 0);
}
