// Text searches with LIKE: what a person types is matched as text, never as a pattern ("50%" or
// "lab_2" mean those characters), on both PostgreSQL and PGlite (backslash is LIKE's default escape).

/** `%text%` for `lower(column) LIKE`, the text lower-cased and its % _ \ escaped. */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;

/** The most words one search matches, each in the text (in any order): a bound on the statement's work. */
export const MOST_SEARCH_WORDS = 6;

/** The words of a search, at most MOST_SEARCH_WORDS of them. */
export const searchWords = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean).slice(0, MOST_SEARCH_WORDS);
