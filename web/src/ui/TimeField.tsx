import { parseTimeOfDay } from './timeEntry.ts';
import { TypedEntry, type EntryProps } from './TypedEntry.tsx';

const asIs = (v: string) => v;

/** A 24-hour time entry in every browser and language (see timeEntry.ts); its value is "HH:mm". */
export function TimeField(props: EntryProps) {
  return <TypedEntry {...props} parse={parseTimeOfDay} show={asIs} maxLength={5} placeholder="hh:mm" className="time-entry" />;
}
