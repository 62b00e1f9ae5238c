import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * An address shown in full with a button that copies it; `label` names it for screen readers. A
 * `secret` (an API token) is copied as it is; an address is made absolute first.
 */
export function CopyText({ text, label, secret }: { text: string; label?: string; secret?: boolean }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const absolute = secret ? text : new URL(text, window.location.origin).toString();
  return (
    <span className="copy-link">
      <code>{absolute}</code>
      <button
        type="button"
        className="button button-quiet button-small"
        onClick={() => {
          void navigator.clipboard?.writeText(absolute).then(() => {
            setCopied(true);
            window.setTimeout(() => setCopied(false), 2500);
          });
        }}
      >
        {copied ? t('details.copied') : t('details.copy')}
        {label && <span className="visually-hidden">: {label}</span>}
      </button>
      <span className="visually-hidden" role="status">
        {copied ? t('details.copied') : ''}
      </span>
    </span>
  );
}
