import { describe, expect, it } from 'vitest';
import { addressesIn } from './addresses.ts';

describe('addressesIn', () => {
  it('reads one per line, or separated by commas, semicolons and spaces', () => {
    expect(addressesIn('anna@uni.example\nbruno@uni.example, carla@uni.example; dario@uni.example  elena@uni.example\n\n')).toEqual([
      'anna@uni.example',
      'bruno@uni.example',
      'carla@uni.example',
      'dario@uni.example',
      'elena@uni.example',
    ]);
  });

  it('reads a mail’s To line, names and quoted commas left out', () => {
    expect(addressesIn('"Neri, Anna" <anna@uni.example>, Bruno Bianchi <bruno@uni.example>; <carla@uni.example>')).toEqual([
      'anna@uni.example',
      'bruno@uni.example',
      'carla@uni.example',
    ]);
  });

  it('keeps what is no address, for the server to name it', () => {
    expect(addressesIn('anna@uni.example, mario rossi')).toEqual(['anna@uni.example', 'mario', 'rossi']);
    expect(addressesIn('  ')).toEqual([]);
  });
});
