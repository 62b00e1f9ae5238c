import { useEffect, useMemo, useState, type CSSProperties, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { Institution } from '../api/types.ts';
import { navigate, useLocation } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { formatInstant } from '../i18n/format.ts';
import { currentLocale } from '../i18n/index.ts';
import { DateField } from '../ui/DateField.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { problemMessage } from '../api/problems.ts';
import { LineChart } from './PoolChart.tsx';
import './statistics.css';

interface Period {
  from: string;
  to: string;
  timeZone: string;
  institutionId: string | null;
  bucket: 'day' | 'hour';
}
interface Figures {
  meetings: number;
  held: number;
  noShows: number;
  unknown: number;
  bookedHours: number;
  heldHours: number;
  avgPeople: number | null;
  avgWeb: number | null;
  avgPhone: number | null;
  maxPeople: number;
  seatHours: number;
  peopleHours: number;
}
interface Summary extends Figures {
  period: Period;
  peak: { at: string; web: number; phone: number; total: number } | null;
  seriesShare: number | null;
  medianLeadDays: number | null;
  leadTime: { sameDay: number; withinWeek: number; withinMonth: number; later: number };
  cancellations: { count: number; medianHoursBefore: number | null; afterStart: number; lastHour: number; lastDay: number; lastWeek: number; earlier: number };
}
interface Grouped extends Figures {
  key: string;
  label: string;
}
interface PoolBucket {
  start: string;
  bookedSeats: number;
  presentPeople: number;
  peakPeople: number;
}
interface HeatCell {
  weekday: number;
  hour: number;
  bookedHours: number;
  utilisation: number;
}
interface Data {
  summary: Summary;
  months: Grouped[];
  rooms: Grouped[];
  institutions: Grouped[];
  pool: PoolBucket[];
  heat: HeatCell[];
}

const num = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '–' : new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: digits }).format(n));
const pct = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : new Intl.NumberFormat(currentLocale(), { style: 'percent', maximumFractionDigits: 0 }).format(n));
const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

function presets(today: Date) {
  const back = (days: number) => isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - days));
  return {
    last30: { from: back(29), to: isoDay(today) },
    last12: { from: isoDay(new Date(today.getFullYear() - 1, today.getMonth(), today.getDate() + 1)), to: isoDay(today) },
    thisYear: { from: `${today.getFullYear()}-01-01`, to: isoDay(today) },
  };
}

/** Usage statistics: administrators see everything (or one institution), managers their own. */
export function StatisticsPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const { query } = useLocation();
  const isAdmin = me.role === 'admin';
  const quick = useMemo(() => presets(new Date()), []);
  const from = query.get('from') ?? quick.last12.from;
  const to = query.get('to') ?? quick.last12.to;
  const institutionId = isAdmin ? (query.get('institution') ?? '') : '';
  const [draft, setDraft] = useState({ from, to });
  const [periodError, setPeriodError] = useState<string | null>(null);
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);

  const search = useMemo(() => {
    const p = new URLSearchParams({ from, to });
    if (institutionId) p.set('institutionId', institutionId);
    return p.toString();
  }, [from, to, institutionId]);

  useEffect(() => {
    setDraft({ from, to });
    setPeriodError(null);
  }, [from, to]);
  useEffect(() => {
    if (!isAdmin) return;
    api
      .get<{ items: Institution[] }>('/api/v1/institutions')
      .then((r) => setInstitutions(r.items))
      .catch(() => setInstitutions([]));
  }, [isAdmin]);
  useEffect(() => {
    let live = true;
    setData(null);
    setError(null);
    const get = <T,>(path: string) => api.get<T>(`/api/v1/statistics/${path}?${search}`);
    Promise.all([
      get<Summary>('summary'),
      get<{ items: Grouped[] }>('months'),
      get<{ items: Grouped[] }>('rooms'),
      isAdmin ? get<{ items: Grouped[] }>('institutions') : Promise.resolve({ items: [] }),
      get<{ items: PoolBucket[] }>('pool'),
      get<{ items: HeatCell[] }>('heatmap'),
    ])
      .then(([summary, months, rooms, inst, pool, heat]) => {
        if (live) setData({ summary, months: months.items, rooms: rooms.items, institutions: inst.items, pool: pool.items, heat: heat.items });
      })
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [search, isAdmin]);

  const go = (next: { from: string; to: string; institution?: string }) => {
    const p = new URLSearchParams({ from: next.from, to: next.to });
    const inst = next.institution ?? institutionId;
    if (inst) p.set('institution', inst);
    navigate(`/statistics?${p.toString()}`, { replace: true });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const day = /^\d{4}-\d{2}-\d{2}$/;
    const problem = !day.test(draft.from) || !day.test(draft.to) ? t('stats.datesInvalid') : draft.from > draft.to ? t('stats.fromAfterTo') : null;
    setPeriodError(problem);
    if (!problem) go(draft);
  };
  const invalid = periodError ? { 'aria-invalid': true, 'aria-describedby': 'stats-period-error' } : {};
  const csv = (path: string) => `/api/v1/statistics/${path}?${search}&format=csv`;

  return (
    <section className="page page-wide stats-page">
      <PageHeader title={t('stats.title')} subtitle={isAdmin ? t('stats.subtitleAdmin') : t('stats.subtitleManager', { institution: me.institution?.name ?? '' })} />
      <form className="card stats-period" onSubmit={submit} aria-label={t('stats.period')}>
        <div className="stats-period-fields">
          {/* Typed day first, as in every form here: the browser's own date box orders day and month by its locale, not the page's. */}
          <label>
            <span>{t('stats.from')}</span>
            <DateField required value={draft.from} onChange={(v) => setDraft((d) => ({ ...d, from: v }))} {...invalid} />
          </label>
          <label>
            <span>{t('stats.to')}</span>
            <DateField required value={draft.to} onChange={(v) => setDraft((d) => ({ ...d, to: v }))} {...invalid} />
          </label>
          {isAdmin && (
            <label>
              <span>{t('stats.institution')}</span>
              <select value={institutionId} onChange={(e) => go({ from, to, institution: e.target.value })}>
                <option value="">{t('stats.allInstitutions')}</option>
                {institutions.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="submit" className="button button-primary">
            {t('stats.show')}
          </button>
        </div>
        <div className="stats-presets" role="group" aria-label={t('stats.presets')}>
          {(['last30', 'last12', 'thisYear'] as const).map((k) => (
            <button key={k} type="button" className="button button-small" aria-pressed={from === quick[k].from && to === quick[k].to} onClick={() => go(quick[k])}>
              {t(`stats.preset.${k}`)}
            </button>
          ))}
        </div>
        {periodError && (
          <p id="stats-period-error" className="field-error stats-period-error" role="alert">
            {periodError}
          </p>
        )}
      </form>

      {error !== null && <Notice tone="error">{problemMessage(t, error)}</Notice>}
      {!data && error === null && <p className="muted" role="status">{t('common.loading')}</p>}
      {data && <Figures data={data} csv={csv} isAdmin={isAdmin} />}
    </section>
  );
}

function Figures({ data, csv, isAdmin }: { data: Data; csv: (path: string) => string; isAdmin: boolean }) {
  const { t } = useTranslation();
  const s = data.summary;
  const zone = s.period.timeZone;
  if (s.meetings === 0 && s.cancellations.count === 0) return <Notice tone="info">{t('stats.empty')}</Notice>;
  const reservedEmpty = s.seatHours > 0 ? 1 - s.peopleHours / s.seatHours : null;
  return (
    <>
      <h2 className="visually-hidden">{t('stats.overview')}</h2>
      <dl className="stats-cards">
        <Card label={t('stats.meetingsHeld')} value={num(s.held, 0)} note={t('stats.ofBooked', { count: s.meetings, booked: num(s.meetings, 0) })} />
        <Card label={t('stats.hoursHeld')} value={num(s.heldHours)} note={t('stats.ofHoursBooked', { hours: num(s.bookedHours) })} />
        <Card label={t('stats.avgPeople')} value={num(s.avgPeople)} note={t('stats.webPhone', { web: num(s.avgWeb), phone: num(s.avgPhone) })} />
        <Card
          label={t('stats.peak')}
          value={num(s.peak?.total ?? 0, 0)}
          note={s.peak ? t('stats.peakWhen', { when: formatInstant(s.peak.at, zone, { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }), web: num(s.peak.web, 0), phone: num(s.peak.phone, 0) }) : '–'}
        />
        <Card label={t('stats.noShows')} value={num(s.noShows, 0)} note={t('stats.unknown', { count: s.unknown, n: num(s.unknown, 0) })} />
        <Card label={t('stats.reservedEmpty')} value={pct(reservedEmpty)} note={t('stats.seatPeopleHours', { seats: num(s.seatHours, 0), people: num(s.peopleHours, 0) })} />
        <Card label={t('stats.cancellations')} value={num(s.cancellations.count, 0)} note={s.cancellations.medianHoursBefore === null ? '–' : t('stats.cancelledBefore', { hours: num(s.cancellations.medianHoursBefore) })} />
        <Card label={t('stats.leadTime')} value={t('stats.days', { n: num(s.medianLeadDays) })} note={t('stats.seriesShare', { share: pct(s.seriesShare) })} />
      </dl>

      <section className="card stats-section" aria-labelledby="stats-pool">
        <SectionHead id="stats-pool" title={t('stats.poolTitle')} csv={csv('pool')} />
        <p className="muted">{t(s.period.bucket === 'day' ? 'stats.poolHelpDay' : 'stats.poolHelpHour')}</p>
        <PoolFigures pool={data.pool} bucket={s.period.bucket} />
      </section>

      <section className="card stats-section" aria-labelledby="stats-heat">
        <SectionHead id="stats-heat" title={t('stats.heatTitle')} csv={csv('heatmap')} />
        <p className="muted">{t('stats.heatHelp', { zone })}</p>
        <HeatMap cells={data.heat} />
      </section>

      <GroupTable id="stats-months" title={t('stats.byMonth')} keyLabel={t('stats.month')} rows={data.months} csv={csv('months')} label={(r) => monthLabel(r.key)} />
      <GroupTable id="stats-rooms" title={t('stats.byRoom')} keyLabel={t('stats.room')} rows={data.rooms} csv={csv('rooms')} label={(r) => r.label} />
      {isAdmin && <GroupTable id="stats-institutions" title={t('stats.byInstitution')} keyLabel={t('stats.institution')} rows={data.institutions} csv={csv('institutions')} label={(r) => r.label || t('stats.noInstitution')} />}

      <section className="card stats-section" aria-labelledby="stats-habits">
        <SectionHead id="stats-habits" title={t('stats.habitsTitle')} csv={csv('summary')} />
        <div className="stats-two">
          <table className="data-table">
            <caption className="table-caption">{t('stats.leadTimeCaption')}</caption>
            <tbody>
              {(['sameDay', 'withinWeek', 'withinMonth', 'later'] as const).map((k) => (
                <tr key={k}>
                  <th scope="row">{t(`stats.lead.${k}`)}</th>
                  <td className="num">{num(s.leadTime[k], 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="data-table">
            <caption className="table-caption">{t('stats.cancelCaption')}</caption>
            <tbody>
              {(['earlier', 'lastWeek', 'lastDay', 'lastHour', 'afterStart'] as const).map((k) => (
                <tr key={k}>
                  <th scope="row">{t(`stats.cancel.${k}`)}</th>
                  <td className="num">{num(s.cancellations[k], 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

const monthLabel = (key: string) => formatInstant(`${key}-15T12:00:00Z`, 'UTC', { month: 'long', year: 'numeric' });

function Card({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div className="card stats-card">
      <dt>{label}</dt>
      <dd>
        <span className="stats-value">{value}</span>
        <span className="stats-note">{note}</span>
      </dd>
    </div>
  );
}

function SectionHead({ id, title, csv }: { id: string; title: string; csv: string }) {
  const { t } = useTranslation();
  return (
    <div className="stats-section-head">
      <h2 id={id}>{title}</h2>
      <a className="button button-small" href={csv} download>
        {t('stats.csv')}
        <span className="visually-hidden"> – {title}</span>
      </a>
    </div>
  );
}

function PoolFigures({ pool, bucket }: { pool: PoolBucket[]; bucket: 'day' | 'hour' }) {
  const { t } = useTranslation();
  const label = (start: string) =>
    bucket === 'day' ? formatInstant(`${start.slice(0, 10)}T12:00:00Z`, 'UTC', { day: 'numeric', month: 'short' }) : `${formatInstant(`${start.slice(0, 10)}T12:00:00Z`, 'UTC', { day: 'numeric', month: 'short' })} ${start.slice(11, 16)}`;
  const labels = useMemo(() => pool.map((b) => label(b.start)), [pool]);
  const series = useMemo(
    () => [
      { label: t('stats.bookedSeats'), values: pool.map((b) => b.bookedSeats), color: '#1d4ed8' },
      { label: t('stats.presentPeople'), values: pool.map((b) => b.presentPeople), color: '#15803d' },
      { label: t('stats.peakPeople'), values: pool.map((b) => b.peakPeople), color: '#b45309', dash: [6, 4] },
    ],
    [pool, t],
  );
  const shown = pool.filter((b) => b.bookedSeats > 0 || b.peakPeople > 0);
  return (
    <>
      <LineChart labels={labels} series={series} xLabel={bucket === 'day' ? t('stats.day') : t('stats.hour')} />
      <details className="stats-table-toggle">
        <summary>{t('stats.asTable')}</summary>
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('stats.tableOf', { title: t('stats.poolTitle') })}>
          <table className="data-table">
            <caption className="visually-hidden">{t('stats.poolTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{bucket === 'day' ? t('stats.day') : t('stats.hour')}</th>
                <th scope="col" className="num">{t('stats.bookedSeats')}</th>
                <th scope="col" className="num">{t('stats.presentPeople')}</th>
                <th scope="col" className="num">{t('stats.peakPeople')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((b) => (
                <tr key={b.start}>
                  <th scope="row">{label(b.start)}</th>
                  <td className="num">{num(b.bookedSeats)}</td>
                  <td className="num">{num(b.presentPeople)}</td>
                  <td className="num">{num(b.peakPeople, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

/** Weekday × hour: a real table (screen readers read each cell), shaded by utilisation. */
function HeatMap({ cells }: { cells: HeatCell[] }) {
  const { t } = useTranslation();
  const hours = Array.from({ length: 16 }, (_, i) => i + 7);
  const max = Math.max(0.0001, ...cells.map((c) => c.utilisation));
  const at = (w: number, h: number) => cells.find((c) => c.weekday === w && c.hour === h);
  const weekday = (w: number) => formatInstant(`2026-03-0${1 + w}T12:00:00Z`, 'UTC', { weekday: 'short' });
  const outside = cells.filter((c) => (c.hour < 7 || c.hour > 22) && c.bookedHours > 0).reduce((n, c) => n + c.bookedHours, 0);
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={t('stats.tableOf', { title: t('stats.heatTitle') })}>
      <table className="stats-heat">
        <caption className="visually-hidden">{t('stats.heatTitle')}</caption>
        <thead>
          <tr>
            <td />
            {hours.map((h) => (
              <th key={h} scope="col">
                {String(h).padStart(2, '0')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[1, 2, 3, 4, 5, 6, 7].map((w) => (
            <tr key={w}>
              <th scope="row">{weekday(w)}</th>
              {hours.map((h) => {
                const c = at(w, h);
                const u = c?.utilisation ?? 0;
                return (
                  <td key={h} style={{ '--heat': String(u / max) } as CSSProperties} className={u / max > 0.55 ? 'hot' : undefined} title={t('stats.heatCell', { hours: num(c?.bookedHours ?? 0), share: pct(u) })}>
                    {pct(u)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {outside > 0 && <p className="muted">{t('stats.heatOutside', { hours: num(outside) })}</p>}
    </div>
  );
}

// A table that scrolls sideways is a region of its own inside its section (a region too): "Table: …"
// keeps the two names apart (axe landmark-unique).
function GroupTable({ id, title, keyLabel, rows, csv, label }: { id: string; title: string; keyLabel: string; rows: Grouped[]; csv: string; label: (r: Grouped) => string }) {
  const { t } = useTranslation();
  return (
    <section className="card stats-section" aria-labelledby={id}>
      <SectionHead id={id} title={title} csv={csv} />
      <div className="table-wrap" tabIndex={0} role="region" aria-label={t('stats.tableOf', { title })}>
        <table className="data-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{keyLabel}</th>
              <th scope="col" className="num">{t('stats.col.meetings')}</th>
              <th scope="col" className="num">{t('stats.col.held')}</th>
              <th scope="col" className="num">{t('stats.col.noShows')}</th>
              <th scope="col" className="num">{t('stats.col.hours')}</th>
              <th scope="col" className="num">{t('stats.col.avgPeople')}</th>
              <th scope="col" className="num">{t('stats.col.maxPeople')}</th>
              <th scope="col" className="num">{t('stats.col.seatHours')}</th>
              <th scope="col" className="num">{t('stats.col.peopleHours')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{label(r)}</th>
                <td className="num">{num(r.meetings, 0)}</td>
                <td className="num">{num(r.held, 0)}</td>
                <td className="num">{num(r.noShows, 0)}</td>
                <td className="num">{num(r.bookedHours)}</td>
                <td className="num">{num(r.avgPeople)}</td>
                <td className="num">{num(r.maxPeople, 0)}</td>
                <td className="num">{num(r.seatHours, 0)}</td>
                <td className="num">{num(r.peopleHours, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
