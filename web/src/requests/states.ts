import type { RequestState } from '../api/types.ts';

export const STATES: RequestState[] = ['pending', 'approved', 'denied', 'expired', 'withdrawn'];
