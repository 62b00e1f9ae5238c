import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

// What the portal asks of a new password (src/domain/password-policy.ts decides; this checks the
// same before sending, so a person hears at once what to fix): the link's page and the account page.

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
