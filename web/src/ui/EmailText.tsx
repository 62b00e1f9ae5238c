import { Fragment } from 'react';

// The longest run of an address that may not break: a longer one (a local part with no dots)
// would widen its table column again.
const RUN = 24;

/**
 * An e-mail address that wraps where a reader expects it to, before a dot or the @, and not in
 * the middle of a name ("alessandro.conti.4@unina.de / mo.example").
 */
export function EmailText({ address }: { address: string }) {
  const runs = address.split(/(?=[.@])/).flatMap((part) => part.match(new RegExp(`.{1,${RUN}}`, 'gsu')) ?? []);
  return runs.map((run, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {run}
    </Fragment>
  ));
}
