/** A time as a clock in Paris shows it, with its weekday: `Mon 09:00`, for schedules in that zone. */
export function inParis(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}
