import { dcAwarePolicy } from './dc-aware.ts';
import { leastLoadedPolicy } from './least-loaded.ts';
import type { PlacementPolicy } from './placement-policy.ts';
import { roundRobinPolicy } from './round-robin.ts';
import { stickyPolicy } from './sticky.ts';

export type { PlacementContext, PlacementPolicy } from './placement-policy.ts';

/** The policies `--placement-policy` accepts, each made fresh for a leadership term. */
export const PLACEMENT_POLICIES = {
  'least-loaded': leastLoadedPolicy,
  'round-robin': roundRobinPolicy,
  sticky: stickyPolicy,
  'dc-aware': dcAwarePolicy,
} as const satisfies Record<string, () => PlacementPolicy>;

export type PlacementPolicyName = keyof typeof PLACEMENT_POLICIES;
export const PLACEMENT_POLICY_NAMES = Object.keys(PLACEMENT_POLICIES) as PlacementPolicyName[];
export const DEFAULT_PLACEMENT_POLICY: PlacementPolicyName = 'least-loaded';

export function isPlacementPolicyName(name: string): name is PlacementPolicyName {
  return Object.hasOwn(PLACEMENT_POLICIES, name);
}
