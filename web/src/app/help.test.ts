import { describe, expect, it } from 'vitest';
import { helpUrl } from './help.ts';

describe('the help link', () => {
  it('leads to the guide page of the screen, in the person’s language', () => {
    expect(helpUrl('/', 'en')).toBe('/docs/en/user/');
    expect(helpUrl('/bookings/new', 'en')).toBe('/docs/en/user/#book-a-room');
    expect(helpUrl('/admin/rooms', 'en')).toBe('/docs/en/admin/#rooms');
    expect(helpUrl('/admin/rooms', 'it')).toBe('/docs/it/admin/');
    expect(helpUrl('/institutions/42', 'it')).toBe('/docs/it/admin/');
    expect(helpUrl('/calendar', 'it')).toBe('/docs/it/user/');
    expect(helpUrl('/account', 'en')).toBe('/docs/en/user/#your-account-password-and-api-tokens');
  });
});
