#!/bin/sh
# The backup sidecar of compose.yaml: a pg_dump (custom format, for pg_restore) every
# BACKUP_INTERVAL_HOURS into /backups, keeping BACKUP_KEEP_DAYS days of them. Restore one with:
#   docker compose -f deploy/compose.yaml exec -T postgres pg_restore -U webmeetings -d webmeetings --clean --if-exists < backups/<file>.dump
set -eu
interval=$(( ${BACKUP_INTERVAL_HOURS:-24} * 3600 ))
keep=${BACKUP_KEEP_DAYS:-14}
until pg_isready -q; do sleep 2; done
while :; do
  name="/backups/webmeetings-$(date -u +%Y%m%dT%H%M%SZ).dump"
  if pg_dump -Fc -f "$name.partial" && mv "$name.partial" "$name"; then
    echo "backup written: $name ($(du -h "$name" | cut -f1))"
  else
    rm -f "$name.partial"
    echo "backup FAILED at $(date -u +%FT%TZ)" >&2
  fi
  find /backups -name 'webmeetings-*.dump' -mtime "+$keep" -delete
  sleep "$interval"
done
