export interface Point {
  x: number;
  y: number;
}
export function median(xs: number[]): number;
export function theilSenSlope(points: Point[]): number;
export function growthVerdict(points: Point[], o: { maxGrowth: number; minPoints?: number }): { ok: boolean; slope: number; growth: number; reason?: string };
export function quantile(xs: number[], q: number): number;
export function lowerEnvelope(points: Point[], width: number): Point[];
