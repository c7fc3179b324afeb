import type { Clock } from '../../core/delivery/ports.js';

export const systemClock: Clock = { now: () => new Date() };
