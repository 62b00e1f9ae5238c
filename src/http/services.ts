import type { DefaultService } from '../providers/settings.ts';
import type { AccountService } from '../app/accounts.ts';
import type { AudioService } from '../app/audio.ts';
import type { AdministrationService } from '../app/administration.ts';
import type { PeopleService } from '../app/people.ts';
import type { BookingService } from '../app/bookings.ts';
import type { RequestService } from '../app/requests.ts';
import type { SeriesService } from '../app/series.ts';
import type { DelegationService } from '../app/delegation.ts';
import type { StatisticsService } from '../app/statistics.ts';
import type { WaitingListService } from '../app/waiting-list.ts';
import type { CalendarServices } from './routes/feeds.ts';
import type { BookingPolicy } from '../domain/booking-rules.ts';
import type { UnitOfWork } from '../ports.ts';

/** What the routes call: use-cases only, never repositories or SQL. */
export type Services = {
  bookings: BookingService;
  requests: RequestService;
  audio: AudioService;
  series: SeriesService;
  delegation: DelegationService;
  calendar: CalendarServices;
  accounts: AccountService;
  administration: AdministrationService;
  people: PeopleService;
  statistics: StatisticsService;
  waitingList: WaitingListService;
  uow: UnitOfWork;
  policy: BookingPolicy;
  /** The service of rooms that name none (shown by GET /settings). */
  defaultService?: DefaultService;
};
