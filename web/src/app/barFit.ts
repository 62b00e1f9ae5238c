import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** How the top bar's one line fits its width (see useBarFit). */
export type Fit = 'roomy' | 'compact' | 'crowded';

/**
 * How a one-line bar fits its width: `roomy` as it is; `compact` when it does not, with the
 * person's name given up for its icon (the widest tool, and the one an icon says as well); `crowded`
 * when even that does not fit, and the top bar puts its links behind the Menu button. Measured
 * rather than guessed from a breakpoint, because the line's width depends on the language, the
 * fonts, the role's links and the length of a name (an administrator's Italian bar overflowed at
 * 1280 px, inside the width range a breakpoint had given it; a manager called Alessandro Marino had
 * a Menu at 1366 px for 6 px). Each step is decided before the browser paints, so none flashes.
 *
 * `content` lists what changes the line's width (language, role, name, badges): when one changes,
 * the line is laid out and measured again from `roomy`.
 */
export function useBarFit(bar: RefObject<HTMLElement | null>, content: readonly unknown[]): Fit {
  const [fit, setFit] = useState<Fit>('roomy');
  // The width each step needed when it last did not fit: wide enough again, it comes back.
  const needed = useRef({ roomy: 0, compact: 0 });
  const key = JSON.stringify(content);

  useLayoutEffect(() => {
    needed.current = { roomy: 0, compact: 0 };
    setFit('roomy');
  }, [key]);

  useLayoutEffect(() => {
    const el = bar.current;
    if (!el) return;
    const check = () => {
      const overflows = el.scrollWidth > el.clientWidth;
      if (fit === 'roomy' && overflows) {
        needed.current.roomy = el.scrollWidth;
        setFit('compact');
      } else if (fit === 'compact' && overflows) {
        needed.current.compact = el.scrollWidth;
        setFit('crowded');
      } else if (fit === 'compact' && el.clientWidth >= needed.current.roomy) {
        setFit('roomy');
      } else if (fit === 'crowded' && el.clientWidth >= needed.current.compact) {
        setFit('compact');
      }
    };
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    return () => observer.disconnect();
  }, [bar, fit, key]);

  return fit;
}
