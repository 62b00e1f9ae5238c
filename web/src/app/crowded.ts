import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * Whether a one-line bar does not fit its width: then the top bar puts its links behind the Menu
 * button. Measured rather than guessed from a breakpoint, because the line's width depends on the
 * language, the fonts and the role's links (an administrator's Italian bar overflowed at 1280 px,
 * inside the width range a breakpoint had given it). Both layouts are decided before the browser
 * paints, so neither flashes.
 *
 * `content` lists what changes the line's width (language, role, badges): when one changes, the line
 * is laid out and measured again.
 */
export function useCrowded(bar: RefObject<HTMLElement | null>, content: readonly unknown[]): boolean {
  const [crowded, setCrowded] = useState(false);
  // The width the one line needed when it last did not fit: wide enough again, it comes back.
  const needed = useRef(0);
  const key = JSON.stringify(content);

  useLayoutEffect(() => {
    needed.current = 0;
    setCrowded(false);
  }, [key]);

  useLayoutEffect(() => {
    const el = bar.current;
    if (!el) return;
    const check = () => {
      if (!crowded && el.scrollWidth > el.clientWidth) {
        needed.current = el.scrollWidth;
        setCrowded(true);
      } else if (crowded && el.clientWidth >= needed.current) {
        setCrowded(false);
      }
    };
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    return () => observer.disconnect();
  }, [bar, crowded, key]);

  return crowded;
}
