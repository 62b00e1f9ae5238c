import { useLayoutEffect, useRef } from 'react';

/**
 * A list's table that reads as one card per row on a phone (layout.css, `.data-table-stack`): at
 * 390 px five columns squeezed into a few letters each and pushed the row's buttons off to the side.
 * Each cell gets its column's name (from the table's own header, so no page repeats its labels) for
 * the card to show, and its table role written out: some browsers drop a table's semantics once its
 * parts are `display: block`, and a screen reader should still hear a table with its headers.
 * Runs after every render of the component that owns the table (its rows are rendered there).
 */
export function useStackedTable() {
  const ref = useRef<HTMLTableElement>(null);
  useLayoutEffect(() => {
    if (ref.current) labelCells(ref.current);
  });
  return ref;
}

function labelCells(table: HTMLTableElement): void {
  set(table, 'role', 'table');
  const head = table.tHead;
  const labels: string[] = [];
  if (head) {
    set(head, 'role', 'rowgroup');
    for (const row of head.rows) {
      set(row, 'role', 'row');
      for (const th of row.cells) {
        set(th, 'role', 'columnheader');
        // A header only screen readers hear (the actions column) shows no name on the card either.
        const hidden = th.querySelector('.visually-hidden') !== null;
        for (let i = 0; i < th.colSpan; i++) labels.push(hidden ? '' : (th.textContent ?? '').trim());
      }
    }
  }
  for (const body of table.tBodies) {
    set(body, 'role', 'rowgroup');
    for (const row of body.rows) {
      set(row, 'role', 'row');
      let column = 0;
      for (const cell of row.cells) {
        if (cell.tagName === 'TH') set(cell, 'role', 'rowheader');
        else {
          set(cell, 'role', 'cell');
          set(cell, 'data-label', labels[column] ?? '');
        }
        column += cell.colSpan;
      }
    }
  }
}

function set(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
