/**
 * The chaos cluster's two datacenters: the source (and the bidirectional channel's peer) in
 * one, the target in the other, so that the pipelines run split across the emulated WAN.
 */
export const SOURCE_DC = 'dc1';
export const TARGET_DC = 'dc2';
