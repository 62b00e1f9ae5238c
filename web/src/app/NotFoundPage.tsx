import { useTranslation } from 'react-i18next';
import { PageHeader } from '../ui/PageHeader.tsx';
import { Link } from './router.tsx';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <section className="page page-narrow">
      <PageHeader title={t('notFound.title')} subtitle={t('notFound.text')} />
      <Link to="/" className="button button-primary">
        {t('notFound.back')}
      </Link>
    </section>
  );
}
