/**
 * The addresses in what a person pastes into the invite box: one per line, or separated by commas,
 * semicolons or spaces, or a mail's To line ("Anna Neri" <anna@uni.example>, …). A piece with no
 * "@" is kept as it is, for the server to name it as no address rather than drop it unseen.
 */
export function addressesIn(text: string): string[] {
  const out: string[] = [];
  // Commas and semicolons inside quotes belong to a name ("Neri, Anna" <anna@uni.example>).
  for (const entry of text.replace(/"[^"]*"/g, ' ').split(/[,;\n]+/)) {
    const bracketed = [...entry.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!.trim());
    if (bracketed.length > 0) out.push(...bracketed.filter((a) => a !== ''));
    else out.push(...entry.split(/\s+/).filter((a) => a !== ''));
  }
  return out;
}
