import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Popover } from '../ui/Popover.tsx';
import { setShortcutsEnabled, SHORTCUTS, shortcutsEnabled } from './shortcuts.ts';

/** The "?" button: what the keyboard shortcuts are, and a switch to turn them off. */
export function ShortcutHelp({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  const { t } = useTranslation();
  const [enabled, setEnabled] = useState(shortcutsEnabled);
  return (
    <Popover
      label={t('calendar.shortcuts.button')}
      buttonContent={<span aria-hidden="true">?</span>}
      buttonClass="icon-button bordered"
      title={t('calendar.shortcuts.title')}
      open={open}
      onOpenChange={onOpenChange}
    >
      <dl className="shortcut-list">
        {SHORTCUTS.map((s) => (
          <div key={s.key}>
            <dt>
              <kbd>{s.key.toUpperCase()}</kbd>
            </dt>
            <dd>{t(`calendar.shortcuts.${s.action}`)}</dd>
          </div>
        ))}
      </dl>
      <p className="muted shortcut-note">{t('calendar.shortcuts.note')}</p>
      <label className="check">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(e) => {
            setEnabled(e.target.checked);
            setShortcutsEnabled(e.target.checked);
          }}
        />
        {t('calendar.shortcuts.enabled')}
      </label>
    </Popover>
  );
}
