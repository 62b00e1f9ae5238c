import { lazy, Suspense, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { SessionProvider, useSession } from '../auth/session.tsx';
import { SignInPage } from '../auth/SignInPage.tsx';
import { CalendarPage } from '../calendar/CalendarPage.tsx';
import { ToastProvider } from '../ui/toasts.tsx';
import { Notice } from '../ui/Notice.tsx';
import { AppShell } from './AppShell.tsx';
import { matchPath, ROOM_ROUTE, useLocation } from './router.tsx';

// The calendar is the first page most people see and ships in the initial bundle;
// the other pages load when first opened.
const MyBookingsPage = lazy(() => import('../bookings/MyBookingsPage.tsx').then((m) => ({ default: m.MyBookingsPage })));
const PersonBookingsPage = lazy(() => import('../bookings/PersonBookingsPage.tsx').then((m) => ({ default: m.PersonBookingsPage })));
const BookingPage = lazy(() => import('../bookings/BookingPage.tsx').then((m) => ({ default: m.BookingPage })));
const AttendancePage = lazy(() => import('../bookings/AttendancePage.tsx').then((m) => ({ default: m.AttendancePage })));
const BookingFormPage = lazy(() => import('../bookings/BookingFormPage.tsx').then((m) => ({ default: m.BookingFormPage })));
const RoomsPage = lazy(() => import('../admin/RoomsPage.tsx').then((m) => ({ default: m.RoomsPage })));
const InstitutionsPage = lazy(() => import('../admin/InstitutionsPage.tsx').then((m) => ({ default: m.InstitutionsPage })));
const UsersPage = lazy(() => import('../admin/UsersPage.tsx').then((m) => ({ default: m.UsersPage })));
const OutsideMeetingsPage = lazy(() => import('../admin/OutsideMeetingsPage.tsx').then((m) => ({ default: m.OutsideMeetingsPage })));
const ProvisioningPage = lazy(() => import('../admin/ProvisioningPage.tsx').then((m) => ({ default: m.ProvisioningPage })));
const SignInSettingsPage = lazy(() => import('../admin/SignInSettingsPage.tsx').then((m) => ({ default: m.SignInSettingsPage })));
const InstitutionPage = lazy(() => import('../admin/InstitutionPage.tsx').then((m) => ({ default: m.InstitutionPage })));
const StatisticsPage = lazy(() => import('../statistics/StatisticsPage.tsx').then((m) => ({ default: m.StatisticsPage })));
const AccountPage = lazy(() => import('../account/AccountPage.tsx').then((m) => ({ default: m.AccountPage })));
const DelegatesPage = lazy(() => import('../account/DelegatesPage.tsx').then((m) => ({ default: m.DelegatesPage })));
const MyRequestsPage = lazy(() => import('../requests/MyRequestsPage.tsx').then((m) => ({ default: m.MyRequestsPage })));
const RequestFormPage = lazy(() => import('../requests/RequestFormPage.tsx').then((m) => ({ default: m.RequestFormPage })));
const RequestQueuePage = lazy(() => import('../requests/RequestQueuePage.tsx').then((m) => ({ default: m.RequestQueuePage })));
const AuditPage = lazy(() => import('../admin/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
// The meeting room (issue #14) brings janus-gateway: its own chunk, loaded only on /room/<booking>.
const RoomPage = lazy(() => import('../room/RoomPage.tsx').then((m) => ({ default: m.RoomPage })));
const ForgotPasswordPage = lazy(() => import('../auth/PasswordPages.tsx').then((m) => ({ default: m.ForgotPasswordPage })));
const SetPasswordPage = lazy(() => import('../auth/PasswordPages.tsx').then((m) => ({ default: m.SetPasswordPage })));
const NotFoundPage = lazy(() => import('./NotFoundPage.tsx').then((m) => ({ default: m.NotFoundPage })));

interface Route {
  pattern: string;
  page: ComponentType<{ params: Record<string, string> }>;
  admin?: boolean;
  /** Also for institution managers (their own institution's people). */
  managers?: boolean;
}

/** Pages a password link or the sign-in page open, signed in or not. */
const PASSWORD_PAGES: Record<string, ComponentType> = { '/password/forgot': ForgotPasswordPage, '/password/set': SetPasswordPage };

const ROUTES: Route[] = [
  { pattern: '/', page: CalendarPage },
  { pattern: '/calendar', page: CalendarPage },
  { pattern: '/bookings', page: MyBookingsPage },
  { pattern: '/bookings/new', page: BookingFormPage },
  { pattern: '/bookings/:id/edit', page: BookingFormPage },
  // The stable address in every mail, reminder, feed and .ics file.
  { pattern: '/bookings/:id/attendance', page: AttendancePage },
  { pattern: '/bookings/:id', page: BookingPage },
  { pattern: '/account', page: AccountPage },
  { pattern: '/account/delegates', page: DelegatesPage },
  { pattern: '/requests', page: MyRequestsPage },
  { pattern: '/requests/new', page: RequestFormPage },
  { pattern: '/admin/requests', page: RequestQueuePage, admin: true },
  { pattern: '/admin/rooms', page: RoomsPage, admin: true },
  { pattern: '/admin/institutions', page: InstitutionsPage, admin: true },
  { pattern: '/institutions/:id', page: InstitutionPage },
  { pattern: '/admin/users', page: UsersPage, admin: true },
  { pattern: '/people', page: UsersPage, admin: true, managers: true },
  { pattern: '/people/:id/bookings', page: PersonBookingsPage, admin: true, managers: true },
  { pattern: '/admin/provisioning', page: ProvisioningPage, admin: true },
  { pattern: '/admin/outside-meetings', page: OutsideMeetingsPage, admin: true },
  { pattern: '/admin/sign-in', page: SignInSettingsPage, admin: true },
  { pattern: '/admin/audit', page: AuditPage, admin: true },
  { pattern: '/statistics', page: StatisticsPage, admin: true, managers: true },
];

function Routes() {
  const { state } = useSession();
  const { path } = useLocation();
  const { t } = useTranslation();

  if (state.status === 'loading') {
    return (
      <div className="splash" role="status">
        {t('common.loading')}
      </div>
    );
  }
  if (state.status === 'unreachable') {
    return (
      <main className="splash">
        <Notice tone="error" title={t('errors.unreachableTitle')}>
          {t('errors.unreachable')}
        </Notice>
      </main>
    );
  }
  // Guests come without an account: the room's ticket, not the session, lets them in.
  const room = matchPath(ROOM_ROUTE, path);
  if (room) {
    return (
      <Suspense fallback={<p className="splash" role="status">{t('common.loading')}</p>}>
        <RoomPage params={room} />
      </Suspense>
    );
  }
  const PasswordPage = PASSWORD_PAGES[path];
  if (PasswordPage) {
    return (
      <Suspense fallback={<p className="splash" role="status">{t('common.loading')}</p>}>
        <PasswordPage />
      </Suspense>
    );
  }
  if (state.status === 'signed-out') return <SignInPage expired={state.expired} />;

  let Page: Route['page'] = NotFoundPage;
  let params: Record<string, string> = {};
  for (const route of ROUTES) {
    const match = matchPath(route.pattern, path);
    if (match && (!route.admin || state.me.role === 'admin' || (route.managers && state.me.role === 'institution-manager'))) {
      Page = route.page;
      params = match;
      break;
    }
  }
  return (
    <AppShell>
      <Suspense
        fallback={
          <p className="page-loading" role="status">
            {t('common.loading')}
          </p>
        }
      >
        <Page key={path} params={params} />
      </Suspense>
    </AppShell>
  );
}

export function App() {
  return (
    <SessionProvider>
      <ToastProvider>
        <Routes />
      </ToastProvider>
    </SessionProvider>
  );
}
