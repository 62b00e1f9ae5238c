// The portal's ids are uuids: text that is not one names nothing, and is refused before a query
// (PostgreSQL would answer a malformed uuid with an error, not an empty result).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string): boolean => UUID.test(text);
