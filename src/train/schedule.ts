/**
 * The one learning-rate schedule: linear warmup to the peak, then a cosine decay to `minLr`
 * (as in AstroCLIP's and nanoGPT's training). Pure: step in, learning rate out.
 */
export interface WarmupCosineSchedule {
  /** Learning rate at the end of warmup. */
  peakLr: number;
  /** Learning rate reached at `totalSteps` and kept after it (default 0). */
  minLr?: number;
  /** Steps of linear warmup from ~0 to `peakLr` (default 0: start at the peak). */
  warmupSteps?: number;
  /** Step at which the cosine reaches `minLr`. */
  totalSteps: number;
}

/** Learning rate for a 0-based `step`. */
export function learningRateAt(step: number, schedule: WarmupCosineSchedule): number {
  const { peakLr, totalSteps } = schedule;
  const minLr = schedule.minLr ?? 0;
  const warmup = schedule.warmupSteps ?? 0;
  if (step < warmup) return (peakLr * (step + 1)) / warmup;
  if (step >= totalSteps) return minLr;
  const progress = (step - warmup) / Math.max(1, totalSteps - warmup); // 0 -> 1
  return minLr + 0.5 * (peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
}
