// The four suggested verdicts, their display labels and keyboard keys (1–4). The host stores the
// `value`; any other short label a workspace already holds is shown as-is.
import { VERDICT_CHOICES } from '../../../../electron/api/review-contract.ts';

export type VerdictValue = (typeof VERDICT_CHOICES)[number];

export interface VerdictChoice { value: VerdictValue; label: string; key: string }

const LABELS: Record<VerdictValue, string> = {
  'on-target': 'On target',
  'off-target': 'Off target',
  artifact: 'Artifact / shortcut',
  unsure: 'Unsure',
};

export const VERDICTS: readonly VerdictChoice[] = VERDICT_CHOICES.map((value, i) => ({ value, label: LABELS[value], key: String(i + 1) }));

const SHORT: Record<VerdictValue, string> = { 'on-target': 'On', 'off-target': 'Off', artifact: 'Artifact', unsure: 'Unsure' };

/** A one-word label, for table headers. */
export function verdictShort(v: string): string {
  return (SHORT as Record<string, string>)[v] ?? v;
}

export function verdictLabel(v: string): string {
  return (LABELS as Record<string, string>)[v] ?? v;
}

/** The verdict a digit key stands for, or null. */
export function verdictForKey(key: string): VerdictValue | null {
  return VERDICTS.find((v) => v.key === key)?.value ?? null;
}
