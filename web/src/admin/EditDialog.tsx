import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { fieldErrorsOf, problemMessage } from '../api/problems.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Notice } from '../ui/Notice.tsx';

interface EditFormOptions<T, D> {
  open: boolean;
  /**
   * The item edited, or null to create one. The draft starts again whenever this changes identity
   * while open: pass the same object from render to render (a page's state, or memoised).
   */
  item: T | null;
  toDraft(item: T | null): D;
  /** Field errors in the page's language, checked before anything is sent. */
  validate(draft: D): Record<string, string>;
  save(draft: D): Promise<T>;
  onSaved(saved: T): void;
}

/** The state of an admin create/edit dialog: a draft reset at each opening, errors by field, saving. */
export function useEditForm<T, D>({ open, item, toDraft, validate, save, onSaved }: EditFormOptions<T, D>) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<D | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [openedFor, setOpenedFor] = useState<T | null | undefined>(undefined);

  if (open && openedFor !== item) {
    setOpenedFor(item);
    setDraft(toDraft(item));
    setErrors({});
    setGeneral(null);
  }
  if (!open && openedFor !== undefined) setOpenedFor(undefined);

  const set = <K extends keyof D>(key: K, value: D[K]) => {
    setDraft((d) => (d ? { ...d, [key]: value } : d));
    // A corrected field no longer shows the error of the last attempt.
    setErrors((e) => {
      if (!(key in e)) return e;
      const { [key as string]: _fixed, ...rest } = e;
      return rest;
    });
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const local = validate(draft);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    setGeneral(null);
    try {
      onSaved(await save(draft));
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) setErrors(fieldErrorsOf(e, t));
      else setGeneral(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  return { draft, set, errors, general, busy, submit };
}

/** A modal form with Cancel and Save, its general error above the fields. */
export function EditDialog({
  open,
  title,
  formId,
  busy,
  general,
  onClose,
  onSubmit,
  submitLabel,
  children,
}: {
  open: boolean;
  title: string;
  formId: string;
  busy: boolean;
  general: string | null;
  onClose(): void;
  onSubmit(event: FormEvent): void;
  /** What the primary button does, where "Save" would not say it (Approve, Deny). */
  submitLabel?: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : (submitLabel ?? t('common.save'))}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate>
        {general && <Notice tone="error">{general}</Notice>}
        {children}
      </form>
    </Dialog>
  );
}
