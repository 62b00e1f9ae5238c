import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/Field.tsx';

// Choosing a new password, on the link's page and on the account page: what the portal asks of it
// (src/domain/password-policy.ts decides; this checks the same before sending, so a person hears at
// once what to fix), its two fields and the switch that shows what is typed.

export const PASSWORD_MIN_LENGTH = 12;

export function PasswordRules() {
  const { t } = useTranslation();
  return (
    <div className="password-rules">
      <p className="small">{t('password.rulesTitle')}</p>
      <ul className="small">
        <li>{t('password.ruleLength', { count: PASSWORD_MIN_LENGTH })}</li>
        <li>{t('password.rulePersonal')}</li>
        <li>{t('password.rulePhrase')}</li>
      </ul>
    </div>
  );
}

/** What is wrong with a new password and its repetition, before asking the server. */
export function newPasswordErrors(t: TFunction, password: string, repeat: string, person: { email: string; name: string }): { password?: string; repeat?: string } {
  const lower = password.trim().toLowerCase();
  if ([...password].length < PASSWORD_MIN_LENGTH) return { password: t('password.tooShort', { count: PASSWORD_MIN_LENGTH }) };
  if (lower === person.email.toLowerCase() || lower === person.name.trim().toLowerCase()) return { password: t('problems.PASSWORD_IS_PERSONAL') };
  return repeat === password ? {} : { repeat: t('password.mismatch') };
}

export type NewPassword = { password: string; repeat: string };

/** The new password and its repetition; `hint` goes under the first. */
export function NewPasswordFields(props: { value: NewPassword; onChange: (value: NewPassword) => void; errors: { password?: string | undefined; repeat?: string | undefined }; show: boolean; hint?: ReactNode; autoFocus?: boolean }) {
  const { t } = useTranslation();
  const { value, onChange, errors, show } = props;
  return (
    <>
      <Field label={t('password.new')} required error={errors.password} hint={props.hint}>
        <input type={show ? 'text' : 'password'} autoComplete="new-password" value={value.password} onChange={(e) => onChange({ ...value, password: e.target.value })} autoFocus={props.autoFocus} />
      </Field>
      <Field label={t('password.repeat')} required error={errors.repeat}>
        <input type={show ? 'text' : 'password'} autoComplete="new-password" value={value.repeat} onChange={(e) => onChange({ ...value, repeat: e.target.value })} />
      </Field>
    </>
  );
}

export function ShowPasswords({ show, onChange }: { show: boolean; onChange: (show: boolean) => void }) {
  const { t } = useTranslation();
  return (
    <label className="check password-show">
      <input type="checkbox" checked={show} onChange={(e) => onChange(e.target.checked)} />
      {t('password.show')}
    </label>
  );
}
